// One catalogue of typed errors. Each has a stable `code` that callers branch on (never the message),
// one HTTP status, and a message that says what was wrong (with the offending value) and what to do.
// The REST API answers `{ "error": { "code", "message", "details"? } }`; the CLI prints the message and
// exits with exitCodeFor(code).

export type ErrorCode =
  // input and validation (400)
  | 'InvalidName'
  | 'InvalidYaml'
  | 'UnknownKey'
  | 'InvalidValue'
  | 'MissingField'
  | 'TrafficSumInvalid'
  | 'TrafficUnknownDeployment'
  | 'TrafficNotAllowedAtCreate'
  | 'MirrorInvalid'
  | 'MirrorHasLiveTraffic'
  | 'AuthModeUnsupported'
  | 'InvalidArtifact'
  | 'InvalidReference'
  | 'InvalidSet'
  | 'BadRequest'
  | 'AuthModeMismatch'
  // auth (401/403)
  | 'Unauthorized'
  | 'Forbidden'
  // lookups (404)
  | 'EndpointNotFound'
  | 'DeploymentNotFound'
  | 'ModelNotFound'
  | 'EnvironmentNotFound'
  | 'OperationNotFound'
  | 'ArtifactNotFound'
  | 'TokenNotFound'
  | 'RolloutNotFound'
  | 'GatewayNotFound'
  | 'NotFound'
  // conflicts (409)
  | 'EndpointExists'
  | 'DeploymentExists'
  | 'AssetExists'
  | 'AssetImmutable'
  | 'OperationInProgress'
  | 'DeploymentHasLiveTraffic'
  | 'TooManyDeployments'
  | 'DeploymentHasMirrorTraffic'
  | 'RolloutInProgress'
  | 'RolloutNotActive'
  // replicas (docs/scale-out.md): what only the leader replica can answer (its machine's instance logs)
  | 'NotLeader'
  // sizes (413)
  | 'PayloadTooLarge'
  | 'ArtifactLimitExceeded'
  // rate limits (429)
  | 'TooManyRequests'
  // runtime
  | 'EnvironmentUnsatisfied'
  | 'InitFailed'
  | 'InstanceFailed'
  // a routing change not acknowledged by every live standalone gateway in time (docs/gateway.md)
  | 'GatewayLagging'
  // client side
  | 'ServerUnreachable'
  // the shared store (PostgreSQL) did not answer, or a write kept conflicting with other replicas'
  | 'StoreUnavailable'
  | 'StoreConflict'
  | 'UsageError'
  | 'Timeout'
  // bugs
  | 'Internal';

const STATUS: Record<ErrorCode, number> = {
  InvalidName: 400, InvalidYaml: 400, UnknownKey: 400, InvalidValue: 400, MissingField: 400,
  TrafficSumInvalid: 400, TrafficUnknownDeployment: 400, TrafficNotAllowedAtCreate: 400,
  MirrorInvalid: 400, MirrorHasLiveTraffic: 400, AuthModeUnsupported: 400, InvalidArtifact: 400,
  InvalidReference: 400, InvalidSet: 400, BadRequest: 400,
  Unauthorized: 401, Forbidden: 403,
  EndpointNotFound: 404, DeploymentNotFound: 404, ModelNotFound: 404, EnvironmentNotFound: 404,
  OperationNotFound: 404, ArtifactNotFound: 404, TokenNotFound: 404, NotFound: 404,
  EndpointExists: 409, DeploymentExists: 409, AssetExists: 409, AssetImmutable: 409,
  OperationInProgress: 409, DeploymentHasLiveTraffic: 409, TooManyDeployments: 409,
  DeploymentHasMirrorTraffic: 409, AuthModeMismatch: 400,
  RolloutNotFound: 404, RolloutInProgress: 409, RolloutNotActive: 409,
  NotLeader: 409,
  GatewayNotFound: 404, GatewayLagging: 504,
  PayloadTooLarge: 413, ArtifactLimitExceeded: 413,
  TooManyRequests: 429,
  EnvironmentUnsatisfied: 400, InitFailed: 500, InstanceFailed: 500,
  ServerUnreachable: 503, UsageError: 400, Timeout: 504,
  StoreUnavailable: 503, StoreConflict: 503,
  Internal: 500,
};

export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'SwitchyardError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
  toJSON(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function isSwitchyardError(e: unknown): e is SwitchyardError {
  return e instanceof SwitchyardError;
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Exit codes of the CLI: 0 ok, 1 error, 2 usage (as gh documents them). */
export function exitCodeFor(code: ErrorCode): number {
  return code === 'UsageError' ? 2 : 1;
}

export const isErrorCode = (s: string): s is ErrorCode => Object.prototype.hasOwnProperty.call(STATUS, s);
