// `switchyard rollout ...`: start (with a policy file and --wait), show, pause, resume, abort, promote,
// list. A Switchyard extension (docs/rollout.md); the REST routes are /api/v1/endpoints/{name}/rollout.
import { SwitchyardError, isSwitchyardError } from '../../errors.js';
import type { RolloutPolicyInput, RolloutView } from '../../sdk/types.js';
// The YAML schema (TypeBox + Ajv) loads only when a command reads a file: other commands start faster (issue 16).
const rolloutPolicyDoc = () => import('../yaml/rollout-policy.js');
import { FLAG, WithExitCode, defineCommand, type Context } from '../command.js';
import { bool, str, type FlagDef } from '../flags.js';
import { RolloutProgress } from '../rollout-progress.js';

const GROUP = 'rollout';
const endpointFlag: FlagDef = { name: 'endpoint', short: 'e', kind: 'string', value: 'NAME', required: true, help: 'Name of the endpoint.' };

/** Reads and checks the policy file (unknown keys and bad values name the file and line). */
async function readPolicy(file: string | undefined, cwd: string): Promise<{ policy?: RolloutPolicyInput; file?: string }> {
  return file === undefined ? {} : (await rolloutPolicyDoc()).loadRolloutPolicy(file, cwd);
}

interface StartOptions { endpoint: string; candidate: string; file?: string; wait: boolean }

async function waitForEnd(ctx: Context, endpoint: string, first: RolloutView): Promise<WithExitCode> {
  const progress = new RolloutProgress(ctx.io);
  progress.show(first);
  const pollMs = 1000;
  const last = await ctx.client().waitForRollout(endpoint, { pollMs, onUpdate: (r) => progress.show(r) });
  progress.end(last);
  return new WithExitCode(last, last.status.state === 'Succeeded' ? 0 : 1);
}

export const rolloutStart = defineCommand<StartOptions>({
  group: GROUP,
  name: 'start',
  summary: 'Start a progressive rollout of a candidate deployment: shadow, canary steps, gates, automatic rollback.',
  flags: [
    endpointFlag,
    { name: 'candidate', kind: 'string', value: 'DEPLOYMENT', required: true, help: 'The deployment to roll out (it must exist and be ready).' },
    { ...FLAG.file, help: 'Rollout policy YAML (steps, gates, interval, on_failure, delete_baseline_on_success). Default policy: docs/rollout.md.' },
    { name: 'wait', kind: 'boolean', help: 'Show progress until the rollout ends; exit 0 if it Succeeded, 1 otherwise.' },
  ],
  examples: [
    'switchyard rollout start --endpoint my-endpoint --candidate green -f rollout.yml --wait',
  ],
  options: (v) => ({ endpoint: str(v, 'endpoint')!, candidate: str(v, 'candidate')!, file: str(v, 'file'), wait: bool(v, 'wait') }),
  async run(o, ctx) {
    const { policy, file } = await readPolicy(o.file, ctx.cwd);
    let started: RolloutView;
    try {
      started = await ctx.client().startRollout(o.endpoint, { candidate: o.candidate, ...(policy ? { policy } : {}) });
    } catch (e) {
      // The rules between steps are checked by the server: say which file they came from.
      if (file && isSwitchyardError(e) && ['UnknownKey', 'InvalidValue', 'MissingField'].includes(e.code)) {
        throw new SwitchyardError(e.code, `${file}: ${e.message}`, e.details);
      }
      throw e;
    }
    return o.wait ? waitForEnd(ctx, o.endpoint, started) : started;
  },
});

export const rolloutShow = defineCommand<{ endpoint: string }>({
  group: GROUP,
  name: 'show',
  summary: "Show the endpoint's rollout: state, current step, each gate's latest value and verdict, history.",
  flags: [endpointFlag],
  examples: ['switchyard rollout show --endpoint my-endpoint --query status.gates'],
  options: (v) => ({ endpoint: str(v, 'endpoint')! }),
  run: (o, ctx) => ctx.client().getRollout(o.endpoint),
});

export const rolloutList = defineCommand<Record<string, never>>({
  group: GROUP,
  name: 'list',
  summary: 'List rollouts, newest first.',
  flags: [],
  options: () => ({}),
  async run(_o, ctx) {
    return (await ctx.client().listRollouts()).map((r) => ({
      endpoint: r.endpoint, candidate: r.spec.candidate, state: r.status.state, step: r.current_step,
      started_by: r.spec.started_by, created_at: r.created_at, updated_at: r.updated_at, id: r.id,
    }));
  },
});

const ACTION_HELP = {
  pause: 'Pause the rollout: traffic stays as it is and gates stop until resume or abort (manual traffic changes are allowed while paused).',
  resume: 'Resume a paused rollout at its step (its traffic is put back; the gates read a new window).',
  abort: 'Abort the rollout: the baseline gets its traffic back, the candidate is kept for inspection.',
  promote: 'Promote the rollout to its next step now, without waiting for a verdict.',
} as const;

const action = (name: keyof typeof ACTION_HELP) => defineCommand<{ endpoint: string }>({
  group: GROUP,
  name,
  summary: ACTION_HELP[name],
  flags: [endpointFlag],
  options: (v) => ({ endpoint: str(v, 'endpoint')! }),
  run: (o, ctx) => ctx.client().rolloutAction(o.endpoint, name),
});

export const rolloutCommands = [
  rolloutStart, rolloutShow, action('pause'), action('resume'), action('abort'), action('promote'), rolloutList,
];
