// Issue 10, findings 1 and 2, attacked as an adversary would: a real server (serve(), the gateway in its
// worker, LocalBackend), and deployments whose code is hostile (a score.py, a Node module and a custom
// `command:` server) tries to read the server's secrets, another deployment's files and /root, and
// reports through its answer what it got. A direct call to an instance without the gateway's secret
// is refused. Then a server that cannot isolate (forced with instanceUser 'none') reserves deploying
// code to Owner. Run as root (as CI does), instances run as the unprivileged instance user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type RunningServer } from '../../src/server/serve.js';
import { silentLogger } from '../../src/logger.js';
import { canSwitchUsers, lookupUser, DEFAULT_INSTANCE_USER } from '../../src/runtime/local/instance-user.js';
import { folderArchive } from './control-archives.js';
import { removeDir, tempDataDir } from './control-harness.js';

const fixtures = fileURLToPath(new URL('../fixtures/isolation/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const PROBES = { initial_delay: 0, period: 1 };
const IMAGE = 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest';

interface Probe {
  read: Record<string, string>;
  list: Record<string, string>;
  write: Record<string, string>;
  uid: number;
  gid: number;
  groups: number[];
  env: string[];
  home: string;
  tmp: string;
  gateway_secret_presented?: boolean;
}

/** A server, its admin token and small REST helpers. */
class Server {
  token = '';
  constructor(readonly running: RunningServer) {
    this.token = readFileSync(join(running.dataDir, 'admin-token'), 'utf8').trim();
  }

  async api(method: string, path: string, body?: unknown, options: { token?: string; raw?: Buffer } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? this.token}` };
    let payload: BodyInit | undefined;
    if (options.raw) { headers['content-type'] = 'application/gzip'; payload = new Uint8Array(options.raw); }
    else if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
    const res = await fetch(this.running.controlUrl + path, { method, headers, ...(payload ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: any = text;
    try { parsed = JSON.parse(text); } catch { /* text */ }
    return { status: res.status, body: parsed, text };
  }

  async waitOp(id: string) {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const r = await this.api('GET', `/api/v1/operations/${id}?wait=10`);
      if (r.body.status !== 'Running' || Date.now() > deadline) return r.body;
    }
  }

  async upload(files: Record<string, string>): Promise<string> {
    const up = await this.api('POST', '/api/v1/artifacts?kind=dir&name=code', undefined, { raw: await folderArchive(files) });
    assert.equal(up.status, 201, up.text);
    return up.body.digest as string;
  }

  /** Creates a deployment and waits for it; the deployment's spec is `body` plus probes. */
  async deploy(endpoint: string, body: Record<string, unknown>, token?: string) {
    const r = await this.api('POST', `/api/v1/endpoints/${endpoint}/deployments`, { instance_type: 'Standard_DS3_v2', instance_count: 1, readiness_probe: PROBES, liveness_probe: PROBES, ...body }, token ? { token } : {});
    if (token && r.status !== 202) return r;
    assert.equal(r.status, 202, r.text);
    const op = await this.waitOp(r.body.operation.id);
    if (op.status !== 'Succeeded') {
      const logs = await this.api('GET', `/api/v1/endpoints/${endpoint}/deployments/${body.name}/logs?lines=60`);
      assert.fail(`deployment ${String(body.name)} failed: ${JSON.stringify(op)}\n${logs.text}`);
    }
    return r;
  }

  async instanceUrl(endpoint: string, deployment: string): Promise<string> {
    const shown = (await this.api('GET', `/api/v1/endpoints/${endpoint}/deployments/${deployment}`)).body;
    assert.equal(shown.instances[0].state, 'Ready');
    assert.equal(JSON.stringify(shown).includes('secret'), false, 'the API never shows an instance secret');
    return shown.instances[0].url as string;
  }

  /** Scores through the gateway, at one deployment. */
  async probe(endpoint: string, key: string, deployment: string, asked: { read?: string[]; list?: string[]; write?: string[] }): Promise<Probe> {
    const res = await fetch(`${this.running.gatewayUrl}/endpoints/${endpoint}/score`, {
      method: 'POST', body: JSON.stringify(asked),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'azureml-model-deployment': deployment },
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as Probe;
  }
}

const root = canSwitchUsers();
const instanceUser = lookupUser(DEFAULT_INSTANCE_USER);

describe('instances are isolated from the server and from each other', { timeout: 300_000, skip: !(root && instanceUser) && 'needs root and the instance user (scripts/instance-user.sh)' }, () => {
  let dataDir: string;
  let s: Server;
  let key: string;
  const leaked = 'must-not-reach-instances';

  before(async () => {
    process.env.SWITCHYARD_LEAK_CANARY = leaked;
    process.env.LEAKY_CLOUD_SECRET = leaked;
    dataDir = tempDataDir();
    s = new Server(await serve({ port: 0, gatewayPort: 0, dataDir, logger: silentLogger(), handleSignals: false }));
    delete process.env.SWITCHYARD_LEAK_CANARY;
    delete process.env.LEAKY_CLOUD_SECRET;
    assert.equal(s.running.isolation.isolated, true);

    const code = await s.upload({ 'score.py': fixture('score.py'), 'probe.py': fixture('probe.py'), 'score.mjs': fixture('score.mjs'), 'server.py': fixture('server.py') });
    const made = await s.api('POST', '/api/v1/endpoints', { name: 'attack' });
    assert.equal(made.status, 202, made.text);
    assert.equal((await s.waitOp(made.body.operation.id)).status, 'Succeeded');
    await s.deploy('attack', { name: 'pyhost', code_configuration: { code, scoring_script: 'score.py' }, environment: { image: IMAGE } });
    await s.deploy('attack', { name: 'jshost', code_configuration: { code, scoring_script: 'score.mjs' }, environment: { image: IMAGE } });
    await s.deploy('attack', {
      name: 'custom', code_configuration: { code, scoring_script: 'score.py' },
      environment: {
        image: 'my-registry/attacker:1', command: ['/usr/bin/python3', 'server.py'],
        inference_config: { liveness_route: { port: 5001, path: '/' }, readiness_route: { port: 5001, path: '/' }, scoring_route: { port: 5001, path: '/score' } },
      },
    });
    const traffic = await s.api('PATCH', '/api/v1/endpoints/attack', { traffic: { pyhost: 100 } });
    assert.equal(traffic.body.operation?.status, 'Succeeded', traffic.text);
    key = (await s.api('POST', '/api/v1/endpoints/attack/list-keys')).body.primaryKey;
  });
  after(async () => {
    await s?.running.close();
    if (dataDir) removeDir(dataDir);
  });

  /**
   * Every path an attacker wants: the server's secrets, the other deployments' files, /root, and the
   * Python host's process through /proc (it makes itself non-dumpable; Node and custom servers cannot).
   */
  async function targets(self: string) {
    const pyPid = (await s.api('GET', '/api/v1/endpoints/attack/deployments/pyhost')).body.instances[0].pid as number;
    const pyProc = self === 'pyhost' ? [] : [`/proc/${pyPid}/environ`, `/proc/${pyPid}/mem`];
    const deployments = join(dataDir, 'deployments', 'attack');
    const others = ['pyhost', 'jshost', 'custom'].filter((d) => d !== self);
    const revisionOf = (d: string) => readdirSync(join(deployments, d)).find((n) => !n.startsWith('.'))!;
    return {
      read: [
        join(dataDir, 'admin-token'), join(dataDir, 'master-key'), join(dataDir, 'switchyard.db'), join(dataDir, 'switchyard.db-wal'),
        `/proc/${process.pid}/environ`, '/etc/shadow', ...pyProc,
        ...others.flatMap((d) => [
          join(deployments, d, revisionOf(d), 'app', 'score.py'),
          join(deployments, d, '.run', `${d}-0`, 'secret'),
        ]),
      ],
      list: [
        dataDir, join(dataDir, 'artifacts'), join(dataDir, 'logs'), join(dataDir, 'run'), join(dataDir, 'deployments'), '/root',
        ...(self === 'pyhost' ? [] : [`/proc/${pyPid}/fd`, `/proc/${pyPid}/cwd`]),
        ...others.flatMap((d) => [join(deployments, d), join(deployments, d, '.run', `${d}-0`, 'home')]),
      ],
      write: [join(deployments, self, revisionOf(self), 'app', 'planted.py'), join(dataDir, 'planted'), '/root/planted'],
    };
  }

  for (const deployment of ['pyhost', 'jshost', 'custom']) {
    it(`a hostile ${deployment === 'pyhost' ? 'score.py' : deployment === 'jshost' ? 'Node module' : 'custom command server'} reaches none of the server's secrets, other deployments' files or /root`, async () => {
      const asked = await targets(deployment);
      const got = await s.probe('attack', key, deployment, asked);
      for (const kind of ['read', 'list', 'write'] as const) {
        for (const [path, outcome] of Object.entries(got[kind])) assert.match(outcome, /^denied/, `${kind} ${path}: ${outcome}`);
        assert.equal(Object.keys(got[kind]).length, asked[kind].length);
      }
      // It runs as the instance user, in a group of its deployment's own, with no other group.
      assert.equal(got.uid, instanceUser!.uid);
      assert.ok(got.gid >= 1_900_000_000, `gid ${got.gid}`);
      assert.deepEqual(got.groups.filter((g) => g !== got.gid), []);
      // Its environment holds none of the server's variables.
      assert.equal(got.env.includes('SWITCHYARD_LEAK_CANARY'), false);
      assert.equal(got.env.includes('LEAKY_CLOUD_SECRET'), false);
      // Only the host protocol's own variables (launch-plan.ts) remain: the readiness fd, the secret's file
      // and the memory limit (an instance_type's memory is the default limit, so Python hosts have one).
      const hostProtocol = new Set(['SWITCHYARD_CONTROL_FD', 'SWITCHYARD_INSTANCE_SECRET_FILE', 'SWITCHYARD_MEMORY_LIMIT_BYTES']);
      assert.deepEqual(got.env.filter((k) => k.startsWith('SWITCHYARD_') && !hostProtocol.has(k)), []);
      // What it may do: write its own HOME and TMPDIR.
      const own = await s.probe('attack', key, deployment, { write: [join(got.home, 'ok'), join(got.tmp, 'ok')] });
      assert.deepEqual(Object.values(own.write), ['ok', 'ok']);
    });
  }

  it('the deployments run in different groups', async () => {
    const gids = new Set<number>();
    for (const d of ['pyhost', 'jshost', 'custom']) gids.add((await s.probe('attack', key, d, {})).gid);
    assert.equal(gids.size, 3);
  });

  it('refuses a direct call to a Python or Node instance without the gateway\'s secret', async () => {
    for (const d of ['pyhost', 'jshost']) {
      const url = await s.instanceUrl('attack', d);
      const direct = await fetch(`${url}/score`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(direct.status, 401, `${d}: ${await direct.text()}`);
      const guessed = await fetch(`${url}/`, { headers: { 'x-switchyard-instance-secret': 'f'.repeat(64) } });
      assert.equal(guessed.status, 401, d);
    }
  });

  it('a custom server is given the secret to check, and the gateway presents it', async () => {
    const got = await s.probe('attack', key, 'custom', {});
    assert.equal(got.gateway_secret_presented, true);
  });

  it('a client cannot smuggle its own x-switchyard-instance-secret past the gateway', async () => {
    const res = await fetch(`${s.running.gatewayUrl}/endpoints/attack/score`, {
      method: 'POST', body: '{}',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'azureml-model-deployment': 'custom', 'x-switchyard-instance-secret': 'mine' },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Probe).gateway_secret_presented, true);
  });
});

describe('a server that cannot isolate instances reserves deploying code to Owner', { timeout: 180_000 }, () => {
  let dataDir: string;
  let s: Server;

  before(async () => {
    dataDir = tempDataDir();
    s = new Server(await serve({ port: 0, gatewayPort: 0, dataDir, logger: silentLogger(), handleSignals: false, instanceUser: 'none' }));
  });
  after(async () => {
    await s?.running.close();
    if (dataDir) removeDir(dataDir);
  });

  it('a Contributor cannot create or update a deployment; an Owner can, and its instance still wants the secret', async () => {
    assert.deepEqual(s.running.isolation, { isolated: false, reason: '--instance-user none was given' });
    const made = await s.api('POST', '/api/v1/tokens', { name: 'dev', role: 'Contributor' });
    assert.equal(made.status, 201, made.text);
    const contributor = made.body.token as string;
    const code = await s.upload({ 'score.py': fixture('score.py'), 'probe.py': fixture('probe.py') });
    const ep = await s.api('POST', '/api/v1/endpoints', { name: 'shared' }, { token: contributor });
    assert.equal(ep.status, 202, ep.text);
    assert.equal((await s.waitOp(ep.body.operation.id)).status, 'Succeeded');
    const spec = { name: 'blue', code_configuration: { code, scoring_script: 'score.py' }, environment: { image: IMAGE } };
    const denied = await s.deploy('shared', spec, contributor);
    assert.equal(denied.status, 403, denied.text);
    assert.match(denied.body.error.message, /onlineEndpoints\/deployments\/runAsServer\/action/);
    assert.match(denied.body.error.message, /runs scoring instances as its own user/);

    assert.equal((await s.deploy('shared', spec)).status, 202);
    const patch = await s.api('PATCH', '/api/v1/endpoints/shared/deployments/blue', { instance_count: 2 }, { token: contributor });
    assert.equal(patch.status, 403, patch.text);
    // Reading stays a Contributor's right.
    assert.equal((await s.api('GET', '/api/v1/endpoints/shared/deployments/blue', undefined, { token: contributor })).status, 200);

    const url = await s.instanceUrl('shared', 'blue');
    assert.equal((await fetch(`${url}/score`, { method: 'POST', body: '{}' })).status, 401);

    // Why: the same probe as above, here run as the server's own user, reads the admin token.
    await s.api('PATCH', '/api/v1/endpoints/shared', { traffic: { blue: 100 } });
    const key = (await s.api('POST', '/api/v1/endpoints/shared/list-keys')).body.primaryKey as string;
    const got = await s.probe('shared', key, 'blue', { read: [join(dataDir, 'admin-token')] });
    assert.equal(got.uid, process.geteuid!());
    assert.match(got.read[join(dataDir, 'admin-token')]!, /^ok/);
  });
});
