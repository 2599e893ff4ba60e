// `switchyard audit list [--denied]`: the control plane's audit log (Owner only), newest first: real
// actions, or with --denied the denied attempts counted per minute, source, principal, action and reason.
import { SwitchyardError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { bool, num } from '../flags.js';

export const auditList = defineCommand<{ limit?: number; denied: boolean }>({
  group: 'audit',
  name: 'list',
  summary: 'Show the newest audit entries: who changed what, key and token actions. With --denied: refused attempts (401/403/429), counted per minute and source.',
  flags: [
    { name: 'limit', kind: 'number', value: 'N', help: 'How many entries (1-10000). Default: 100.' },
    { name: 'denied', kind: 'boolean', help: 'Show denied attempts (no or bad token, missing role, rate limited) instead of actions.' },
  ],
  examples: ['switchyard audit list --limit 20 -o table', 'switchyard audit list --denied -o table'],
  options: (v) => {
    const limit = num(v, 'limit');
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10000)) {
      throw new SwitchyardError('UsageError', `argument --limit: expected an integer from 1 to 10000, got ${limit}`);
    }
    return { limit, denied: bool(v, 'denied') };
  },
  run: (o, ctx) => (o.denied ? ctx.client().listDeniedAttempts(o.limit) : ctx.client().listAudit(o.limit)),
});

export const auditCommands = [auditList];
