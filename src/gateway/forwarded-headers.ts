// Which headers cross the gateway. To the instance: the client's headers (score.py's run() may read
// them) minus hop-by-hop ones, the Host, and Authorization (the credential is the gateway's business;
// user code and its logs never see it). Back to the client: the instance's headers minus framing and
// hop-by-hop ones, the ones the gateway itself sets, and the ones that would reach beyond this answer
// (see dropTowardsClient).
import type { IncomingHttpHeaders } from 'node:http';
import { trimOws } from './http-syntax.js';

/** Lower-case header names not forwarded to instances. */
function dropTowardsInstance(name: string): boolean {
  switch (name) {
    case 'host':
    case 'connection':
    case 'keep-alive':
    case 'transfer-encoding':
    case 'content-length':
    case 'te':
    case 'trailer':
    case 'upgrade':
    case 'expect':
    case 'authorization':
    case 'proxy-authorization':
    case 'proxy-connection':
    case 'x-request-id':
    case 'x-switchyard-instance-secret': // the gateway's own, never a client's
      return true;
    default:
      return false;
  }
}

/**
 * Flat [name, value, ...] list for the upstream request, with the gateway's x-request-id. `names`: the
 * header names in order (request-parser.ts lists them), which spares a for-in over `h` per request.
 */
export function headersTowardsInstance(h: IncomingHttpHeaders, requestId: string, names?: readonly string[]): string[] {
  const out: string[] = [];
  if (names !== undefined) for (let i = 0; i < names.length; i++) forward(h, names[i]!, out);
  else for (const name in h) forward(h, name, out);
  out.push('x-request-id', requestId);
  return out;
}

function forward(h: IncomingHttpHeaders, name: string, out: string[]): void {
  if (dropTowardsInstance(name)) return;
  const v = h[name];
  if (v === undefined) return;
  if (typeof v === 'string') out.push(name, v);
  else for (const item of v) out.push(name, item);
}

/**
 * Upstream response header names (any case) not passed back to the client:
 * - framing and hop-by-hop headers: the gateway frames every answer itself (client-connection.ts);
 * - headers only the gateway sets: Date, the correlation ids, azureml-model-deployment and the
 *   ms-azureml-model-error-* pair (a model must not be able to claim another deployment answered);
 * - headers that act beyond this answer on every service of the same host name (the control plane, the
 *   console, other endpoints: cookies and HSTS ignore ports): Set-Cookie, Set-Cookie2, Clear-Site-Data,
 *   Strict-Transport-Security, Alt-Svc.
 * Everything else passes (Content-Type, Content-Encoding, Cache-Control, custom headers...), after
 * response-parser.ts made sure every name is a token and no value holds a control character.
 */
export function dropTowardsClient(name: string): boolean {
  // Switch on length first: most names (content-type, server, custom ones) exit without lowercasing.
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te';
    case 4:
      return name.toLowerCase() === 'date';
    case 7: {
      const l = name.toLowerCase();
      return l === 'trailer' || l === 'upgrade' || l === 'alt-svc';
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' || l === 'keep-alive' || l === 'set-cookie';
    }
    case 11:
      return name.toLowerCase() === 'set-cookie2';
    case 12:
      return name.toLowerCase() === 'x-request-id';
    case 14:
      return name.toLowerCase() === 'content-length';
    case 15:
      return name.toLowerCase() === 'clear-site-data';
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    case 17:
      return name.toLowerCase() === 'transfer-encoding';
    case 22:
      return name.toLowerCase() === 'x-ms-client-request-id';
    case 24:
      return name.toLowerCase() === 'azureml-model-deployment';
    case 25:
      return name.toLowerCase() === 'strict-transport-security';
    case 29:
      return name.toLowerCase() === 'ms-azureml-model-error-reason';
    case 33:
      return name.toLowerCase() === 'ms-azureml-model-error-statuscode';
    case 28:
      return name.toLowerCase() === 'x-switchyard-instance-secret'; // a script echoing it back
    default:
      return false;
  }
}

/**
 * Appends to `out` the upstream headers the client may see ([name, value, ...]): dropTowardsClient()
 * applied, and also any header the upstream's Connection header names as hop-by-hop (RFC 9110 §7.6.1).
 */
export function headersTowardsClient(upstream: readonly string[], out: string[]): void {
  const start = out.length;
  let hop: string[] | null = null;
  for (let i = 0; i + 1 < upstream.length; i += 2) {
    const name = upstream[i]!;
    if (dropTowardsClient(name)) {
      if (name.length === 10 && name.toLowerCase() === 'connection') hop = connectionOptions(upstream[i + 1]!, hop);
      continue;
    }
    out.push(name, upstream[i + 1]!);
  }
  if (hop === null) return;
  let w = start;
  for (let r = start; r + 1 < out.length; r += 2) {
    if (hop.includes(out[r]!.toLowerCase())) continue;
    out[w++] = out[r]!;
    out[w++] = out[r + 1]!;
  }
  out.length = w;
}

/** Header names a Connection value lists besides close and keep-alive (lower case), or `hop` unchanged. */
function connectionOptions(value: string, hop: string[] | null): string[] | null {
  for (const part of value.split(',')) {
    const t = trimOws(part).toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive') (hop ??= []).push(t);
  }
  return hop;
}
