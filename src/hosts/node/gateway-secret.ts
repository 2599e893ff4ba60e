// The instance's secret: only the Switchyard gateway (and the server's probes) present it. The server
// writes a fresh one for every start of an instance into a file readable only by that instance (and the
// server), named by SWITCHYARD_INSTANCE_SECRET_FILE. The host reads it once, before the scoring module
// loads, and refuses every request whose `x-switchyard-instance-secret` header does not match (constant
// time); the header is removed before run() sees the request headers. Without the variable (the host
// run by hand) every request is served.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

export const SECRET_HEADER = 'x-switchyard-instance-secret';

export function readSecret(env: NodeJS.ProcessEnv = process.env): Buffer | null {
  const path = env.SWITCHYARD_INSTANCE_SECRET_FILE;
  if (!path) return null;
  let secret: Buffer;
  try {
    secret = Buffer.from(readFileSync(path, 'latin1').trim(), 'latin1');
  } catch (e) {
    throw new Error(`cannot read the instance secret ${path}: ${(e as Error).message}`);
  }
  if (secret.length < 32) throw new Error(`the instance secret in ${path} is too short`);
  return secret;
}

/** True when the request carries the secret exactly once; the header is taken off the request either way. */
export function takeSecret(req: IncomingMessage, secret: Buffer): boolean {
  const presented = req.headers[SECRET_HEADER];
  delete req.headers[SECRET_HEADER];
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i]!.length === SECRET_HEADER.length && raw[i]!.toLowerCase() === SECRET_HEADER) {
      raw.splice(i, 2);
      seen++;
    }
  }
  if (seen !== 1 || typeof presented !== 'string') return false;
  const given = Buffer.from(presented, 'latin1');
  return given.length === secret.length && timingSafeEqual(given, secret);
}
