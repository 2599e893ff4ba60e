// The comparison resource over real HTTP (control plane on an ephemeral port, real SQLite): figures for
// every role, samples only for Contributor and above, names checked, Prometheus figures, and the CLI's
// `online-endpoint compare` (json and table) against the same server. The comparer is fed pairs the
// way the gateway's worker hands them over (the FakeGateway has no data path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/command.js';
import type { PairRecord } from '../../src/gateway/protocol.js';
import { removeDir, startHarness, type Harness } from './control-harness.js';

let h: Harness;
const tokens: Record<string, string> = {};
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function pair(i: number, shadowY: number): PairRecord {
  return {
    endpoint: 'cmp', live: 'blue', shadow: 'green', kind: 'mirror', requestId: `req-${i}`, at: Date.now(),
    request: bytes(JSON.stringify({ x: i })), requestBytes: 9, liveStatus: 200, liveMs: 2, liveBody: bytes('{"y":1}'),
    shadowStatus: 200, shadowMs: 3, shadowError: null, shadowBody: bytes(JSON.stringify({ y: shadowY })),
  };
}

before(async () => {
  h = await startHarness();
  for (const role of ['Contributor', 'Reader']) {
    const r = await h.call('POST', '/api/v1/tokens', { name: `t-${role}`, role });
    assert.equal(r.status, 201, r.text);
    tokens[role] = r.body.token;
  }
  assert.equal((await h.call('POST', '/api/v1/endpoints', { name: 'cmp' })).status, 202);
  h.plane.comparer.ingest([pair(1, 1), pair(2, 1), pair(3, 7)], [{ endpoint: 'cmp', shadow: 'green', reason: 'lane_full', n: 2 }]);
});

after(async () => {
  await h.close();
  removeDir(h.dataDir);
});

const get = (path: string, token = h.token) => h.call('GET', path, undefined, { authorization: `Bearer ${token}` });

test('figures for every role; samples only for Contributor and above', async () => {
  for (const token of [h.token, tokens.Contributor!]) {
    const r = await get('/api/v1/endpoints/cmp/comparison', token);
    assert.equal(r.status, 200, r.text);
    const [s] = r.body.shadows;
    assert.equal(s.deployment, 'green');
    assert.equal(s.pairs, 3);
    assert.equal(s.agreement, 2 / 3);
    assert.equal(s.dropped, 2);
    assert.equal(s.samples.length, 1);
    assert.equal(s.samples[0].request_id, 'req-3');
    assert.deepEqual(s.samples[0].difference, { path: '$.y', live: 1, shadow: 7, count: 1 });
  }
  const reader = await get('/api/v1/endpoints/cmp/comparison', tokens.Reader!);
  assert.equal(reader.status, 200);
  assert.equal(reader.body.shadows[0].pairs, 3);
  assert.deepEqual(reader.body.shadows[0].samples, []);
  assert.equal(reader.body.shadows[0].samples_withheld, true);
  assert.equal((await get('/api/v1/endpoints/cmp/comparison/samples', tokens.Reader!)).status, 403);
  const samples = await get('/api/v1/endpoints/cmp/comparison/samples', tokens.Contributor!);
  assert.equal(samples.body.shadows[0].samples[0].request, '{"x":3}');
});

test('unknown names, bad times, windows', async () => {
  assert.equal((await get('/api/v1/endpoints/nope/comparison')).body.error.code, 'EndpointNotFound');
  assert.equal((await get('/api/v1/endpoints/cmp/comparison?deployment=nope')).body.error.code, 'DeploymentNotFound');
  assert.equal((await get('/api/v1/endpoints/cmp/comparison?since=yesterday')).status, 400);
  const later = new Date(Date.now() + 60_000).toISOString();
  const empty = (await get(`/api/v1/endpoints/cmp/comparison?since=${encodeURIComponent(later)}`)).body.shadows;
  assert.deepEqual([empty[0].deployment, empty[0].pairs, empty[0].agreement], ['green', 0, null]);
});

test('Prometheus figures of the comparer at /metrics', async () => {
  const text = (await h.call('GET', '/metrics')).text;
  assert.match(text, /switchyard_shadow_pairs_total\{endpoint="cmp",deployment="green"\} 3/);
  assert.match(text, /switchyard_shadow_agreements_total\{endpoint="cmp",deployment="green"\} 2/);
  assert.match(text, /switchyard_shadow_dropped_total\{endpoint="cmp",deployment="green",reason="lane_full"\} 2/);
  assert.match(text, /switchyard_shadow_abs_diff_bucket\{endpoint="cmp",deployment="green",le="10"\} 3/);
});

test('CLI: online-endpoint compare, -o json (the contract names) and -o table', async () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: false, prompt: async () => '' };
    const code = await runCli(argv, { io, env: { SWITCHYARD_URL: h.url, SWITCHYARD_TOKEN: h.token }, cwd: h.dataDir, home: h.dataDir, version: 't' });
    return { code, out: out.join(''), err: err.join('') };
  };
  const json = await run(['online-endpoint', 'compare', '--name', 'cmp']);
  assert.equal(json.code, 0, json.err);
  const doc = JSON.parse(json.out);
  const s = doc.shadows[0];
  for (const k of ['deployment', 'pairs', 'agreement', 'status_agreement', 'abs_diff', 'latency_ms', 'shadow_errors', 'dropped', 'samples']) assert.ok(k in s, k);
  for (const k of ['mean', 'p50', 'p99', 'max']) assert.ok(k in s.abs_diff, k);
  for (const k of ['live_p50', 'live_p99', 'shadow_p50', 'shadow_p99']) assert.ok(k in s.latency_ms, k);
  const table = await run(['online-endpoint', 'compare', '--name', 'cmp', '-o', 'table']);
  assert.equal(table.code, 0, table.err);
  const lines = table.out.trim().split('\n');
  assert.match(lines[0]!, /Agreement/);
  assert.match(lines[2]!, /green/);
  assert.match(lines[2]!, /66\.67%/);
  const missing = await run(['online-endpoint', 'compare', '--name', 'nope']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /Endpoint 'nope' does not exist/);
});
