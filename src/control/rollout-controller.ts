// The rollout controller: another reconciler (like control/reconciler.ts). Given only an endpoint, a pass reads the
// endpoint's newest rollout from the store and converges: it puts the step's traffic/mirror in force
// through the endpoint service (the path of `online-endpoint update`, so every traffic rule and the
// snapshot acknowledgement apply), reads a window of the gateway's figures and the shadow comparison,
// evaluates the gates, and promotes, rolls back, pauses or waits. Passes of one endpoint never
// overlap with each other nor with a user's start/pause/resume/abort/promote.
//
// Durable: state, step and the bake time spent are stored on every evaluation; after a restart the
// next pass continues the step with a fresh window (the gateway's counters restarted too), so a step
// is promoted only on data gathered and judged by this process.
import type { Logger } from '../logger.js';
import { isSwitchyardError } from '../errors.js';
import type { EndpointFigures } from '../gateway/rollout-figures.js';
import type { GateResult, RolloutHistoryEntry, RolloutRecord, RolloutStatus } from '../spec/rollout.js';
import { isActive } from '../spec/rollout.js';
import { describeStep, isShadowStep, stepDurationMs } from '../spec/rollout-policy.js';
import { parseDuration } from '../spec/durations.js';
import { describeMap } from '../spec/traffic.js';
import type { Store } from '../store/store.js';
import type { RuntimeBackend } from '../runtime/backend.js';
import type { AgreementSource } from './agreement-source.js';
import type { GatewayMetrics } from './context.js';
import type { Leadership } from './leadership.js';
import type { Publisher } from './reconciler.js';
import { decide, evaluateGates } from './rollout-gates.js';
import { desiredRouting, sameRouting, scaleBaseline, type Routing } from './rollout-routing.js';
import { gateWindow } from './rollout-window.js';

/** The principal of automatic changes, in the audit log and the history. */
export const CONTROLLER_PRINCIPAL = 'rollout-controller';
const HISTORY_KEEP = 200;
/** How soon a pass that could not act (an operation in the way, instances not ready) tries again. */
const RETRY_MS = 500;
/** How long a step waits for its deployments to have ready instances (after a restart they start again) before pausing. */
const READY_GRACE_MS = 60_000;

/** What the controller changes traffic and deployments through: the services a user's request uses. */
export interface RolloutEffects {
  /** PATCH of the endpoint's traffic and mirror, as the rollout (bypassing the rollout's own guard). */
  updateRouting(endpoint: string, routing: Routing): Promise<void>;
  deleteDeployment(endpoint: string, name: string): Promise<void>;
}

export interface RolloutControllerDeps {
  store: Store;
  effects: RolloutEffects;
  gateway: Pick<GatewayMetrics, 'figures'>;
  backend: Pick<RuntimeBackend, 'instances'>;
  publisher: Publisher;
  agreement: AgreementSource | null;
  logger: Logger;
  now?: () => Date;
  /** With replicas: only the leader runs passes; a follower forwards them (absent: always run). */
  leadership?: Leadership;
}

interface OpenWindow {
  rolloutId: string;
  step: number;
  base: EndpointFigures;
  startedAt: number;
  lastTick: number;
  /** Start of the comparison's window (exact: from AgreementSource.mark). */
  agreementSince: Date | null;
}

export class RolloutController {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly waitingPass = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly windows = new Map<string, OpenWindow>();
  /** Since when a pass has waited for the deployments of a window to have ready instances. */
  private readonly waitingSince = new Map<string, number>();
  private readonly now: () => Date;
  private closed = false;

  constructor(private readonly deps: RolloutControllerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** On server start: every rollout left Progressing (or not yet settled) continues. */
  recover(): void {
    for (const r of this.deps.store.listRollouts()) {
      if (this.deps.store.latestRollout(r.endpoint)?.id !== r.id) continue;
      if (r.status.state === 'Progressing' || !r.status.applied) this.kick(r.endpoint);
    }
  }

  /** Runs a pass for the endpoint (after the running one; coalesced with one already waiting). */
  kick(endpoint: string): Promise<void> {
    const leadership = this.deps.leadership;
    if (leadership && !leadership.leading()) {
      leadership.forward({ kind: 'rollout', endpoint });
      return Promise.resolve();
    }
    const waiting = this.waitingPass.get(endpoint);
    if (waiting) return waiting;
    const pass = this.serial(endpoint, async () => {
      this.waitingPass.delete(endpoint);
      if (this.closed) return;
      try {
        await this.pass(endpoint);
      } catch (e) {
        this.deps.logger.error({ err: e, endpoint }, 'rollout pass failed');
        this.schedule(endpoint, RETRY_MS);
      }
    });
    this.waitingPass.set(endpoint, pass);
    return pass;
  }

  /** Runs `fn` between passes of the endpoint (a user's action), then a pass; answers what `fn` answers. */
  async act<T>(endpoint: string, fn: () => T): Promise<T> {
    const value = await this.serial(endpoint, async () => fn());
    await this.kick(endpoint);
    return value;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.chains.values()]),
      new Promise<void>((r) => { timer = setTimeout(r, 5000); }),
    ]);
    clearTimeout(timer);
  }

  /** Runs `fn` after everything queued for the endpoint: passes and actions never overlap. */
  private serial<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
    const before = this.chains.get(endpoint) ?? Promise.resolve();
    const run = before.then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.chains.set(endpoint, tail);
    void tail.then(() => { if (this.chains.get(endpoint) === tail) this.chains.delete(endpoint); });
    return run;
  }

  private schedule(endpoint: string, ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(endpoint));
    const timer = setTimeout(() => {
      this.timers.delete(endpoint);
      void this.kick(endpoint);
    }, ms);
    timer.unref();
    this.timers.set(endpoint, timer);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private entry(rollout: RolloutRecord, event: string, message: string, routing?: Routing): RolloutHistoryEntry {
    const e: RolloutHistoryEntry = { at: this.stamp(), event, step: rollout.status.step, message, by: CONTROLLER_PRINCIPAL };
    if (routing) { e.traffic = routing.traffic; e.mirror_traffic = routing.mirror_traffic; }
    return e;
  }

  /** Writes a new status with history entries appended (bounded: the first entry and the newest). */
  private write(rollout: RolloutRecord, status: Partial<RolloutStatus>, ...events: RolloutHistoryEntry[]): RolloutRecord {
    let history = [...rollout.status.history, ...events];
    if (history.length > HISTORY_KEEP) history = [history[0]!, ...history.slice(-(HISTORY_KEEP - 1))];
    return this.deps.store.updateRolloutStatus(rollout.id, { ...rollout.status, ...status, history });
  }

  private audit(rollout: RolloutRecord, target: string, status: number, code: string | null): void {
    try {
      this.deps.store.insertAudit({
        principal: `${CONTROLLER_PRINCIPAL} (on behalf of ${rollout.spec.started_by})`,
        role: rollout.spec.started_by_role,
        action: target.includes('/deployments/') ? 'onlineEndpoints/deployments/delete' : 'onlineEndpoints/write',
        target, status, outcome: status < 400 ? 'Succeeded' : 'Failed', code,
      });
    } catch (e) {
      this.deps.logger.error({ err: e, rollout: rollout.id }, 'could not write the audit log');
    }
  }

  /**
   * Applies routing through the endpoint service, audited as the controller on behalf of the starter.
   * Answers 'ok'; 'retry' when something passing is in the way (another operation); or the refusal
   * message when the endpoint's rules refuse it (trying again would not help).
   */
  private async applyRouting(rollout: RolloutRecord, routing: Routing): Promise<'ok' | 'retry' | { refused: string }> {
    const target = `endpoints/${rollout.endpoint}`;
    try {
      await this.deps.effects.updateRouting(rollout.endpoint, routing);
      this.audit(rollout, target, 202, null);
      return 'ok';
    } catch (e) {
      const code = isSwitchyardError(e) ? e.code : 'Internal';
      this.audit(rollout, target, isSwitchyardError(e) ? e.status : 500, code);
      if (isSwitchyardError(e) && e.status === 400) {
        this.deps.logger.warn({ err: e, endpoint: rollout.endpoint, rollout: rollout.id, routing }, 'the endpoint refused the rollout\'s traffic change');
        return { refused: `${e.code}: ${e.message}` };
      }
      this.deps.logger.warn({ err: e, endpoint: rollout.endpoint, rollout: rollout.id, routing }, 'rollout could not change the traffic; retrying');
      return 'retry';
    }
  }

  private readyDeployment(endpoint: string, name: string): boolean {
    const rec = this.deps.store.getDeployment(endpoint, name);
    if (!rec || rec.provisioning_state === 'Deleting') return false;
    return this.deps.backend.instances(endpoint, name).some((i) => i.state === 'Ready');
  }

  private async pass(endpoint: string): Promise<void> {
    const { store } = this.deps;
    const found = store.latestRollout(endpoint);
    const ep = store.getEndpoint(endpoint);
    if (!found || !ep || ep.provisioning_state === 'Deleting') return;
    let rollout = found;
    const { state } = rollout.status;
    if (state === 'Paused') {
      this.windows.delete(rollout.id);
      return;
    }
    if (!isActive(state)) {
      if (!rollout.status.applied) await this.settle(rollout);
      return;
    }

    // Progressing. The candidate must still be there to be judged.
    const { candidate } = rollout.spec;
    if (!store.getDeployment(endpoint, candidate)) {
      rollout = this.write(rollout, { state: 'Aborted', applied: false, reason: { message: `The candidate deployment ${candidate} was deleted.` } },
        this.entry(rollout, 'aborted', `The candidate deployment ${candidate} was deleted; the baseline gets its traffic back.`));
      await this.settle(rollout);
      return;
    }

    const steps = rollout.spec.policy.steps;
    const index = rollout.status.step;
    const step = steps[index]!;
    const routing = desiredRouting(rollout);
    if (!sameRouting(routing, { traffic: ep.spec.traffic, mirror_traffic: ep.spec.mirror_traffic })) {
      this.windows.delete(rollout.id);
      const applied = await this.applyRouting(rollout, routing);
      if (applied === 'retry') {
        this.schedule(endpoint, RETRY_MS);
        return;
      }
      if (applied !== 'ok') {
        const message = `The endpoint refused step ${index + 1} (${describeStep(step)}): ${applied.refused} Fix the endpoint, then \`rollout resume\`, or \`rollout abort\`.`;
        this.write(rollout, { state: 'Paused', reason: { message } }, this.entry(rollout, 'paused', message));
        return;
      }
      rollout = this.write(rollout, {}, this.entry(rollout, 'step', `Step ${index + 1} of ${steps.length} (${describeStep(step)}) in force: traffic ${describeMap(routing.traffic)}${Object.keys(routing.mirror_traffic).length ? `, mirror ${describeMap(routing.mirror_traffic)}` : ''}.`, routing));
    }

    const last = index === steps.length - 1;
    const durationMs = stepDurationMs(step);
    if (last && durationMs === 0) {
      rollout = this.write(rollout, { state: 'Succeeded', applied: false, reason: null }, this.entry(rollout, 'succeeded', `${candidate} has 100% of the traffic.`));
      await this.settle(rollout);
      return;
    }

    const interval = parseDuration('interval', rollout.spec.policy.interval);
    const baselineNames = Object.keys(rollout.spec.baseline);
    const involved = last ? [candidate] : [candidate, ...baselineNames];
    let window = this.windows.get(rollout.id);
    if (!window || window.step !== index) {
      // A window opens once every deployment it judges can answer (after a restart instances come back
      // first), and the gateway serves the routing in force.
      const notReady = involved.filter((d) => !this.readyDeployment(endpoint, d));
      if (notReady.length) {
        const since = this.waitingSince.get(rollout.id) ?? this.now().getTime();
        this.waitingSince.set(rollout.id, since);
        const waited = this.now().getTime() - since;
        if (waited >= Math.max(durationMs, interval, READY_GRACE_MS)) {
          this.waitingSince.delete(rollout.id);
          const message = `No ready instance of ${notReady.join(', ')} for ${Math.round(waited / 1000)}s on step ${index + 1} (${describeStep(step)}): the gates cannot judge it. Fix the deployment, then \`rollout resume\`, or \`rollout abort\`.`;
          this.write(rollout, { state: 'Paused', reason: { message } }, this.entry(rollout, 'paused', message));
          return;
        }
        this.schedule(endpoint, RETRY_MS);
        return;
      }
      this.waitingSince.delete(rollout.id);
      await this.deps.publisher.publish();
      const now = this.now().getTime();
      const agreementSince = this.deps.agreement && isShadowStep(step) ? this.deps.agreement.mark(endpoint) : null;
      this.windows.set(rollout.id, { rolloutId: rollout.id, step: index, base: await this.deps.gateway.figures(endpoint), startedAt: now, lastTick: now, agreementSince });
      this.schedule(endpoint, interval);
      return;
    }

    const figures = await this.deps.gateway.figures(endpoint);
    const nowMs = this.now().getTime();
    const shadow = isShadowStep(step);
    const w = gateWindow(window.base, figures, candidate, last ? [] : baselineNames, shadow);
    if (w === 'reset') {
      const agreementSince = this.deps.agreement && shadow ? this.deps.agreement.mark(endpoint) : null;
      this.windows.set(rollout.id, { ...window, base: figures, startedAt: nowMs, lastTick: nowMs, agreementSince });
      this.schedule(endpoint, interval);
      return;
    }
    const bakeMs = rollout.status.bake_ms + Math.max(0, nowMs - window.lastTick);
    window.lastTick = nowMs;
    const agreement = shadow && rollout.spec.policy.gates.min_agreement !== null
      ? (this.deps.agreement ? await this.deps.agreement.read(endpoint, candidate, window.agreementSince ?? new Date(window.startedAt)) : null)
      : undefined;
    const gates = evaluateGates({ policy: rollout.spec.policy, step, last, window: w, agreement });
    const windowInfo = {
      from: new Date(window.startedAt).toISOString(), to: new Date(nowMs).toISOString(),
      candidate_requests: w.candidate.requests, baseline_requests: w.baseline.requests,
    };
    const decision = decide(gates, bakeMs, durationMs, nowMs - window.startedAt);
    const evaluated = { bake_ms: bakeMs, gates, window: windowInfo, last_evaluated_at: new Date(nowMs).toISOString() };

    switch (decision.kind) {
      case 'wait':
        this.write(rollout, evaluated);
        this.schedule(endpoint, interval);
        return;
      case 'promote': {
        const next = index + 1;
        this.windows.delete(rollout.id);
        this.write(rollout, { ...evaluated, step: next, step_started_at: new Date(nowMs).toISOString(), bake_ms: 0 },
          this.entry(rollout, 'promoted', `Step ${index + 1} (${describeStep(step)}) passed its gates after ${Math.round(bakeMs / 1000)}s: ${summary(gates)}.`));
        // The next step goes in force right away, in the next pass.
        this.schedule(endpoint, 0);
        return;
      }
      case 'fail': {
        const g = decision.gate;
        const reason = {
          message: `Gate ${g.gate} failed on step ${index + 1} (${describeStep(step)}): value ${g.value} against threshold ${g.threshold} (${g.detail}) over ${windowInfo.from} to ${windowInfo.to}.`,
          gate: g.gate, value: g.value, threshold: g.threshold, window: windowInfo,
        };
        if (rollout.spec.policy.on_failure === 'pause') {
          this.windows.delete(rollout.id);
          this.write(rollout, { ...evaluated, state: 'Paused', reason }, this.entry(rollout, 'paused', `${reason.message} Paused (on_failure: pause).`));
          return;
        }
        rollout = this.write(rollout, { ...evaluated, state: 'RolledBack', applied: false, reason },
          this.entry(rollout, 'rolled_back', `${reason.message} Rolling back: the baseline gets 100% again; ${candidate} is kept for inspection.`));
        this.windows.delete(rollout.id);
        await this.settle(rollout);
        return;
      }
      case 'starved': {
        const g = decision.gate;
        const what = g.gate === 'min_agreement' ? 'not enough compared answers' : 'not enough requests';
        const reason = {
          message: `${what}: ${g.detail} (gate ${g.gate}, ${g.threshold} needed) after ${Math.round((nowMs - window.startedAt) / 1000)}s on step ${index + 1} (${describeStep(step)}); not promoting blind. Send traffic and run \`rollout resume\`, or \`rollout promote\` to go on without a verdict.`,
          gate: g.gate, value: g.value, threshold: g.threshold, window: windowInfo,
        };
        this.windows.delete(rollout.id);
        this.write(rollout, { ...evaluated, state: 'Paused', reason }, this.entry(rollout, 'paused', reason.message));
        return;
      }
    }
  }

  /** Puts a finished rollout's routing in force once (and deletes the baseline after a success, if asked). */
  private async settle(rollout: RolloutRecord): Promise<void> {
    const { store } = this.deps;
    const ep = store.getEndpoint(rollout.endpoint);
    if (!ep) return;
    let routing = desiredRouting(rollout);
    if (rollout.status.state !== 'Succeeded') {
      // A baseline deployment deleted meanwhile cannot take traffic back: the others share it.
      const present = Object.fromEntries(Object.entries(routing.traffic).filter(([d]) => store.getDeployment(rollout.endpoint, d)));
      routing = { traffic: scaleBaseline(present, 100), mirror_traffic: {} };
    }
    const events: RolloutHistoryEntry[] = [];
    if (!sameRouting(routing, { traffic: ep.spec.traffic, mirror_traffic: ep.spec.mirror_traffic })) {
      const applied = await this.applyRouting(rollout, routing);
      if (applied === 'retry') {
        this.schedule(rollout.endpoint, RETRY_MS);
        return;
      }
      events.push(applied === 'ok'
        ? this.entry(rollout, 'traffic', `Traffic ${describeMap(routing.traffic)}, no mirror.`, routing)
        : this.entry(rollout, 'traffic_refused', `The endpoint refused traffic ${describeMap(routing.traffic)}: ${applied.refused} Set the traffic by hand (online-endpoint update --traffic).`));
    }
    if (rollout.status.state === 'Succeeded' && rollout.spec.policy.delete_baseline_on_success) {
      for (const name of Object.keys(rollout.spec.baseline)) {
        if (name === rollout.spec.candidate || !store.getDeployment(rollout.endpoint, name)) continue;
        try {
          await this.deps.effects.deleteDeployment(rollout.endpoint, name);
          this.audit(rollout, `endpoints/${rollout.endpoint}/deployments/${name}`, 202, null);
          events.push(this.entry(rollout, 'baseline_deleted', `Deleting the baseline deployment ${name} (delete_baseline_on_success).`));
        } catch (e) {
          this.audit(rollout, `endpoints/${rollout.endpoint}/deployments/${name}`, isSwitchyardError(e) ? e.status : 500, isSwitchyardError(e) ? e.code : 'Internal');
          events.push(this.entry(rollout, 'baseline_kept', `Could not delete the baseline deployment ${name}: ${(e as Error).message}`));
        }
      }
    }
    this.write(store.getRolloutById(rollout.id) ?? rollout, { applied: true }, ...events);
  }
}

function summary(gates: readonly GateResult[]): string {
  return gates.filter((g) => g.verdict !== 'not_applicable').map((g) => `${g.gate}=${g.value ?? '-'}`).join(', ');
}
