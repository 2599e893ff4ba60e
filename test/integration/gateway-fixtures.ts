// Fixtures of the gateway's integration tests: TEST INSTANCES (real HTTP servers on 127.0.0.1, port 0,
// with the instance routes of docs/compatibility.md, "The scoring script" and a scriptable behaviour), snapshot builders and a small HTTP
// client on undici. Not a test file itself (no .test.ts suffix).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { DeploymentRoute, EndpointRoute, RoutingSnapshot } from '../../src/gateway/snapshot.js';

export interface TestInstanceBehaviour {
  /** Delay before answering /score, in ms. */
  delayMs?: number;
  /** Status of /score answers. */
  status?: number;
  /** Body of /score answers; default echoes `{instance, body}`. */
  body?: (req: IncomingMessage, body: Buffer) => string;
  /** Swagger document, or null for 404. */
  swagger?: object | null;
  /** Read the request, then cut the connection without answering (a crash mid-request). */
  hangUp?: boolean;
  /** Answer with chunked transfer coding, the body in pieces of this many bytes. */
  chunkBytes?: number;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestInstance {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Number of /score requests received (fully read). */
  scored: number;
  /** Number of /score requests running now, and the most seen at once. */
  running: number;
  maxRunning: number;
  /** /score requests whose connection closed before the answer was sent (the gateway gave up). */
  aborted: number;
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  connections: number;
  /** The last few requests (bounded). */
  seen: SeenRequest[];
  behaviour: TestInstanceBehaviour;
  close(): Promise<void>;
}

/** A test instance: a real HTTP server standing in for a scoring host. */
export async function startTestInstance(name: string, behaviour: TestInstanceBehaviour = {}): Promise<TestInstance> {
  const sockets = new Set<import('node:net').Socket>();
  const inst: TestInstance = {
    name, url: '', port: 0, scored: 0, running: 0, maxRunning: 0, aborted: 0, connections: 0, seen: [], behaviour,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (inst.seen.length >= 50) inst.seen.shift();
      inst.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/') {
        res.end('Healthy');
        return;
      }
      if (req.method === 'GET' && path === '/swagger.json') {
        const doc = inst.behaviour.swagger === undefined ? { openapi: '3.0.0', info: { title: name } } : inst.behaviour.swagger;
        if (doc === null) {
          res.writeHead(404).end('no swagger');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
        return;
      }
      if (req.method === 'POST' && path === '/score') {
        inst.scored++;
        if (inst.behaviour.hangUp) {
          req.socket.destroy();
          return;
        }
        inst.running++;
        res.on('close', () => {
          if (!res.writableFinished) inst.aborted++;
        });
        inst.maxRunning = Math.max(inst.maxRunning, inst.running);
        const answer = (): void => {
          inst.running--;
          if (res.destroyed) return;
          const b = inst.behaviour;
          const text = b.body ? b.body(req, body) : JSON.stringify({ instance: name, body: body.toString('utf8') });
          if (res.destroyed) return;
          if (b.chunkBytes !== undefined) {
            res.writeHead(b.status ?? 200, { 'content-type': 'application/json', 'x-instance': name, 'transfer-encoding': 'chunked' });
            const buf = Buffer.from(text);
            for (let i = 0; i < buf.length; i += b.chunkBytes) res.write(buf.subarray(i, i + b.chunkBytes));
            res.end();
            return;
          }
          res.writeHead(b.status ?? 200, { 'content-type': 'application/json', 'x-instance': name, 'content-length': Buffer.byteLength(text) }).end(text);
        };
        const d = inst.behaviour.delayMs ?? 0;
        // Unref'd: an instance told never to answer (a huge delay) must not keep the test process alive.
        if (d > 0) setTimeout(answer, d).unref();
        else answer();
        return;
      }
      res.writeHead(404).end();
    });
  });
  server.on('connection', (s) => {
    inst.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(inst, { port, url: `http://127.0.0.1:${port}` });
  return inst;
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
export const newSecretHex = (): string => randomBytes(32).toString('hex');

export interface DeploymentSpec {
  instances: Array<TestInstance | string>;
  requestTimeoutMs?: number;
  maxConcurrentPerInstance?: number;
  instanceCount?: number;
  scorePath?: string;
}

export function deployment(name: string, spec: DeploymentSpec): DeploymentRoute {
  const instances = spec.instances.map((i, n) => (typeof i === 'string' ? { name: `${name}-${n}`, url: i } : { name: i.name, url: i.url }));
  return {
    name,
    requestTimeoutMs: spec.requestTimeoutMs ?? 5000,
    maxConcurrentPerInstance: spec.maxConcurrentPerInstance ?? 1,
    instanceCount: spec.instanceCount ?? instances.length,
    instances,
    scorePath: spec.scorePath ?? '/score',
    swaggerPath: '/swagger.json',
  };
}

export function endpoint(
  name: string,
  opts: {
    authMode?: 'key' | 'aml_token';
    keys?: string[];
    tokenSecret?: string;
    traffic?: Record<string, number>;
    mirror?: { deployment: string; percent: number } | null;
    deployments: DeploymentRoute[];
  },
): EndpointRoute {
  return {
    name,
    authMode: opts.authMode ?? 'key',
    keyHashes: (opts.keys ?? []).map(sha256Hex),
    tokenSecret: opts.tokenSecret ?? newSecretHex(),
    traffic: Object.entries(opts.traffic ?? {}).filter(([, w]) => w > 0).map(([deployment, weight]) => ({ deployment, weight })),
    mirror: opts.mirror ?? null,
    deployments: Object.fromEntries(opts.deployments.map((d) => [d.name, d])),
  };
}

export function snapshot(version: number, endpoints: EndpointRoute[]): RoutingSnapshot {
  return { version, endpoints: Object.fromEntries(endpoints.map((e) => [e.name, e])) };
}

/** One client agent for all tests: keep-alive, plenty of connections. */
export const client = new Agent({ connections: 256, keepAliveTimeout: 10_000 });

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function call(url: string, opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const r = await request(url, { method: opts.method ?? 'POST', headers: opts.headers, body: opts.body ?? (opts.method === 'GET' ? undefined : '{}'), dispatcher: client });
  const body = await r.body.text();
  return { status: r.statusCode, headers: r.headers, body };
}

/** Runs `n` calls with at most `concurrency` at once, bounded by `timeoutMs` overall. */
export async function load<T>(n: number, concurrency: number, timeoutMs: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const deadline = Date.now() + timeoutMs;
  const worker = async (): Promise<void> => {
    while (next < n) {
      if (Date.now() > deadline) throw new Error(`load: ${n} calls did not finish within ${timeoutMs} ms (at ${next})`);
      const i = next++;
      out[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
