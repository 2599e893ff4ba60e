// serve(): the running server: control plane (store, reconciler, REST API) around the real gateway
// (its own worker thread) and the LocalBackend (instances as child processes). The CLI's
// `switchyard serve` calls it; tests call it with port 0. Closing drains the gateway, then stops
// instances.
import { mkdir } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SwitchyardError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { LocalBackend } from '../runtime/local/backend.js';
import { DEFAULT_LOG_LIMITS, type LogLimits } from '../runtime/local/log-files.js';
import { GatewayHost } from '../gateway/host.js';
import { mintToken } from '../gateway/token.js';
import { ensureAdminToken } from './admin-token.js';
import { resolveInstanceIsolation, type InstanceIsolation } from '../runtime/local/instance-user.js';
import { defaultInstanceDir, privatiseDataDir } from './data-dir-access.js';
import { assembleControlPlane } from './control-plane.js';
import { describeStore, parseStoreSetting } from '../store/open-store.js';
import { securitySettingsFromEnv } from '../control/security-settings.js';
import { fleetSettingsFromEnv } from '../control/gateway-fleet.js';
import { gatewayLimitsFromEnv, gatewayWorkersFromEnv } from '../gateway/settings.js';
import { openFileLimit } from './open-file-limit.js';
import { loadTransportSecurity } from './transport-security.js';
import { ensureMasterKey } from './master-key.js';
import { Replica } from './replicas/replica.js';

/** A store URL that names PostgreSQL (several replicas may share it). */
export const isPostgresUrl = (store: string | undefined): store is string => !!store && /^postgres(ql)?:\/\//i.test(store);
import { kubernetesSettings } from '../runtime/kubernetes/settings.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  gatewayPort?: number;
  dataDir?: string;
  python?: string;
  /**
   * The user instances run as (default $SWITCHYARD_INSTANCE_USER, else `switchyard-instance`); `none`
   * runs them as the server's own user. See runtime/local/instance-user.ts and docs/security.md.
   */
  instanceUser?: string;
  /** Where revisions are staged for instances (default: <data-dir>/deployments when reachable). */
  instanceDir?: string;
  /** Fork Python instances from a pre-warmed zygote (default: $SWITCHYARD_ZYGOTE, else true). */
  zygote?: boolean;
  logLevel?: string;
  /** A logger to use instead of a new one on stderr (tests). */
  logger?: Logger;
  /** Largest artifact upload, compressed (default: $SWITCHYARD_MAX_ARTIFACT_BYTES, else 2 GiB). */
  maxArtifactBytes?: number;
  /** aml_token lifetime in seconds (default 24 h; clients refresh at half-life). */
  tokenTtlSeconds?: number;
  /** Close on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  /** PEM certificate (chain) and key files: both listeners answer HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Allow a non-loopback host without TLS (a TLS proxy in front encrypts). */
  insecure?: boolean;
  /** The store: a postgres:// URL makes this server one of several replicas sharing it (docs/scale-out.md); the CLI resolves $SWITCHYARD_STORE. */
  store?: string;
  /** The master key's file (default $SWITCHYARD_MASTER_KEY_FILE, else <data-dir>/master-key): the same on every replica. */
  masterKeyFile?: string;
  /** The admin token's file (default $SWITCHYARD_ADMIN_TOKEN_FILE, else <data-dir>/admin-token): the same on every replica. */
  adminTokenFile?: string;
  /** Gateway worker processes sharing the gateway port (extension; default $SWITCHYARD_GATEWAY_WORKERS, else 1). */
  gatewayWorkers?: number;
  /** Where instances run: `local` processes (default) or `kubernetes` pods (docs/kubernetes.md). */
  backend?: 'local' | 'kubernetes';
  /** Kubernetes: the kubeconfig file (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
  /** Kubernetes: the namespace of the deployments' objects (default: runtime/kubernetes/settings.ts). */
  namespace?: string;
  /** Where artifacts are kept (default: $SWITCHYARD_ARTIFACT_DIR, else <data-dir>/artifacts); docs/store.md. */
  artifactDir?: string;
}

export interface RunningServer {
  controlUrl: string;
  gatewayUrl: string;
  dataDir: string;
  /** Whether instances run isolated from the server (and why not, when they do not). */
  isolation: InstanceIsolation;
  /** With the Kubernetes backend: where the pods run. */
  kubernetes?: { namespace: string; server: string };
  close(): Promise<void>;
}

export const DEFAULT_CONTROL_PORT = 7070;
export const DEFAULT_GATEWAY_PORT = 7071;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SWITCHYARD_DATA_DIR ?? join(homedir(), '.switchyard'));
}

const urlOf = (host: string, port: number, scheme = 'http'): string =>
  `${scheme}://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

/** SWITCHYARD_MAX_ARTIFACT_BYTES: a positive whole number of bytes, or unset. */
export function maxArtifactBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.SWITCHYARD_MAX_ARTIFACT_BYTES?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new SwitchyardError('InvalidValue', `SWITCHYARD_MAX_ARTIFACT_BYTES must be a positive whole number of bytes, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** SWITCHYARD_ZYGOTE: 1/true/on (the default) or 0/false/off (every Python instance starts cold). */
export function zygoteFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.SWITCHYARD_ZYGOTE?.trim().toLowerCase();
  if (!raw || ['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new SwitchyardError('InvalidValue', `SWITCHYARD_ZYGOTE must be 1 or 0 (on or off), got ${JSON.stringify(env.SWITCHYARD_ZYGOTE)}`);
}

/** SWITCHYARD_LOG_MAX_BYTES / SWITCHYARD_LOG_FILES: rotation of instance logs (default 10 MiB × 3). */
export function logLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): LogLimits | undefined {
  const read = (name: string, min: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new SwitchyardError('InvalidValue', `${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  const maxBytes = read('SWITCHYARD_LOG_MAX_BYTES', 4096);
  const files = read('SWITCHYARD_LOG_FILES', 1);
  if (maxBytes === undefined && files === undefined) return undefined;
  return { maxBytes: maxBytes ?? DEFAULT_LOG_LIMITS.maxBytes, files: files ?? DEFAULT_LOG_LIMITS.files };
}

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const logLimits = logLimitsFromEnv();
  const zygote = options.zygote ?? zygoteFromEnv();
  const security = securitySettingsFromEnv();
  const gatewayFleet = fleetSettingsFromEnv();
  const maxArtifactBytes = options.maxArtifactBytes ?? maxArtifactBytesFromEnv();
  const host = options.host ?? '127.0.0.1';
  const tls = await loadTransportSecurity(host, options);
  const dataDir = options.dataDir ? resolve(options.dataDir) : defaultDataDir();
  const store = parseStoreSetting(options.store);
  const artifactDirSetting = options.artifactDir ?? process.env.SWITCHYARD_ARTIFACT_DIR;
  const artifactDir = artifactDirSetting ? resolve(artifactDirSetting) : undefined;
  const logger = options.logger ?? createLogger({ ...(options.logLevel ? { level: options.logLevel } : {}) });
  const isolation = resolveInstanceIsolation(options.instanceUser ?? process.env.SWITCHYARD_INSTANCE_USER);
  // Pods run apart from the server (Kubernetes isolates them); the instance user is the local backend's.
  const kubernetes = options.backend === 'kubernetes' ? await kubernetesRuntime(options) : undefined;
  // What the server writes is its own alone (instances get read access where the runtime grants it).
  if (isMainThread) process.umask(0o077);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const instanceDirSetting = options.instanceDir ?? process.env.SWITCHYARD_INSTANCE_DIR;
  const instanceDir = instanceDirSetting ? resolve(instanceDirSetting) : await defaultInstanceDir(dataDir, isolation.isolated);
  await privatiseDataDir(dataDir, instanceDir);
  const adminTokenFile = options.adminTokenFile ?? (process.env.SWITCHYARD_ADMIN_TOKEN_FILE || undefined);
  const masterKeyFile = options.masterKeyFile ?? (process.env.SWITCHYARD_MASTER_KEY_FILE || undefined);
  const admin = await ensureAdminToken(dataDir, adminTokenFile);
  const storeUrl = store.kind === 'postgres' ? store.url : undefined;
  // One of several replicas: same master key and admin token as the store's other replicas, or no start.
  let replica: Replica | undefined;
  if (isPostgresUrl(storeUrl)) {
    const key = await ensureMasterKey(dataDir, masterKeyFile);
    replica = await Replica.connect({
      url: storeUrl, logger, cipher: key.cipher,
      secrets: { masterKey: { check: key.check, path: key.path }, adminToken: { token: admin.token, path: admin.path } },
    });
  }
  logger.info({ event: 'store', store: describeStore(store, dataDir), artifactDir: artifactDir ?? join(dataDir, 'artifacts') }, 'store');
  if (store.kind === 'postgres' && !artifactDir) {
    logger.warn({ event: 'artifacts-not-shared' }, `Artifacts are kept in ${join(dataDir, 'artifacts')}, which other replicas of this store cannot read; `
      + 'set SWITCHYARD_ARTIFACT_DIR (or --artifact-dir) to a folder every replica shares (docs/store.md).');
  }
  if (kubernetes) {
    logger.info({ event: 'kubernetes-backend', namespace: kubernetes.settings.namespace, server: kubernetes.cluster.server, config: kubernetes.cluster.source,
      hostImage: kubernetes.settings.hostImage, controlPlaneUrl: kubernetes.settings.controlPlaneUrl },
    `Instances run as pods in namespace ${kubernetes.settings.namespace} of ${kubernetes.cluster.server} (${kubernetes.cluster.source})`);
  } else if (isolation.isolated) {
    logger.info({ event: 'instance-isolation', user: isolation.user.name, uid: isolation.user.uid, instanceDir },
      `Instances run as ${isolation.user.name} (uid ${isolation.user.uid}) with a group per deployment; staged files in ${instanceDir}`);
  } else {
    logger.warn({ event: 'instances-not-isolated', reason: isolation.reason },
      `WARNING: instances run as this server's own user (${isolation.reason}): a scoring script can read the admin token, ` +
        'the master key and the store. Deploying code is therefore reserved to Owner (onlineEndpoints/deployments/runAsServer/action); ' +
        'start the server as root with an instance user to lift this (docs/security.md).');
  }

  // Both listeners share one process, hence one open-file limit (Node raised the soft limit to the hard
  // one at start): the gateway's connection cap is sized under it, next to the control plane's.
  const files = openFileLimit();
  const gatewayLimits = gatewayLimitsFromEnv(process.env, { openFileLimit: files?.soft ?? Number.NaN, controlConnections: security.controlMaxConnections });
  logger.info({ openFileLimit: files?.soft, gatewayMaxConnections: gatewayLimits.maxConnections, controlMaxConnections: security.controlMaxConnections },
    'connection limits');
  const gatewayWorkers = options.gatewayWorkers ?? gatewayWorkersFromEnv(process.env);
  if (gatewayWorkers > 1) logger.info({ gatewayWorkers }, `gateway: ${gatewayWorkers} worker processes share the port`);
  const gateway = await GatewayHost.start({ host, port: options.gatewayPort ?? DEFAULT_GATEWAY_PORT, logger: logger.child({ component: 'gateway' }), limits: gatewayLimits,
    ...(tls ? { tls } : {}),
    ...(gatewayWorkers > 1 ? { workers: gatewayWorkers } : {}),
  }).catch(async (e: unknown) => { await replica?.close(); throw e; });
  let plane;
  try {
    plane = await assembleControlPlane({
      dataDir, logger, adminToken: admin.token, mintToken,
      gateway, store, gatewayFleet,
      ...(artifactDir ? { artifactDir } : {}),
      codeRunsAsServer: !kubernetes && !isolation.isolated,
      makeBackend: (events, drain, credentials) => kubernetes ? new kubernetes.KubernetesBackend({
        cluster: kubernetes.cluster, settings: kubernetes.settings, credentials, events, drain, logger: logger.child({ component: 'runtime' }),
      }) : new LocalBackend({
        dataDir, events, drain, logger: logger.child({ component: 'runtime' }),
        instanceUser: isolation.isolated ? isolation.user : null, instanceDir, zygote,
        ...(options.python ? { python: options.python } : {}),
        ...(logLimits ? { logLimits } : {}),
      }),
      ...(maxArtifactBytes ? { maxArtifactBytes } : {}),
      ...(options.tokenTtlSeconds ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
      security,
      ...(tls ? { tls } : {}),
      ...(masterKeyFile ? { masterKeyFile } : {}),
      ...(replica ? { replica } : {}),
      ...(kubernetes ? { kubernetes: kubernetes.settings } : {}),
    });
    if (replica) {
      // A replica's gateway routes from the store (and the leader's instance list) at once; what is in
      // flight is the leader's to finish, and this replica's once it is elected (attach(), below).
      // Instances an earlier process of this data dir left (it was killed while leading) are stopped.
      await plane.backend.recover();
      await plane.publisher.publish();
    } else {
      // Bring back what the store says before taking requests: the gateway gets its first snapshot,
      // anything an earlier process left Creating/Updating/Deleting is driven to an end, and the
      // instances of every deployment start again.
      await plane.reconciler.recover();
      plane.rollouts.recover();
    }
    await plane.app.listen({ host, port: options.port ?? DEFAULT_CONTROL_PORT });
  } catch (e) {
    await plane?.close();
    await replica?.close();
    await gateway.close();
    throw e;
  }
  const address = plane.app.server.address();
  const controlUrl = urlOf(host, typeof address === 'object' && address ? address.port : options.port ?? DEFAULT_CONTROL_PORT, tls ? 'https' : 'http');
  const gatewayUrl = gateway.url.replace(/\/$/, '');
  replica?.attach(plane, { controlUrl, gatewayUrl });
  logger.info({ event: 'serving', controlUrl, gatewayUrl, dataDir, adminTokenFile: admin.path, adminTokenCreated: admin.created },
    `Switchyard control plane at ${controlUrl}, gateway at ${gatewayUrl}; admin token in ${admin.path}`);

  const running = plane;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, onSignal);
      logger.info({ event: 'closing' }, 'Switchyard is shutting down');
      // A leader lets go of the lock first: another replica takes over while this one stops.
      await replica?.close();
      // The gateway finishes the requests it admitted before the instances behind them stop.
      await running.close({ beforeBackendShutdown: () => gateway.close() });
      logger.info({ event: 'closed' }, 'Switchyard stopped');
    })();
    return closing;
  };
  const onSignal = (): void => { void close(); };
  if (options.handleSignals !== false) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, onSignal);
  }
  return {
    controlUrl, gatewayUrl, dataDir, isolation, close,
    ...(kubernetes ? { kubernetes: { namespace: kubernetes.settings.namespace, server: kubernetes.cluster.server } } : {}),
  };
}

/**
 * The Kubernetes backend's settings and cluster connection. The backend's module (and the client
 * library, which takes a while to load) is imported only when it is used.
 */
async function kubernetesRuntime(options: ServeOptions) {
  const settings = kubernetesSettings({ ...(options.namespace ? { namespace: options.namespace } : {}) });
  const { connectCluster } = await import('../runtime/kubernetes/cluster-connection.js');
  const cluster = connectCluster({ ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}), namespace: settings.namespace });
  const { KubernetesBackend } = await import('../runtime/kubernetes/backend.js');
  return { settings, cluster, KubernetesBackend };
}
