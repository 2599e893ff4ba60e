// Durability and restart: every change the store reported survives kill -9; a new control plane on the
// same data dir finishes what an earlier one left Running (create, update, delete of endpoints and
// deployments) and brings every deployment's instances back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTestStore, testStoreSetting } from './test-store.js';
import { newKeys, newTokenSecret } from '../../src/store/credentials.js';
import type { DeploymentSpec } from '../../src/spec/types.js';
import { startHarness, tempDataDir, removeDir, eventually } from './control-harness.js';
import { folderArchive } from './control-archives.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('store durability', () => {
  it('every write reported before kill -9 is there after reopening', async () => {
    const dir = tempDataDir();
    try {
      const file = (await testStoreSetting(dir))?.url ?? join(dir, 'switchyard.db');
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'control-store-child.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
      const reported: string[] = [];
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code ?? signal}`))));
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          reported.push(...lines);
          if (reported.length >= 50 && !child.killed) child.kill('SIGKILL');
        });
      });
      assert.ok(reported.length >= 50);
      const store = await openTestStore(dir);
      try {
        const names = new Set(store.listEndpoints().map((e) => e.spec.name));
        for (const name of reported) assert.ok(names.has(name), `${name} was reported written but is missing`);
        const one = store.getEndpoint(reported[0]!)!;
        assert.equal(one.provisioning_state, 'Creating');
        assert.equal(one.keys.primaryKey.length, 43);
      } finally {
        store.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});

function deploymentSpec(endpoint: string, name: string, code: string): DeploymentSpec {
  return {
    name, endpoint_name: endpoint, tags: {}, environment: { registered: false }, environment_variables: {},
    code_configuration: { code, scoring_script: 'score.py' },
    instance_count: 2,
    request_settings: { request_timeout_ms: 5000, max_concurrent_requests_per_instance: 1, max_queue_wait_ms: 500 },
    liveness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
    readiness_probe: { initial_delay: 10, period: 10, timeout: 2, success_threshold: 1, failure_threshold: 30 },
    scale_settings: { type: 'default' },
    extra: {},
  };
}

describe('restart recovery', () => {
  it('an operation left Running by a server that died is finished by the next one', async () => {
    const dir = tempDataDir();
    try {
      // First life: a deployment create whose instances never come up before the "crash".
      const first = await startHarness(dir);
      const code = await folderArchive({ 'score.py': 'def init(): pass\n' });
      const up = await fetch(`${first.url}/api/v1/artifacts?kind=dir&name=code`, {
        method: 'POST', headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/gzip' }, body: new Uint8Array(code),
      });
      const digest = ((await up.json()) as any).digest as string;
      await first.call('POST', '/api/v1/endpoints', { name: 'survivor' });
      first.backend.hold(); // never released: the process "dies" with the create in flight
      const created = await first.call('POST', '/api/v1/endpoints/survivor/deployments', {
        name: 'blue', code_configuration: { code: digest, scoring_script: 'score.py' }, environment: { image: 'x' }, instance_type: 'Standard_DS3_v2', instance_count: 2,
      });
      assert.equal(created.status, 202, created.text);
      const opId = created.body.operation.id;
      // kill -9 stand-in: the API and the database go away without any shutdown step.
      await first.plane.app.close();
      first.plane.store.close();

      const second = await startHarness(dir);
      try {
        assert.equal(second.backend.recovered, 1);
        const op = await second.call('GET', `/api/v1/operations/${opId}?wait=5`);
        assert.equal(op.body.status, 'Succeeded', op.text);
        const d = await second.call('GET', '/api/v1/endpoints/survivor/deployments/blue');
        assert.equal(d.body.provisioning_state, 'Succeeded');
        assert.equal(d.body.instances.length, 2);
        assert.ok(second.gateway.last!.endpoints.survivor!.deployments.blue!.instances.length === 2);
      } finally {
        await second.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('drives every non-final state to an end, and restarts the instances of finished deployments', async () => {
    const dir = tempDataDir();
    try {
      // A store as a crashed server could leave it, written directly.
      const store = await openTestStore(dir);
      const ep = (name: string, state: 'Creating' | 'Updating' | 'Deleting' | 'Succeeded') => store.insertEndpoint(name, {
        spec: { name, tags: {}, auth_mode: 'key', traffic: {}, mirror_traffic: {}, public_network_access: 'enabled' },
        provisioning_state: state, keys: newKeys(), token_secret: newTokenSecret(),
      });
      const digest = `sha256:${'a'.repeat(64)}`;
      store.insertArtifact({ digest, kind: 'dir', name: 'code', size: 1, files: 1, created_at: new Date().toISOString() });
      const ops: Record<string, string> = {};
      const op = (label: string, kind: any, endpoint: string, deployment?: string) => {
        const id = `op-${label}`;
        store.insertOperation({ id, kind, endpoint, ...(deployment ? { deployment } : {}), status: 'Running', created_at: new Date().toISOString() });
        ops[label] = id;
      };
      ep('creating', 'Creating'); op('ep-create', 'endpoint.create', 'creating');
      ep('updating', 'Updating'); op('ep-update', 'endpoint.update', 'updating');
      ep('doomed', 'Deleting'); op('ep-delete', 'endpoint.delete', 'doomed');
      store.insertDeployment({ spec: deploymentSpec('doomed', 'inside', digest), provisioning_state: 'Succeeded' });
      ep('steady', 'Succeeded');
      store.insertDeployment({ spec: deploymentSpec('steady', 'fine', digest), provisioning_state: 'Succeeded' });
      store.insertDeployment({ spec: deploymentSpec('steady', 'new', digest), provisioning_state: 'Creating' }); op('d-create', 'deployment.create', 'steady', 'new');
      store.insertDeployment({ spec: deploymentSpec('steady', 'old', digest), provisioning_state: 'Deleting' }); op('d-delete', 'deployment.delete', 'steady', 'old');
      op('d-gone', 'deployment.update', 'steady', 'vanished');
      store.close();

      const h = await startHarness(dir);
      try {
        await h.plane.reconciler.idle();
        for (const [label, id] of Object.entries(ops)) {
          const r = await h.call('GET', `/api/v1/operations/${id}?wait=5`);
          assert.notEqual(r.body.status, 'Running', `${label} still Running`);
          assert.equal(r.body.status, label === 'd-gone' ? 'Failed' : 'Succeeded', `${label}: ${r.text}`);
        }
        const names = (await h.call('GET', '/api/v1/endpoints')).body.value.map((e: any) => `${e.name}:${e.provisioning_state}`).sort();
        assert.deepEqual(names, ['creating:Succeeded', 'steady:Succeeded', 'updating:Succeeded']);
        const deps = (await h.call('GET', '/api/v1/endpoints/steady/deployments')).body.value;
        assert.deepEqual(deps.map((d: any) => `${d.name}:${d.provisioning_state}:${d.instances.length}`).sort(), ['fine:Succeeded:2', 'new:Succeeded:2']);
        assert.ok(h.backend.removed.includes('doomed/inside'));
        assert.ok(h.backend.removed.includes('steady/old'));
        assert.equal(h.plane.store.runningOperations().length, 0);
      } finally {
        await h.close();
      }
    } finally {
      removeDir(dir);
    }
  });

  it('a clean close and reopen keeps everything (keys included)', async () => {
    const dir = tempDataDir();
    try {
      const a = await startHarness(dir);
      await a.call('POST', '/api/v1/endpoints', { name: 'keeper', auth_mode: 'aml_token', tags: { a: 'b' } });
      const before = (await a.call('GET', '/api/v1/endpoints/keeper')).body;
      const secret = a.plane.store.getEndpoint('keeper')!.token_secret;
      await a.close();
      const b = await startHarness(dir);
      try {
        assert.equal(b.token, a.token, 'the admin token is kept');
        const after = (await b.call('GET', '/api/v1/endpoints/keeper')).body;
        assert.deepEqual({ ...after, scoring_uri: '', openapi_uri: '' }, { ...before, scoring_uri: '', openapi_uri: '' });
        assert.equal(b.plane.store.getEndpoint('keeper')!.token_secret, secret);
        await eventually(() => b.gateway.last?.endpoints.keeper?.tokenSecret === secret);
      } finally {
        await b.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});
