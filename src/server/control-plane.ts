// Assembles the control plane around a gateway and a runtime backend: store, artifact store,
// operations, reconciler, snapshot publisher and the control API. serve() hands it the real gateway
// and LocalBackend; integration tests hand it fakes, so they exercise this same wiring.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';
import type { BackendEvents, Drainer, RuntimeBackend } from '../runtime/backend.js';
import type { Store } from '../store/store.js';
import { openStore, parseStoreSetting, type StoreSetting } from '../store/open-store.js';
import { ArtifactStore } from '../store/artifact-store.js';
import { Operations } from '../control/operations.js';
import { Reconciler } from '../control/reconciler.js';
import { SnapshotPublisher, type SnapshotSink } from '../control/snapshot-publisher.js';
import { buildSnapshot } from '../control/snapshot-builder.js';
import { buildControlApp } from '../control/app.js';
import { adminTokenResolver, anyOf } from '../control/auth.js';
import { AccessTokens } from '../control/access-tokens.js';
import { ensureMasterKey } from './master-key.js';
import { DeploymentCredentials } from '../control/deployment-credentials.js';
import type { KubernetesSettings } from '../runtime/kubernetes/manifests.js';
import type { ControlContext, GatewayMetrics, TokenMinter } from '../control/context.js';
import { withDefaults, type SecuritySettings } from '../control/security-settings.js';
import type { TlsMaterial } from '../control/listener.js';
import { Comparer } from '../control/comparer.js';
import { cpuPriorities } from '../control/cpu-priorities.js';
import { ComparisonService } from '../control/comparison-service.js';
import { comparisonRegistry } from '../control/comparison-metrics.js';
import type { EvidenceHandler } from '../gateway/host.js';
import { readTolerance, DEFAULT_TOLERANCE } from '../spec/compare.js';
import { EndpointService } from '../control/endpoint-service.js';
import { DeploymentService } from '../control/deployment-service.js';
import { RolloutController } from '../control/rollout-controller.js';
import { comparisonAgreement } from '../control/agreement-source.js';
import type { Replica } from './replicas/replica.js';
import { SnapshotFeed } from '../control/snapshot-feed.js';
import { DEFAULT_FLEET_SETTINGS, GatewayFleet, type GatewayFleetSettings } from '../control/gateway-fleet.js';

export interface GatewayPort extends SnapshotSink, GatewayMetrics {
  /** Base URL clients score at (scoring_uri = `${url}/endpoints/<name>/score`). */
  url: string;
  drain(urls: string[], timeoutMs: number): Promise<unknown>;
  /** Pairs of mirrored answers for the comparer (the real gateway has it; fakes may not). */
  onEvidence?(handler: EvidenceHandler | null): void;
}

export interface ControlPlaneOptions {
  dataDir: string;
  logger: Logger;
  adminToken: string;
  gateway: GatewayPort;
  /** `credentials`: the instance secrets and artifact fetch tokens of deployments (the Kubernetes backend's Secrets). */
  makeBackend(events: BackendEvents, drain: Drainer, credentials: DeploymentCredentials): RuntimeBackend;
  /** The Kubernetes backend's settings, so `online-deployment manifests` renders exactly what it applies. */
  kubernetes?: KubernetesSettings;
  mintToken: TokenMinter;
  maxArtifactBytes?: number;
  /** The store (default: SQLite in the data dir); a PostgreSQL one is shared by replicas (docs/store.md). */
  store?: StoreSetting;
  /** Where artifacts are kept (default `<data-dir>/artifacts`); replicas share one folder (docs/store.md). */
  artifactDir?: string;
  tokenTtlSeconds?: number;
  /** How long endpoint create/update answers wait for the change to be in force (default 10 s). */
  quickWaitMs?: number;
  /** Audit retention, auth rate limit, extraction caps, connection limits (defaults: security-settings.ts). */
  security?: Partial<SecuritySettings>;
  /** Certificate and key: the control API answers HTTPS. */
  tls?: TlsMaterial;
  /** Instances run as the server's own user (not isolated): deploying code needs Owner. */
  codeRunsAsServer?: boolean;
  /** The master key's file (default <data-dir>/master-key; replicas share one: docs/scale-out.md). */
  masterKeyFile?: string;
  /** One of several replicas sharing a PostgreSQL store: leader-only work, the leader's instances. */
  replica?: Pick<Replica, 'wrapBackend' | 'wrapSink' | 'operationsOptions' | 'leading' | 'forward' | 'list'>;
  /** Standalone gateways: heartbeat window and acknowledgement timeout (docs/gateway.md). */
  gatewayFleet?: Partial<GatewayFleetSettings>;
}

export interface ControlPlane {
  app: FastifyInstance;
  store: Store;
  artifacts: ArtifactStore;
  backend: RuntimeBackend;
  reconciler: Reconciler;
  publisher: SnapshotPublisher;
  operations: Operations;
  comparer: Comparer;
  /** Standalone gateways: what they are sent and who they are. */
  feed: SnapshotFeed;
  fleet: GatewayFleet;
  /** Continues stored rollouts: call recover() once the reconciler has recovered. */
  rollouts: RolloutController;
  /** Stops the API and the reconciler, then the backend; closes the store. The gateway is the caller's. */
  close(options?: { beforeBackendShutdown?: () => Promise<void> }): Promise<void>;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;
/** The longest a drain may take: the longest request_timeout_ms a deployment may set (docs/compatibility.md, "Deployments"). */
const DRAIN_TIMEOUT_CAP_MS = 180_000;

export async function assembleControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { logger, gateway } = options;
  const security = withDefaults(options.security);
  const { cipher, key } = await ensureMasterKey(options.dataDir, options.masterKeyFile);
  const replica = options.replica;
  const credentials = new DeploymentCredentials(key);
  const store = await openStore(options.store ?? parseStoreSetting(undefined), options.dataDir, cipher);
  try {
    const artifacts = new ArtifactStore({
      root: options.artifactDir ?? join(options.dataDir, 'artifacts'), store,
      ...(options.artifactDir ? { shared: true } : {}),
      ...(options.maxArtifactBytes ? { maxBytes: options.maxArtifactBytes } : {}),
      limits: {
        maxUnpackedBytes: security.maxUnpackedBytes, maxEntries: security.maxEntries, maxPathDepth: security.maxPathDepth,
      },
    });
    await artifacts.init();

    // Mirrored answers are compared here, on the main thread, never on the gateway's scoring thread.
    const comparer = new Comparer((endpoint) => {
      const spec = store.getEndpoint(endpoint)?.spec as { shadow_compare?: unknown } | undefined;
      try {
        return readTolerance(spec?.shadow_compare);
      } catch {
        return DEFAULT_TOLERANCE;
      }
    });
    gateway.onEvidence?.((pairs, drops) => comparer.ingest(pairs, drops));
    const comparisonMetrics = comparisonRegistry(comparer);

    // Standalone gateways read the snapshots the embedded one gets, and a change waits for their acks too.
    const feed = new SnapshotFeed();
    const fleet = new GatewayFleet(store, { ...DEFAULT_FLEET_SETTINGS, ...options.gatewayFleet });
    const embedded: SnapshotSink = replica ? replica.wrapSink(gateway) : gateway;
    const sink: SnapshotSink = {
      publish: async (snapshot) => {
        await embedded.publish(snapshot);
        feed.offer(snapshot);
        return fleet.waitForAcks(snapshot.version);
      },
    };

    // The publisher reads the backend's instance states, and the backend tells it when they change.
    let publisher: SnapshotPublisher | undefined;
    const events = { onInstancesChanged: () => publisher?.schedule() };
    const drain = async (urls: string[], timeoutMs: number) => { await gateway.drain(urls, Math.min(timeoutMs, DRAIN_TIMEOUT_CAP_MS)); };
    const backend = replica
      ? replica.wrapBackend((replicaEvents) => options.makeBackend(replicaEvents, drain, credentials), events)
      : options.makeBackend(events, drain, credentials);
    publisher = new SnapshotPublisher(
      (version) => {
        const endpoints = store.listEndpoints();
        const deployments = store.listDeployments();
        comparer.retain(new Set(endpoints.map((e) => e.spec.name)));
        // Shadow-only deployments yield the CPU (nice 19); applied to new instances as they appear.
        if (backend.setCpuPriority) {
          for (const p of cpuPriorities(endpoints, deployments)) backend.setCpuPriority(p.endpoint, p.deployment, p.priority);
        }
        return buildSnapshot({ version, endpoints, deployments, instances: (e, d) => backend.routable?.(e, d) ?? backend.instances(e, d) });
      },
      sink, logger.child({ component: 'snapshots' }), Date.now(), () => store.nextRoutingVersion());


    const operations = new Operations(store, undefined, replica?.operationsOptions());
    const reconciler = new Reconciler({
      store, backend, artifacts, operations, publisher, logger: logger.child({ component: 'reconciler' }), ...(replica ? { leadership: replica } : {}),
    });
    const context: ControlContext = {
      store, artifacts, backend, reconciler, operations, publisher, gateway,
      comparison: new ComparisonService(comparer, store),
      comparisonMetricsText: () => comparisonMetrics.metrics(),
      gatewayUrl: gateway.url.replace(/\/$/, ''),
      mintToken: options.mintToken,
      logger,
      tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
      quickWaitMs: options.quickWaitMs ?? 10_000,
      deploymentCredentials: credentials,
      ...(options.kubernetes ? { kubernetes: options.kubernetes } : {}),
    };
    const tokens = new AccessTokens(store);
    // The rollout controller changes traffic through the same services a user's request goes through.
    const endpointService = new EndpointService(context);
    const deploymentService = new DeploymentService(context);
    const rollouts = new RolloutController({
      store, backend, publisher, gateway, agreement: comparisonAgreement(context.comparison), logger: logger.child({ component: 'rollouts' }),
      ...(replica ? { leadership: replica } : {}),
      effects: {
        updateRouting: async (endpoint, routing) => { await endpointService.update(endpoint, routing, { byRollout: true }); },
        deleteDeployment: async (endpoint, name) => { deploymentService.delete(endpoint, name); },
      },
    });
    const app = await buildControlApp({
      context, tokens, auth: anyOf(adminTokenResolver(options.adminToken), tokens.resolver()), logger: logger.child({ component: 'control' }),
      security,
      ...(options.tls ? { tls: options.tls } : {}),
      rollouts: { controller: rollouts, hasAgreement: true },
      gateways: { feed, fleet },
      ...(options.codeRunsAsServer ? { codeRunsAsServer: true } : {}),
      ...(replica ? { replicas: () => replica.list() } : {}),
    });

    let closing: Promise<void> | undefined;
    const close = (closeOptions: { beforeBackendShutdown?: () => Promise<void> } = {}): Promise<void> => {
      closing ??= (async () => {
        const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
          try { await fn(); } catch (e) { logger.error({ err: e }, `shutdown: ${what} failed`); }
        };
        // Whatever is cut short stays recorded as Running/Creating/... and the next start finishes it.
        gateway.onEvidence?.(null);
        await step('control API', () => app.close());
        await step('rollout controller', () => rollouts.close());
        void reconciler.close(0);
        await step('snapshot publisher', () => publisher!.close());
        if (closeOptions.beforeBackendShutdown) await step('gateway', closeOptions.beforeBackendShutdown);
        await step('runtime backend', () => backend.shutdown());
        await step('reconciler', () => reconciler.close(5000));
        store.close();
      })();
      return closing;
    };
    return { app, store, artifacts, backend, reconciler, publisher, operations, comparer, rollouts, feed, fleet, close };
  } catch (e) {
    store.close();
    throw e;
  }
}
