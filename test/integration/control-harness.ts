// Starts the control plane (real SQLite file in a temp dir, or PostgreSQL with SWITCHYARD_TEST_STORE=postgres: test-store.ts; real HTTP on an ephemeral port) around a
// FakeBackend and a FakeGateway, and helpers to call it. `restart()` opens a second control plane on
// the same data dir, as a server restarted after a crash would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../src/logger.js';
import { mintToken } from '../../src/gateway/token.js';
import { assembleControlPlane, type ControlPlane } from '../../src/server/control-plane.js';
import { ensureAdminToken } from '../../src/server/admin-token.js';
import { FakeBackend, FakeGateway } from './control-fakes.js';
import type { SecuritySettings } from '../../src/control/security-settings.js';
import { testStoreSetting } from './test-store.js';

export interface Harness {
  dataDir: string;
  url: string;
  token: string;
  plane: ControlPlane;
  backend: FakeBackend;
  gateway: FakeGateway;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-control-'));
}

export async function startHarness(
  dataDir = tempDataDir(),
  { logger = silentLogger(), ...options }: { quickWaitMs?: number; maxArtifactBytes?: number; logger?: Logger; security?: Partial<SecuritySettings> } = {},
): Promise<Harness> {
  const { token } = await ensureAdminToken(dataDir);
  const store = await testStoreSetting(dataDir);
  const gateway = new FakeGateway();
  let backend!: FakeBackend;
  const plane = await assembleControlPlane({
    dataDir, logger, adminToken: token, gateway, mintToken,
    makeBackend: (events) => (backend = new FakeBackend(events)),
    ...(store ? { store } : {}),
    ...options,
  });
  await plane.reconciler.recover();
  plane.rollouts.recover();
  await plane.app.listen({ host: '127.0.0.1', port: 0 });
  const address = plane.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const call: Harness['call'] = async (method, path, body, headers = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(url + path, init);
    // The snapshot stream of standalone gateways never ends: its status and headers are the answer.
    if (res.headers.get('content-type') === 'application/x-ndjson') {
      await res.body?.cancel();
      return { status: res.status, body: '', text: '', headers: res.headers };
    }
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* text answers (logs, metrics) */ }
    return { status: res.status, body: parsed, text, headers: res.headers };
  };
  return { dataDir, url, token, plane, backend, gateway, call, close: () => plane.close() };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls until `check` passes (reconciles run in the background). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
