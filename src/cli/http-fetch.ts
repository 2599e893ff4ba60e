// The CLI's fetch for plain requests (no body or a string/bytes body, plain-object headers, no abort
// signal), on node:http.
// Node's global fetch (undici) compiles its WebAssembly HTTP parser on first use, and the process then
// waits ~200 ms at exit for that compilation: more than the whole request. Anything else (streamed
// uploads, abortable calls) goes to the global fetch unchanged. Issue 16 (CLI start), measured in B6.
import { request as httpRequest } from 'node:http';
import type { FetchLike } from '../sdk/transport.js';

interface PlainHeaders { get(name: string): string | null; forEach(each: (value: string, name: string) => void): void }
interface PlainResponse { ok: boolean; status: number; statusText: string; headers: PlainHeaders; text(): Promise<string>; json(): Promise<unknown> }

// node:https (and with it tls and crypto) is imported only for an https:// URL: most calls go to a
// local server over http, and the import costs a few milliseconds of every CLI start.
export const httpFetch: FetchLike = async (input, init) => {
  const body = init?.body;
  const given = init?.headers;
  const plainHeaders = given == null || (typeof given === 'object' && !Array.isArray(given) && Object.getPrototypeOf(given) === Object.prototype);
  const plain = (body == null || typeof body === 'string' || body instanceof Uint8Array) && !init?.signal && plainHeaders && (typeof input === 'string' || input instanceof URL);
  if (!plain) return fetch(input, init);
  const url = new URL(input as string | URL);
  const headers = { ...(given as Record<string, string> | undefined) };
  const send = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: init?.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        const response: PlainResponse = {
          ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '',
          headers: {
            get: (name) => { const v = res.headers[name.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; },
            forEach: (each) => { for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) each(Array.isArray(v) ? v.join(', ') : v, k); },
          },
          text: async () => text,
          json: async () => JSON.parse(text) as unknown,
        };
        resolve(response as unknown as Response);
      });
    });
    // Shaped like fetch's failure, so the transport finds the system error code (ECONNREFUSED ...) in `cause`.
    req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    req.end(body == null ? undefined : body);
  });
};
