// The web console's pure logic: the traffic editor's checks and the PATCH it sends, the Monitoring
// page's rates, the sample input out of a swagger.json, the page routes and per-instance log lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDraft, draftOf } from '../../src/console/traffic-draft.js';
import { latestAndPeak, sampleOf, seriesOf, statusClass } from '../../src/console/metrics-series.js';
import { sampleFromSwagger } from '../../src/console/swagger-sample.js';
import { hrefOf, parseRoute } from '../../src/console/route.js';
import { linesOfInstance } from '../../src/console/log-lines.js';
import { actionsFor, durationMs, stepLabel } from '../../src/console/rollout-steps.js';
import { addAgreementPoints, agreementChart, formatShare } from '../../src/console/comparison-series.js';

describe('traffic editor rules', () => {
  const deps = ['blue', 'green'];
  const current = { traffic: { blue: 100 }, mirror: {} };
  const check = (live: Record<string, string>, mirror: Record<string, string> = { blue: '0', green: '0' }) => checkDraft('ep', deps, current, { live, mirror });

  it('starts from the stored split with no change to send', () => {
    const draft = draftOf(deps, { blue: 100 }, { green: 10 });
    assert.deepEqual(draft, { live: { blue: '100', green: '0' }, mirror: { blue: '0', green: '10' }, shadow: { blue: '0', green: '0' } });
    assert.deepEqual(checkDraft('ep', deps, current, draftOf(deps, current.traffic, current.mirror)), { errors: [], liveTotal: 100, patch: null });
  });

  it('sends only the maps that change, each whole', () => {
    assert.deepEqual(check({ blue: '90', green: '10' }).patch, { traffic: { blue: 90, green: 10 } });
    assert.deepEqual(check({ blue: '100', green: '' }, { blue: '0', green: '20' }).patch, { mirror_traffic: { blue: 0, green: 20 } });
    assert.deepEqual(check({ blue: '0', green: '0' }).patch, { traffic: { blue: 0, green: 0 } });
  });

  it('refuses what the server refuses, with its messages', () => {
    const sum = check({ blue: '80', green: '0' });
    assert.equal(sum.patch, null);
    assert.equal(sum.liveTotal, 80);
    assert.match(sum.errors.join(' '), /must add up to 0 or 100; blue=80 green=0 adds up to 80/);
    assert.match(check({ blue: '100', green: '0' }, { blue: '0', green: '51' }).errors.join(' '), /at most 50 percent/);
    assert.match(check({ blue: '90', green: '10' }, { blue: '0', green: '10' }).errors.join(' '), /cannot have both/);
    assert.match(check({ blue: '50', green: '50' }, { blue: '10', green: '10' }).errors.join(' '), /at most one deployment/);
  });

  it('edits shadows (extension): any number, live deployments allowed, never also mirrored', () => {
    const live = { blue: '100', green: '0' };
    const noMirror = { blue: '0', green: '0' };
    const shadows = (shadow: Record<string, string>, mirror = noMirror) => checkDraft('ep', deps, current, { live, mirror, shadow });
    assert.equal(shadows({ blue: '0', green: '0' }).patch, null);
    assert.deepEqual(shadows({ blue: '20', green: '100' }).patch, { shadow_traffic: { blue: 20, green: 100 } });
    assert.match(shadows({ blue: '0', green: '10' }, { blue: '0', green: '10' }).errors.join(' '), /both mirror_traffic .* and shadow_traffic/);
    assert.match(shadows({ blue: '0', green: '101' }).errors.join(' '), /Shadow traffic of green must be a whole number/);
  });

  it('refuses what is not a whole percentage', () => {
    for (const bad of ['-5', '1.5', '101', 'ten', '1e2']) {
      const r = check({ blue: bad, green: '0' });
      assert.equal(r.patch, null, bad);
      assert.match(r.errors[0]!, /whole number from 0 to 100/, bad);
    }
  });
});

describe('monitoring series', () => {
  const at = (t: number, ok: number, bad: number, extra: Record<string, unknown> = {}) =>
    sampleOf({ requests: ok + bad, byStatus: { 200: ok, 503: bad }, p50Ms: 2, p99Ms: 9, readyInstances: 2, mirror: { sent: ok, dropped: 1 }, ...extra }, t);

  it('turns counters into rates per second, from the second sample on', () => {
    const s = seriesOf([at(0, 0, 0), at(2, 10, 4), at(4, 30, 4)]);
    assert.deepEqual(s.requestsPerSecond, [[0, 2, 4], [null, 5, 10], [null, 0, 0], [null, 2, 0], [null, 0, 0]]);
    assert.deepEqual(s.mirror, [[0, 2, 4], [null, 5, 10], [null, 0, 0]]);
    assert.deepEqual(s.latency, [[0, 2, 4], [2, 2, 2], [9, 9, 9]]);
    assert.deepEqual(s.ready, [[0, 2, 4], [2, 2, 2]]);
    assert.deepEqual(latestAndPeak(s.requestsPerSecond[1]), { latest: 10, peak: 10 });
    assert.deepEqual(latestAndPeak([null]), { latest: null, peak: null });
  });

  it('counts from zero after a restart and reads a broken answer as zeros', () => {
    const s = seriesOf([at(0, 100, 0), at(1, 5, 0)]);
    assert.equal(s.requestsPerSecond[1][1], 0);
    const empty = sampleOf('nonsense', 3);
    assert.equal(empty.requests, 0);
    assert.equal(empty.p50Ms, null);
    assert.deepEqual(empty.byStatus, {});
  });

  it('groups statuses in classes (499 and 0 are "other")', () => {
    assert.deepEqual(['200', '204', '404', '429', '499', '500', '0', '302'].map(statusClass), ['2xx', '2xx', '4xx', '4xx', 'other', '5xx', 'other', 'other']);
  });
});

describe('sample input from swagger.json', () => {
  it('reads an OpenAPI 3 request example, or inference-schema\'s ServiceInput example', () => {
    const v3 = { paths: { '/score': { post: { requestBody: { content: { 'application/json': { example: { data: [[1, 2]] } } } } } } } };
    assert.equal(sampleFromSwagger(v3), JSON.stringify({ data: [[1, 2]] }, null, 2));
    const v3schema = { paths: { '/score': { post: { requestBody: { content: { 'application/json': { schema: { example: { x: 1 } } } } } } } } };
    assert.equal(sampleFromSwagger(v3schema), JSON.stringify({ x: 1 }, null, 2));
    const v2 = { swagger: '2.0', paths: { '/score': { post: { parameters: [{ name: 'Inputs', in: 'body', schema: { $ref: '#/definitions/ServiceInput' } }] } } }, definitions: { ServiceInput: { example: { data: [[3]] } } } };
    assert.equal(sampleFromSwagger(v2), JSON.stringify({ data: [[3]] }, null, 2));
    assert.equal(sampleFromSwagger({ paths: { '/score': { post: {} } } }), null);
    assert.equal(sampleFromSwagger('not a document'), null);
  });
});

describe('console routes and logs', () => {
  it('parses and makes page addresses', () => {
    assert.deepEqual(parseRoute(''), { page: 'endpoints' });
    assert.deepEqual(parseRoute('#/endpoints/my-ep'), { page: 'endpoint', name: 'my-ep', tab: 'details' });
    assert.deepEqual(parseRoute('#/endpoints/my-ep/logs'), { page: 'endpoint', name: 'my-ep', tab: 'logs' });
    assert.equal(parseRoute('#/endpoints/my-ep/nope').page, 'not-found');
    assert.deepEqual(parseRoute('#/audit'), { page: 'audit' });
    assert.equal(hrefOf({ page: 'endpoint', name: 'a b', tab: 'test' }), '#/endpoints/a%20b/test');
    assert.deepEqual(parseRoute(hrefOf({ page: 'endpoint', name: 'a b', tab: 'test' })), { page: 'endpoint', name: 'a b', tab: 'test' });
  });

  it('keeps one instance\'s lines, without their prefix', () => {
    const merged = '[blue-0] init\n[blue-1] init\n[blue-0] request\n';
    assert.equal(linesOfInstance(merged, 'blue-0'), 'init\nrequest');
    assert.equal(linesOfInstance(merged, ''), merged);
  });
});

describe('comparison over time', () => {
  it('keeps one point per poll and shadow, in percent, bounded', () => {
    const history = new Map();
    const shadow = (agreement: number | null, pairs: number) => ({ deployment: 'green', agreement, status_agreement: agreement === null ? null : 1, pairs }) as any;
    addAgreementPoints(history, 10, [shadow(0.995, 200)], 2);
    addAgreementPoints(history, 15, [shadow(null, 0)], 2);
    addAgreementPoints(history, 20, [shadow(1, 50)], 2);
    assert.deepEqual(agreementChart(history.get('green')), [[15, 20], [null, 100], [null, 100]]);
    assert.deepEqual([formatShare(1), formatShare(0.995), formatShare(0.5), formatShare(null)], ['100%', '99.50%', '50.0%', '—']);
  });
});

describe('rollout steps', () => {
  it('says a step in words, reads durations and offers the actions the state allows', () => {
    assert.equal(stepLabel({ shadow: 20, duration: '5m' }), 'shadow 20% for 5m');
    assert.equal(stepLabel({ traffic: 100 }), 'traffic 100%');
    assert.deepEqual(['500ms', '30s', '5m', '1h', '', 'x', undefined].map(durationMs), [500, 30_000, 300_000, 3_600_000, null, null, null]);
    assert.deepEqual(actionsFor('Progressing'), ['pause', 'promote', 'abort']);
    assert.deepEqual(actionsFor('Paused'), ['resume', 'promote', 'abort']);
    assert.deepEqual(actionsFor('Succeeded'), []);
    assert.deepEqual(actionsFor('RolledBack'), []);
  });
});
