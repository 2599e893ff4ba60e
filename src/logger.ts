// Structured server logs: one JSON object per line (pino) on stderr, so that stdout carries only the
// machine-readable lines of `switchyard serve` (the `listening` event). Secrets are redacted by key name.
import { pino, destination, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys that hold secrets, at the top level or one level down. Nothing logs them on purpose (request
 * logging is off; routes log method, URL and status), this is the net under it.
 */
const SECRET_KEYS = [
  'authorization', 'primaryKey', 'secondaryKey', 'keys', 'accessToken', 'token', 'token_secret', 'tokenSecret',
  'key', 'masterKey', 'adminToken',
];
export const REDACTED_PATHS = [
  ...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization', '*.headers.authorization',
];

export function createLogger(options: { level?: string; name?: string; stream?: DestinationStream } = {}): Logger {
  return pino({
    name: options.name ?? 'switchyard',
    level: options.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }, options.stream ?? destination({ fd: 2, sync: false }));
}

/** A logger that drops everything (tests). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
