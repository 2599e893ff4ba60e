// Which headers cross the gateway. To the instance: the client's headers (score.py's run() may read
// them) minus hop-by-hop ones, the Host, and Authorization (the credential is the gateway's business;
// user code and its logs never see it). Back to the client: the instance's headers minus hop-by-hop ones
// and the ones the gateway itself sets.
import type { IncomingHttpHeaders } from 'node:http';

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
      return true;
    default:
      return false;
  }
}

/** Flat [name, value, ...] list for the upstream request, with the gateway's x-request-id. */
export function headersTowardsInstance(h: IncomingHttpHeaders, requestId: string): string[] {
  const out: string[] = [];
  for (const name in h) {
    if (dropTowardsInstance(name)) continue;
    const v = h[name];
    if (v === undefined) continue;
    if (typeof v === 'string') out.push(name, v);
    else for (const item of v) out.push(name, item);
  }
  out.push('x-request-id', requestId);
  return out;
}

/** Upstream response header names (any case) not passed back to the client. */
export function dropTowardsClient(name: string): boolean {
  // Switch on length first: most names (content-type, content-length, date) exit without lowercasing.
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te';
    case 7: {
      const l = name.toLowerCase();
      return l === 'trailer' || l === 'upgrade';
    }
    case 10: {
      const l = name.toLowerCase();
      return l === 'connection' || l === 'keep-alive';
    }
    case 12:
      return name.toLowerCase() === 'x-request-id';
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    case 17:
      return name.toLowerCase() === 'transfer-encoding';
    case 22:
      return name.toLowerCase() === 'x-ms-client-request-id';
    case 24:
      return name.toLowerCase() === 'azureml-model-deployment';
    default:
      return false;
  }
}
