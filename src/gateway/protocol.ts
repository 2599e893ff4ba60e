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
  /** PEM certificate chain and key: the gateway answers HTTPS only. */
  tls?: { cert: string; key: string };
}

/** The first message a gateway worker process gets (worker-process.ts): its configuration. */
export interface WorkerProcessStart {
  op: 'start';
  config: WorkerConfig;
}

export type HostToWorker =
  | { op: 'publish'; id: number; snapshot: RoutingSnapshot }
  | { op: 'drain'; id: number; urls: string[]; timeoutMs: number }
  /** 'parts': prom-client's JSON form of the registry, for the host to sum over several workers. */
  | { op: 'metrics'; id: number; format: 'text' | 'json' | 'parts' }
  /** Cumulative answers and recent latencies of one endpoint's deployments (rollout gates). */
  | { op: 'figures'; id: number; endpoint: string }
  | { op: 'close'; id: number; timeoutMs: number }
  /** The comparer has handled `n` pairs of evidence (pairing.ts bounds the unacknowledged ones). */
  | { op: 'pairs-ack'; id: number; n: number };

export type WorkerToHost =
  /** A gateway worker process is ready for its WorkerProcessStart. */
  | { op: 'hello' }
  | { op: 'listening'; port: number }
  | { op: 'fatal'; message: string; code?: string }
  | { op: 'reply'; id: number; ok: true; value?: unknown }
  | { op: 'reply'; id: number; ok: false; message: string }
  | { op: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
  /** Evidence for the comparer (gateway/pairing.ts): completed pairs and drop counts since the last batch. */
  | { op: 'pairs'; pairs: PairRecord[]; drops: Array<{ endpoint: string; shadow: string; reason: DropReason; n: number }> };

/**
 * Why a mirrored copy produced no comparison: the lane was full, the copy went stale in the lane's
 * queue, the shadow had no instance, the gateway was busy and shed it, too many pairs were open, an
 * answer exceeded the capture cap, the live answer was cut, or the comparer fell behind.
 */
export type DropReason =
  | 'lane_full' | 'stale' | 'no_instance' | 'busy' | 'pairing_full' | 'too_large' | 'live_incomplete' | 'comparer_backlog';

/** A live answer and a shadow's answer to the same request (bodies capped: pairing.ts). */
export interface PairRecord {
  endpoint: string;
  /** The deployment that answered the client. */
  live: string;
  shadow: string;
  /** Which rule sent the copy: Azure's mirror_traffic, or the shadow_traffic extension. */
  /** 'noise': a calibration copy to the live deployment itself (shadow = the live deployment). */
  kind: 'mirror' | 'shadow' | 'noise';
  requestId: string;
  /** Epoch ms when the pair was complete. */
  at: number;
  /** The first bytes of the request body (REQUEST_EXCERPT_BYTES), and its full size. */
  request: Uint8Array | null;
  requestBytes: number;
  /** The instance's status, or the gateway's when the instance gave none (408, 424). */
  liveStatus: number;
  liveMs: number;
  liveBody: Uint8Array | null;
  /** 0 when the shadow gave no answer (shadowError says why: 'timeout', 'connection'). */
  shadowStatus: number;
  shadowMs: number;
  shadowError: string | null;
  shadowBody: Uint8Array | null;
}
