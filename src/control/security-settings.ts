// The control plane's protective limits, in one place: audit retention, the failed-authentication rate
// limit, the artifact extraction caps and the listener's connection limits. Defaults here; `serve` reads
// overrides from SWITCHYARD_* variables (docs/server-settings.md), tests pass them directly.
import { SwitchyardError } from '../errors.js';

export interface SecuritySettings {
  /** Real actions (changes, key and token actions) are kept this many days. */
  auditRetentionDays: number;
  /** Denied attempts (aggregated per source, principal, action, reason and minute) are kept this many days... */
  deniedRetentionDays: number;
  /** ...and at most this many aggregate rows (the oldest windows go first). */
  deniedMaxRows: number;
  /** Failed authentications a source may make per window before it gets 429. */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  /** Sources the rate limiter remembers at once (the least recently failing are forgotten first). */
  authFailureSources: number;
  /** Largest total size of the files of one artifact, once decompressed. */
  maxUnpackedBytes: number;
  /** Most entries (files and folders) in one artifact. */
  maxEntries: number;
  /** Deepest path (in segments) of an entry. */
  maxPathDepth: number;
  /** Most open connections on the control-plane listener (more are closed at once). */
  controlMaxConnections: number;
  /** Time a client has to send a request head to the control plane. */
  controlHeadersTimeoutMs: number;
  /** Time a client has to send a whole request (artifact uploads included). */
  controlRequestTimeoutMs: number;
}

export const DEFAULT_SECURITY: SecuritySettings = {
  auditRetentionDays: 365,
  deniedRetentionDays: 30,
  deniedMaxRows: 100_000,
  authFailureLimit: 60,
  authFailureWindowSeconds: 60,
  authFailureSources: 10_000,
  maxUnpackedBytes: 8 * 1024 ** 3,
  maxEntries: 50_000,
  maxPathDepth: 32,
  controlMaxConnections: 512,
  controlHeadersTimeoutMs: 10_000,
  controlRequestTimeoutMs: 15 * 60_000,
};

/** Each setting's variable and smallest accepted value. */
const VARIABLES: Record<keyof SecuritySettings, { name: string; min: number }> = {
  auditRetentionDays: { name: 'SWITCHYARD_AUDIT_RETENTION_DAYS', min: 1 },
  deniedRetentionDays: { name: 'SWITCHYARD_AUDIT_DENIED_RETENTION_DAYS', min: 1 },
  deniedMaxRows: { name: 'SWITCHYARD_AUDIT_DENIED_MAX_ROWS', min: 100 },
  authFailureLimit: { name: 'SWITCHYARD_AUTH_FAILURE_LIMIT', min: 1 },
  authFailureWindowSeconds: { name: 'SWITCHYARD_AUTH_FAILURE_WINDOW_SECONDS', min: 1 },
  authFailureSources: { name: 'SWITCHYARD_AUTH_FAILURE_SOURCES', min: 100 },
  maxUnpackedBytes: { name: 'SWITCHYARD_MAX_ARTIFACT_UNPACKED_BYTES', min: 1024 },
  maxEntries: { name: 'SWITCHYARD_MAX_ARTIFACT_ENTRIES', min: 1 },
  maxPathDepth: { name: 'SWITCHYARD_MAX_ARTIFACT_PATH_DEPTH', min: 1 },
  controlMaxConnections: { name: 'SWITCHYARD_CONTROL_MAX_CONNECTIONS', min: 8 },
  controlHeadersTimeoutMs: { name: 'SWITCHYARD_CONTROL_HEADERS_TIMEOUT_MS', min: 100 },
  controlRequestTimeoutMs: { name: 'SWITCHYARD_CONTROL_REQUEST_TIMEOUT_MS', min: 1000 },
};

/** The settings with SWITCHYARD_* overrides; an invalid value stops the start with the variable's name. */
export function securitySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SecuritySettings {
  const out: SecuritySettings = { ...DEFAULT_SECURITY };
  for (const [key, { name, min }] of Object.entries(VARIABLES) as Array<[keyof SecuritySettings, { name: string; min: number }]>) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new SwitchyardError('InvalidValue', `${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
    }
    out[key] = n;
  }
  if (out.controlRequestTimeoutMs < out.controlHeadersTimeoutMs) {
    throw new SwitchyardError('InvalidValue',
      `SWITCHYARD_CONTROL_REQUEST_TIMEOUT_MS (${out.controlRequestTimeoutMs}) must not be shorter than SWITCHYARD_CONTROL_HEADERS_TIMEOUT_MS (${out.controlHeadersTimeoutMs})`);
  }
  return out;
}

export const withDefaults = (partial: Partial<SecuritySettings> = {}): SecuritySettings => {
  const out = { ...DEFAULT_SECURITY };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (out as Record<string, number>)[k] = v;
  return out;
};
