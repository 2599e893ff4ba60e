// What the control plane's services share: the store, the runtime, the reconciler and the ways to the
// gateway. Built once by serve() (or by a test with fakes) and handed to buildControlApp().
import type { Logger } from '../logger.js';
import type { RuntimeBackend } from '../runtime/backend.js';
import type { KubernetesSettings } from '../runtime/kubernetes/manifests.js';
import type { DeploymentCredentials } from './deployment-credentials.js';
import type { Store } from '../store/store.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { Operations } from './operations.js';
import type { Publisher, Reconciler } from './reconciler.js';
import type { ComparisonService } from './comparison-service.js';
import type { EndpointFigures } from '../gateway/rollout-figures.js';

/** The gateway's counters, as the control plane reads them for /metrics and per-deployment JSON. */
export interface GatewayMetrics {
  metricsText(): Promise<string>;
  metricsJson(): Promise<unknown>;
  /** One endpoint's cumulative answers and recent latencies (the rollout controller's windows). */
  figures(endpoint: string): Promise<EndpointFigures>;
}

/** Signs aml_tokens (gateway/token.ts mintToken in production). */
export type TokenMinter = (endpoint: string, secretHex: string, ttlSeconds: number) => {
  accessToken: string; expiryTimeUtc: string; refreshAfterTimeUtc: string; tokenType: 'Bearer';
};

export interface ControlContext {
  store: Store;
  artifacts: ArtifactStore;
  backend: RuntimeBackend;
  reconciler: Reconciler;
  operations: Operations;
  publisher: Publisher;
  gateway: GatewayMetrics;
  /** Mirrored answers compared with live ones, per shadow (comparison-service.ts). */
  comparison: ComparisonService;
  /** Prometheus text of the comparer's figures, appended to the gateway's at /metrics. */
  comparisonMetricsText(): Promise<string>;
  mintToken: TokenMinter;
  /** Base URL of the scoring gateway, for scoring_uri and openapi_uri. */
  gatewayUrl: string;
  logger: Logger;
  /** aml_token lifetime (default 24 h; clients refresh at half-life). */
  tokenTtlSeconds: number;
  /**
   * How long a route waits for a quick change (endpoint create/update) to finish before answering 202,
   * so that routing changes are in force when the CLI's call returns.
   */
  quickWaitMs: number;
  /**
   * The Kubernetes backend's settings when it runs; absent, `online-deployment manifests` renders with
   * runtime/kubernetes/settings.ts's environment and defaults.
   */
  kubernetes?: KubernetesSettings;
  /** Instance secrets and artifact fetch tokens (GET /api/v1/artifacts/:digest/archive checks the latter). */
  deploymentCredentials?: DeploymentCredentials;
}
