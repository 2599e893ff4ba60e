// Messages between GatewayHost (main thread) and the gateway worker. Plain, structured-clone-safe
// objects: the same snapshot message could feed a gateway on another machine.
import type { RoutingSnapshot } from './snapshot.js';
import type { GatewayLimits } from './server.js';

export interface WorkerConfig {
  host: string;
  port: number;
  limits: GatewayLimits;
  /** Lowest pino level the worker bothers to send to the host ('debug', 'info', 'warn', ...). */
  logLevel: string;
}

export type HostToWorker =
  | { op: 'publish'; id: number; snapshot: RoutingSnapshot }
  | { op: 'drain'; id: number; urls: string[]; timeoutMs: number }
  | { op: 'metrics'; id: number; format: 'text' | 'json' }
  | { op: 'close'; id: number; timeoutMs: number }
  /** Test hook: exit as a crash would, to prove the host restarts the data path. */
  | { op: 'crash'; id: number };

export type WorkerToHost =
  | { op: 'listening'; port: number }
  | { op: 'fatal'; message: string; code?: string }
  | { op: 'reply'; id: number; ok: true; value?: unknown }
  | { op: 'reply'; id: number; ok: false; message: string }
  | { op: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };
