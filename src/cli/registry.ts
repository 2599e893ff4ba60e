// Every command, and the groups they belong to (the grammar of docs/compatibility.md, "Command line").
import type { Command } from './command.js';
import { configure } from './commands/configure.js';
import { environmentCommands } from './commands/environment.js';
import { modelCommands } from './commands/model.js';
import { onlineDeploymentCommands } from './commands/online-deployment.js';
import { onlineEndpointCommands } from './commands/online-endpoint.js';
import { serve } from './commands/serve.js';
import { tokenCommands } from './commands/token.js';
import { auditCommands } from './commands/audit.js';
import { rolloutCommands } from './commands/rollout.js';

export interface Group {
  name: string;
  summary: string;
  commands: Command[];
}

export const GROUPS: Group[] = [
  { name: 'online-endpoint', summary: 'Manage online endpoints: create, update traffic, invoke, credentials.', commands: onlineEndpointCommands },
  { name: 'online-deployment', summary: 'Manage online deployments: create, scale, roll out, logs.', commands: onlineDeploymentCommands },
  { name: 'model', summary: 'Manage registered models.', commands: modelCommands },
  { name: 'environment', summary: 'Manage registered environments.', commands: environmentCommands },
  { name: 'rollout', summary: 'Progressive rollouts: shadow, canary steps and gates, automatic rollback (extension).', commands: rolloutCommands },
  { name: 'token', summary: 'Manage control-plane tokens: principals with a role (Owner only).', commands: tokenCommands },
  { name: 'audit', summary: 'Read the audit log of control-plane changes and denied attempts (Owner only).', commands: auditCommands },
];

export const TOP_COMMANDS: Command[] = [serve, configure];

export const findGroup = (name: string): Group | undefined => GROUPS.find((g) => g.name === name);
export const findTop = (name: string): Command | undefined => TOP_COMMANDS.find((c) => c.name === name);
