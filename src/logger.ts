// Structured server logs: one JSON object per line (pino) on stderr, so that stdout carries only the
// machine-readable lines of `switchyard serve` (the `listening` event). Secrets are redacted by key name.
import { pino, destination, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'switchyard',
    level: options.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? 'info',
    redact: {
      paths: ['*.authorization', '*.headers.authorization', 'primaryKey', 'secondaryKey', 'accessToken', 'token', '*.token', 'key'],
      censor: '[redacted]',
    },
  }, destination({ fd: 2, sync: false }));
}

/** A logger that drops everything (tests). */
export const silentLogger = (): Logger => pino({ level: 'silent' });
