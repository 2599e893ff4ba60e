// `switchyard audit list`: the control plane's audit log (Owner only), newest first.
import { SwitchyardError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { num } from '../flags.js';

export const auditList = defineCommand<{ limit?: number }>({
  group: 'audit',
  name: 'list',
  summary: 'Show the newest audit entries: who changed what, key and token actions, denied attempts.',
  flags: [{ name: 'limit', kind: 'number', value: 'N', help: 'How many entries (1-10000). Default: 100.' }],
  examples: ['switchyard audit list --limit 20 -o table'],
  options: (v) => {
    const limit = num(v, 'limit');
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10000)) {
      throw new SwitchyardError('UsageError', `argument --limit: expected an integer from 1 to 10000, got ${limit}`);
    }
    return { limit };
  },
  run: (o, ctx) => ctx.client().listAudit(o.limit),
});

export const auditCommands = [auditList];
