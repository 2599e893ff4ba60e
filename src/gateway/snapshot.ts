// The routing snapshot: an immutable, versioned table the control plane builds from the store and the
// runtime's instance states, and publishes to the gateway as one plain message (structured-clone safe,
// so the same message can later feed gateways on other machines). The gateway swaps it in one step;
// a request finishes on the snapshot it started with.

export interface RoutingSnapshot {
  /** Strictly increasing; the gateway acknowledges the version it has swapped in. */
  version: number;
  endpoints: Record<string, EndpointRoute>;
}

export interface EndpointRoute {
  name: string;
  authMode: 'key' | 'aml_token';
  /** sha256 (hex) of the primary and secondary keys; compared in constant time. Never the keys. */
  keyHashes: string[];
  /** HMAC-SHA256 secret (hex) that signs this endpoint's aml_tokens (see gateway/token.ts). */
  tokenSecret: string;
  /** Positive weights only, summing to 100, or empty (then unnamed requests get 404). */
  traffic: Array<{ deployment: string; weight: number }>;
  mirror: { deployment: string; percent: number } | null;
  /**
   * The shadow_traffic extension: any number of shadows, each sampled independently (0..100 percent),
   * possibly deployments with live traffic too (a copy never goes to the deployment that answered).
   * Absent or empty: none.
   */
  shadows?: Array<{ deployment: string; percent: number }>;
  /**
   * The sticky_header extension (lower case): unnamed requests carrying it go to the deployment its
   * value hashes to (route-sticky.ts); absent or null: the ordinary split for every request.
   */
  stickyHeader?: string | null;
  /**
   * Noise calibration (shadow_compare.calibrate_percent): this share of the requests that are copied
   * to a shadow is also copied to the live deployment that answered, so the comparer learns which
   * outputs vary between two answers of the same model. Absent or 0: off.
   */
  calibratePercent?: number;
  deployments: Record<string, DeploymentRoute>;
  /** The endpoint's public_network_access; 'disabled': the gateway answers it only from loopback. Absent: enabled. */
  publicNetworkAccess?: 'enabled' | 'disabled';
}

export interface DeploymentRoute {
  name: string;
  requestTimeoutMs: number;
  maxConcurrentPerInstance: number;
  /** Desired instance count: the 429 bound is 2 × maxConcurrentPerInstance × instanceCount. */
  instanceCount: number;
  /**
   * Ready instances only, in a stable order. `secret`: what the instance requires in
   * `x-switchyard-instance-secret` (instances refuse requests without it; see docs/security.md).
   */
  instances: Array<{ name: string; url: string; secret?: string }>;
  /** Path of the scoring route on an instance ('/score' unless a custom container says otherwise). */
  scorePath: string;
  /** Path of the OpenAPI document on an instance ('/swagger.json'). */
  swaggerPath: string;
}

export const emptySnapshot = (): RoutingSnapshot => ({ version: 0, endpoints: {} });
