import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dropZeros, refuseTrafficAtCreate, trafficView, validateMirror, validateTraffic,
} from '../../src/spec/traffic.js';
import type { ErrorCode } from '../../src/errors.js';
import { checkInput } from '../../src/spec/schema/check.js';
import { EndpointPatch } from '../../src/spec/schema/endpoint.js';

const code = (c: ErrorCode) => (e: any) => { assert.equal(e.code, c, e.message); return true; };
const deps = ['blue', 'green'];

describe('traffic maps (schema/endpoint.ts)', () => {
  it('reads integer percentages 0..100', () => {
    assert.doesNotThrow(() => checkInput(EndpointPatch, { traffic: { blue: 90, green: 10, red: 0 } }));
  });
  for (const bad of [101, -1, 2.5, '50', null, true]) {
    it(`refuses ${JSON.stringify(bad)} naming the entry`, () => {
      assert.throws(() => checkInput(EndpointPatch, { traffic: { blue: bad } }), (e: any) => {
        assert.equal(e.code, 'InvalidValue');
        assert.match(e.message, /traffic\.blue must be an integer from 0 to 100/);
        return true;
      });
    });
  }
  it('refuses a non-map', () => {
    assert.throws(() => checkInput(EndpointPatch, { mirror_traffic: 'green=10' }), code('InvalidValue'));
    assert.throws(() => checkInput(EndpointPatch, { mirror_traffic: [10] }), code('InvalidValue'));
  });
});

describe('validateTraffic', () => {
  const ok: Array<[Record<string, number>, Record<string, number>]> = [
    [{}, {}],
    [{ blue: 100 }, { blue: 100 }],
    [{ blue: 90, green: 10 }, { blue: 90, green: 10 }],
    [{ blue: 0, green: 100 }, { green: 100 }],
    [{ blue: 0, green: 0 }, {}],
  ];
  for (const [given, stored] of ok) {
    it(`accepts ${JSON.stringify(given)} and stores ${JSON.stringify(stored)}`, () => {
      assert.deepEqual(validateTraffic(given, 'e', deps), stored);
    });
  }
  it('refuses a sum other than 0 or 100, showing the sum', () => {
    assert.throws(() => validateTraffic({ blue: 90, green: 20 }, 'e', deps), (e: any) => {
      assert.equal(e.code, 'TrafficSumInvalid');
      assert.match(e.message, /blue=90 green=20 adds up to 110/);
      return true;
    });
    assert.throws(() => validateTraffic({ blue: 50 }, 'e', deps), code('TrafficSumInvalid'));
  });
  it('refuses deployments that do not exist, listing those that do', () => {
    assert.throws(() => validateTraffic({ red: 100 }, 'e', deps), (e: any) => {
      assert.equal(e.code, 'TrafficUnknownDeployment');
      assert.match(e.message, /"red".*endpoint "e".*blue, green/);
      return true;
    });
    assert.throws(() => validateTraffic({ red: 0, blue: 100 }, 'e', deps), code('TrafficUnknownDeployment'));
    assert.throws(() => validateTraffic({ blue: 100 }, 'e', []), /none yet/);
  });
});

describe('validateMirror', () => {
  it('accepts one deployment up to 50 percent without live traffic', () => {
    assert.deepEqual(validateMirror({ green: 10 }, { blue: 100 }, 'e', deps), { green: 10 });
    assert.deepEqual(validateMirror({ green: 50 }, { blue: 100 }, 'e', deps), { green: 50 });
    assert.deepEqual(validateMirror({ green: 0 }, { blue: 100 }, 'e', deps), {});
    assert.deepEqual(validateMirror({ green: 0, blue: 0 }, {}, 'e', deps), {});
    assert.deepEqual(validateMirror({}, {}, 'e', deps), {});
  });
  it('refuses more than one deployment', () => {
    assert.throws(() => validateMirror({ blue: 10, green: 10 }, {}, 'e', deps), (e: any) => {
      assert.equal(e.code, 'MirrorInvalid');
      assert.match(e.message, /at most one deployment/);
      return true;
    });
  });
  it('refuses more than 50 percent', () => {
    assert.throws(() => validateMirror({ green: 51 }, { blue: 100 }, 'e', deps), (e: any) => {
      assert.equal(e.code, 'MirrorInvalid');
      assert.match(e.message, /51.*at most 50/);
      return true;
    });
  });
  it('refuses a deployment that has live traffic', () => {
    assert.throws(() => validateMirror({ green: 10 }, { blue: 90, green: 10 }, 'e', deps), (e: any) => {
      assert.equal(e.code, 'MirrorHasLiveTraffic');
      assert.match(e.message, /"green" would have 10% live traffic and 10% mirror traffic at once.*--mirror-traffic "green=0"/);
      return true;
    });
  });
  it('refuses unknown deployments', () => {
    assert.throws(() => validateMirror({ red: 10 }, {}, 'e', deps), code('TrafficUnknownDeployment'));
  });
});

describe('traffic at endpoint create', () => {
  it('allows empty or all-zero maps', () => {
    refuseTrafficAtCreate({}, {});
    refuseTrafficAtCreate({ blue: 0 }, { green: 0 });
  });
  it('refuses positive traffic or mirror', () => {
    assert.throws(() => refuseTrafficAtCreate({ blue: 100 }, {}), (e: any) => {
      assert.equal(e.code, 'TrafficNotAllowedAtCreate');
      assert.match(e.message, /blue=100/);
      assert.match(e.message, /--traffic/);
      return true;
    });
    assert.throws(() => refuseTrafficAtCreate({}, { green: 10 }), /--mirror-traffic/);
  });
});

describe('trafficView and dropZeros', () => {
  it('fills 0 for deployments with neither live nor mirror traffic', () => {
    assert.deepEqual(trafficView({ blue: 100 }, {}, ['blue', 'green']), { blue: 100, green: 0 });
    assert.deepEqual(trafficView({ blue: 100 }, { green: 10 }, ['blue', 'green']), { blue: 100 });
    assert.deepEqual(trafficView({}, {}, ['blue']), { blue: 0 });
    assert.deepEqual(trafficView({}, {}, []), {});
  });
  it('drops zero entries', () => {
    assert.deepEqual(dropZeros({ a: 0, b: 10, c: 0 }), { b: 10 });
  });
});
