// The correlation headers of docs/compatibility.md, "Scoring": x-request-id (a GUID, kept when the client sent a valid one) and
// x-ms-client-request-id (echoed: letters, digits, '-' and '_' only, at most 40 characters).
import { randomUUID } from 'node:crypto';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const CLEAN_CLIENT_ID = /^[A-Za-z0-9_-]{1,40}$/;
const NOT_ALLOWED = /[^A-Za-z0-9_-]+/g;

export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && incoming.length === 36 && GUID.test(incoming) ? incoming : randomUUID();
}

/** The sanitised echo of x-ms-client-request-id, or undefined when nothing is left to echo. */
export function clientRequestIdOf(incoming: string | string[] | undefined): string | undefined {
  if (typeof incoming !== 'string' || incoming === '') return undefined;
  if (CLEAN_CLIENT_ID.test(incoming)) return incoming; // the common case: no copy
  const cleaned = incoming.slice(0, 4096).replace(NOT_ALLOWED, '').slice(0, 40);
  return cleaned === '' ? undefined : cleaned;
}
