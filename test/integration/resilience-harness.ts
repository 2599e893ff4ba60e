// Shared pieces of the resilience tests (bad input, fuzz, faults): the real `./bin/switchyard serve`
// as a child process on ephemeral ports (so it can be killed with SIGKILL and restarted on the same data
// dir), raw HTTP that can send any bytes and headers, the CLI as a child process, a full dump of the
// control plane's state, and small helpers to upload code and wait for operations.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, ensureBuilt } from '../e2e/cli-harness.js';
import { folderArchive } from './control-archives.js';

export { BIN, ensureBuilt };

export interface RawResponse { status: number; text: string; body: any; headers: Record<string, string | string[] | undefined> }

/** One HTTP request with exactly the bytes and headers given (no content-type added); 127.0.0.1 only. */
export function raw(url: string, options: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer | Buffer[]; timeoutMs?: number } = {}): Promise<RawResponse> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error(`tests only talk to 127.0.0.1, not ${u.hostname}`);
  return new Promise((resolveRes, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      // The snapshot stream of standalone gateways never ends: its status and headers are the answer.
      if (res.headers['content-type'] === 'application/x-ndjson') {
        resolveRes({ status: res.statusCode ?? 0, text: '', body: '', headers: res.headers });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolveRes({ status: res.statusCode ?? 0, text, body, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${url}: no answer in ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) {
      const parts = [...body];
      const next = (): void => {
        const part = parts.shift();
        if (part === undefined) { req.end(); return; }
        if (req.destroyed) return;
        if (req.write(part)) setImmediate(next); else req.once('drain', next);
      };
      next();
    } else {
      req.end(body);
    }
  });
}

export interface ServerProcess {
  controlUrl: string;
  gatewayUrl: string;
  dataDir: string;
  pid: number;
  token: string;
  child: ChildProcess;
  stderr(): string;
  /** Control API call with the admin token; JSON body unless `raw` options are given. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawResponse>;
  healthy(): Promise<boolean>;
  /** SIGTERM, SIGKILL after graceMs; resolves with the exit code. Idempotent. */
  stop(graceMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `switchyard serve --port 0 --gateway-port 0 --data-dir DIR`; waits for its listening line. */
export async function startServe(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  ensureBuilt();
  mkdirSync(dataDir, { recursive: true });
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), SWITCHYARD_LOG_LEVEL: 'warn', ...env };
  delete childEnv.SWITCHYARD_URL;
  delete childEnv.SWITCHYARD_TOKEN;
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(BIN, ['serve', '--port', '0', '--gateway-port', '0', '--data-dir', dataDir], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-200_000); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen in 60 s; stderr:\n${stderr}`)), 60_000);
    rl.once('line', (l) => { clearTimeout(timer); resolveLine(l); });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code} before listening; stderr:\n${stderr}`)); });
  }).catch((e) => { child.kill('SIGKILL'); throw e; });
  rl.on('line', () => { /* keep draining stdout */ });
  const event = JSON.parse(line) as { controlUrl: string; gatewayUrl: string; pid: number };
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  let stopping: Promise<number | null> | undefined;
  const server: ServerProcess = {
    controlUrl: event.controlUrl, gatewayUrl: event.gatewayUrl, dataDir, pid: child.pid!, token, child, exited,
    stderr: () => stderr,
    api(method, path, body, headers = {}) {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      let payload: string | undefined;
      if (body !== undefined) { h['content-type'] ??= 'application/json'; payload = JSON.stringify(body); }
      return raw(event.controlUrl + path, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
    },
    async healthy() {
      try {
        const r = await raw(`${event.controlUrl}/api/v1/health`, { timeoutMs: 5000 });
        return r.status === 200 && r.body?.status === 'ok';
      } catch {
        return false;
      }
    },
    stop(graceMs = 30_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  return server;
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** Uploads a folder of files (relative path → content) as a code/model artifact; answers its digest. */
export async function uploadFolder(server: ServerProcess, files: Record<string, string>, name = 'code'): Promise<string> {
  const archive = await folderArchive(files);
  const r = await raw(`${server.controlUrl}/api/v1/artifacts?kind=dir&name=${name}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/gzip' }, body: archive,
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`upload failed: ${r.status} ${r.text}`);
  return r.body.digest as string;
}

/** Long-polls an operation until it ends or `seconds` pass; answers the last Operation seen. */
export async function waitOperation(server: ServerProcess, id: string, seconds = 60): Promise<any> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const left = Math.max(1, Math.min(10, Math.ceil((deadline - Date.now()) / 1000)));
    const r = await server.api('GET', `/api/v1/operations/${id}?wait=${left}`);
    if (r.body?.status !== 'Running' || Date.now() >= deadline) return r.body;
  }
}

/** Polls `check` every intervalMs until it answers a truthy value or timeoutMs passes (then throws). */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Full state of the control plane as its GET routes show it (instances left out: they live). */
export async function dumpState(server: ServerProcess): Promise<string> {
  const get = async (path: string): Promise<any> => {
    const r = await server.api('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  const strip = (d: any) => {
    const { instances: _i, conditions: _c, ...rest } = d;
    return rest;
  };
  const endpoints = (await get('/api/v1/endpoints')).value as any[];
  const out: any = { endpoints, deployments: {}, models: {}, environments: {} };
  for (const e of endpoints) {
    out.deployments[e.name] = ((await get(`/api/v1/endpoints/${encodeURIComponent(e.name)}/deployments`)).value as any[]).map(strip);
  }
  for (const kind of ['models', 'environments'] as const) {
    for (const a of (await get(`/api/v1/${kind}`)).value as any[]) {
      out[kind][a.name] = (await get(`/api/v1/${kind}/${encodeURIComponent(a.name)}/versions`)).value;
    }
  }
  return JSON.stringify(out, null, 1);
}

/** pids of the instance processes of a deployment, as `show` reports them. */
export async function instancePids(server: ServerProcess, endpoint: string, deployment: string): Promise<number[]> {
  const r = await server.api('GET', `/api/v1/endpoints/${endpoint}/deployments/${deployment}`);
  return ((r.body?.instances ?? []) as Array<{ pid?: number }>).map((i) => i.pid).filter((p): p is number => typeof p === 'number');
}

/** Is a pid still a live (non-zombie) process? */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Writes files under a folder (relative path → content), creating parents. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
}

/** A fast-probing deployment body for the REST API. */
export function deploymentBody(name: string, code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, code_configuration: { code, scoring_script: 'score.py' },
    environment: { image: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest' },
    instance_type: 'Standard_DS3_v2',
    instance_count: 1,
    readiness_probe: { initial_delay: 0, period: 1, failure_threshold: 60 },
    liveness_probe: { initial_delay: 0, period: 1, failure_threshold: 3 },
    ...extra,
  };
}
