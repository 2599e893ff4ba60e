// Every command, and the groups they belong to (the grammar of docs/compatibility.md, "Command line").
// A group's commands are imported only when that group is named, so one CLI call loads only what it
// runs (issue 16).
import type { Command } from './command.js';
import { configure } from './commands/configure.js';
import { serve } from './commands/serve.js';
import { gatewayRun } from './commands/gateway.js';

export interface Group {
  name: string;
  summary: string;
  /** Imports the group's command module. */
  load(): Promise<Command[]>;
}

export const GROUPS: Group[] = [
  { name: 'online-endpoint', summary: 'Manage online endpoints: create, update traffic, invoke, credentials.', load: async () => (await import('./commands/online-endpoint.js')).onlineEndpointCommands },
  { name: 'online-deployment', summary: 'Manage online deployments: create, scale, roll out, logs.', load: async () => (await import('./commands/online-deployment.js')).onlineDeploymentCommands },
  { name: 'model', summary: 'Manage registered models.', load: async () => (await import('./commands/model.js')).modelCommands },
  { name: 'environment', summary: 'Manage registered environments.', load: async () => (await import('./commands/environment.js')).environmentCommands },
  { name: 'rollout', summary: 'Progressive rollouts: shadow, canary steps and gates, automatic rollback (extension).', load: async () => (await import('./commands/rollout.js')).rolloutCommands },
  { name: 'token', summary: 'Manage control-plane tokens: principals with a role (Owner only).', load: async () => (await import('./commands/token.js')).tokenCommands },
  { name: 'gateway', summary: 'Standalone gateways: `gateway --control-plane URL` runs one, `gateway list` shows them (extension).', load: async () => (await import('./commands/gateway.js')).gatewayCommands },
  { name: 'audit', summary: 'Read the audit log of control-plane changes and denied attempts (Owner only).', load: async () => (await import('./commands/audit.js')).auditCommands },
];

export const TOP_COMMANDS: Command[] = [serve, configure, gatewayRun];

export const findGroup = (name: string): Group | undefined => GROUPS.find((g) => g.name === name);
export const findTop = (name: string): Command | undefined => TOP_COMMANDS.find((c) => c.name === name);
