// The rollout controller and service through the control API, with a FakeBackend and a FakeGateway
// whose figures the test writes (fast and exact, no instances): steering a rollout by hand (pause,
// manual traffic while paused, resume puts the step back, promote), the guards while it runs, a gate
// failing with on_failure: pause, and refusals of actions a state does not allow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, removeDir, eventually, type Harness } from './control-harness.js';
import { folderArchive } from './control-archives.js';
import type { EndpointFigures } from '../../src/gateway/rollout-figures.js';

let h: Harness;
const E = 'rc-ep';

async function waitOp(id: string) {
  return (await h.call('GET', `/api/v1/operations/${id}?wait=10`)).body;
}
const endpoint = async () => (await h.call('GET', `/api/v1/endpoints/${E}`)).body;
const rollout = async () => (await h.call('GET', `/api/v1/endpoints/${E}/rollout`)).body;
const act = (action: string) => h.call('POST', `/api/v1/endpoints/${E}/rollout/${action}`);
const live = (ep: any) => Object.fromEntries(Object.entries(ep.traffic).filter(([, p]) => (p as number) > 0));

before(async () => {
  h = await startHarness();
  const code = await fetch(`${h.url}/api/v1/artifacts?kind=dir&name=code`, {
    method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' },
    body: new Uint8Array(await folderArchive({ 'score.py': 'def init(): pass\ndef run(d): return d\n' })),
  });
  const digest = ((await code.json()) as any).digest;
  assert.equal((await h.call('POST', '/api/v1/endpoints', { name: E })).status, 202);
  for (const name of ['blue', 'green']) {
    const r = await h.call('POST', `/api/v1/endpoints/${E}/deployments`, {
      name, code_configuration: { code: digest, scoring_script: 'score.py' }, environment: { image: 'python:3.11' },
      instance_type: 'Standard_DS3_v2', instance_count: 1,
    });
    assert.equal(r.status, 202, r.text);
    assert.equal((await waitOp(r.body.operation.id)).status, 'Succeeded');
  }
  const t = await h.call('PATCH', `/api/v1/endpoints/${E}`, { traffic: { blue: 100 } });
  await waitOp(t.body.operation.id);
});

after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

describe('rollout steering through the API', () => {
  it('pause, manual traffic while paused, resume puts the step back, promote to the end', async () => {
    const started = await h.call('POST', `/api/v1/endpoints/${E}/rollout`, {
      candidate: 'green', policy: { steps: [{ shadow: 10, duration: '1h' }, { traffic: 50, duration: '1h' }, { traffic: 100 }], interval: '200ms' },
    });
    assert.equal(started.status, 201, started.text);
    assert.deepEqual(started.body.routing, { traffic: { blue: 100 }, mirror_traffic: { green: 10 } });
    assert.equal(started.body.current_step, '1 of 3: shadow 10% for 1h');
    assert.deepEqual(started.body.spec.policy.steps, [{ shadow: 10, duration: '1h' }, { traffic: 50, duration: '1h' }, { traffic: 100 }]);
    assert.deepEqual(started.body.spec.policy.gates, { max_error_rate: 0.01, max_latency_p99_ratio: 1.5, min_agreement: null, min_requests: 100, latency_mann_whitney: null });
    assert.deepEqual((await endpoint()).mirror_traffic, { green: 10 }, 'the first step is in force when start answers');

    // While it runs: no manual traffic, no deleting the deployments it moves traffic between.
    assert.equal((await h.call('PATCH', `/api/v1/endpoints/${E}`, { mirror_traffic: { green: 0 } })).body.error.code, 'RolloutInProgress');
    assert.equal((await h.call('DELETE', `/api/v1/endpoints/${E}/deployments/green`)).body.error.code, 'RolloutInProgress');
    assert.equal((await h.call('PATCH', `/api/v1/endpoints/${E}/deployments/green`, { instance_count: 2 })).body.error.code, 'RolloutInProgress');
    // Other changes go through: the endpoint's description, scaling the baseline.
    const scaled = await h.call('PATCH', `/api/v1/endpoints/${E}/deployments/blue`, { instance_count: 2 });
    assert.equal(scaled.status, 202, scaled.text);
    await waitOp(scaled.body.operation.id);
    assert.equal((await h.call('PATCH', `/api/v1/endpoints/${E}`, { description: 'rolling' })).status, 202);

    const paused = await act('pause');
    assert.equal(paused.body.status.state, 'Paused');
    assert.equal((await act('pause')).body.error.code, 'RolloutNotActive');
    const manual = await h.call('PATCH', `/api/v1/endpoints/${E}`, { mirror_traffic: { green: 0 } });
    assert.equal(manual.status, 202, 'a paused rollout lets the user change traffic');
    await waitOp(manual.body.operation.id);
    assert.deepEqual((await endpoint()).mirror_traffic, {});

    const resumed = await act('resume');
    assert.equal(resumed.body.status.state, 'Progressing');
    await eventually(async () => JSON.stringify((await endpoint()).mirror_traffic) === '{"green":10}', 5000);

    const promoted = await act('promote');
    assert.equal(promoted.body.status.step, 1);
    await eventually(async () => JSON.stringify(live(await endpoint())) === '{"blue":50,"green":50}', 5000);
    assert.deepEqual((await endpoint()).mirror_traffic, {});
    await act('promote');
    const done = await rollout();
    assert.equal(done.status.state, 'Succeeded');
    assert.deepEqual(live(await endpoint()), { green: 100 });
    assert.equal((await act('resume')).body.error.code, 'RolloutNotActive');
    assert.deepEqual(done.status.history.map((e: any) => e.event), ['started', 'step', 'paused', 'resumed', 'step', 'promoted', 'step', 'promoted', 'step', 'succeeded']);
    assert.deepEqual(done.status.history.filter((e: any) => e.event === 'paused' || e.event === 'promoted').map((e: any) => e.by), ['admin', 'admin', 'admin']);
    // A Reader may look but not steer.
    const reader = await h.call('POST', '/api/v1/tokens', { name: 'viewer', role: 'Reader' });
    const asReader = (method: string, path: string) => fetch(h.url + path, { method, headers: { authorization: `Bearer ${reader.body.token}` } });
    assert.equal((await asReader('GET', `/api/v1/endpoints/${E}/rollout`)).status, 200);
    assert.equal((await asReader('GET', '/api/v1/rollouts')).status, 200);
    assert.equal((await asReader('POST', `/api/v1/endpoints/${E}/rollout/abort`)).status, 403);
  });

  it('on_failure: pause keeps the traffic and says which gate failed; abort then restores the baseline', async () => {
    const fig = (green: number, greenErrors: number, blue: number): EndpointFigures => ({
      epoch: 'e1',
      deployments: {
        blue: { live: { by_status: { 200: green }, samples_total: green, samples: Array(Math.min(green, 50)).fill(0.01) }, mirror: { by_status: {}, samples_total: 0, samples: [] } },
        green: { live: { by_status: { 200: blue, 500: greenErrors }, samples_total: blue, samples: Array(Math.min(blue, 50)).fill(0.01) }, mirror: { by_status: {}, samples_total: 0, samples: [] } },
      },
    });
    // green is live now; blue is the candidate. Its figures appear under 'blue' (the candidate).
    h.gateway.figuresByEndpoint[E] = fig(0, 0, 0);
    const started = await h.call('POST', `/api/v1/endpoints/${E}/rollout`, {
      candidate: 'blue', policy: { steps: [{ traffic: 20, duration: '1h' }, { traffic: 100 }], gates: { min_requests: 10, max_error_rate: 0.1 }, interval: '200ms', on_failure: 'pause' },
    });
    assert.equal(started.status, 201, started.text);
    await eventually(async () => (await rollout()).status.last_evaluated_at !== null, 5000);
    // The candidate (blue) answers 40 with 20 errors; the baseline (green) 40.
    h.gateway.figuresByEndpoint[E] = {
      epoch: 'e1',
      deployments: {
        blue: { live: { by_status: { 200: 20, 503: 20 }, samples_total: 40, samples: Array(40).fill(0.01) }, mirror: { by_status: {}, samples_total: 0, samples: [] } },
        green: { live: { by_status: { 200: 40 }, samples_total: 40, samples: Array(40).fill(0.01) }, mirror: { by_status: {}, samples_total: 0, samples: [] } },
      },
    };
    await eventually(async () => (await rollout()).status.state === 'Paused', 5000);
    const r = await rollout();
    assert.equal(r.status.reason.gate, 'max_error_rate');
    assert.equal(r.status.reason.value, 0.5);
    assert.equal(r.status.reason.window.candidate_requests, 40);
    assert.match(r.status.reason.message, /Paused \(on_failure: pause\)|max_error_rate failed/);
    assert.deepEqual(live(await endpoint()), { blue: 20, green: 80 }, 'pause keeps the step\'s traffic');
    assert.equal((await act('abort')).body.status.state, 'Aborted');
    await eventually(async () => JSON.stringify(live(await endpoint())) === '{"green":100}', 5000);
    const list = (await h.call('GET', '/api/v1/rollouts')).body.value;
    assert.deepEqual(list.map((x: any) => [x.spec.candidate, x.status.state]), [['blue', 'Aborted'], ['green', 'Succeeded']]);
    const metrics = (await h.call('GET', '/metrics')).text;
    assert.match(metrics, /switchyard_rollout_state\{endpoint="rc-ep",candidate="blue",state="Aborted"\} 1/);
    assert.match(metrics, /switchyard_rollout_gate_verdict\{endpoint="rc-ep",candidate="blue",gate="max_error_rate",verdict="fail"\} 1/);
  });
});
