// One HTTP exchange with the control plane: auth header, JSON in and out, and the translation of every
// failure into a SwitchyardError with a stable code. Callers branch on `code`, never on text.
import { SwitchyardError, isErrorCode, type ErrorCode } from '../errors.js';

export type FetchLike = typeof fetch;

export interface TransportOptions {
  /** Base URL of the control plane, e.g. http://127.0.0.1:7070. */
  url: string;
  token?: string;
  fetch?: FetchLike;
  userAgent?: string;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: AsyncIterable<Uint8Array> | Uint8Array | string;
  contentType?: string;
  /** 'json' (default) parses the answer; 'text' returns it as a string. */
  expect?: 'json' | 'text';
  signal?: AbortSignal;
}

/** Codes for answers whose body is not our error envelope (a proxy, an older server...). */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 409: return 'OperationInProgress';
    case 413: return 'PayloadTooLarge';
    case 504: return 'Timeout';
    default: return 'Internal';
  }
}

/** Builds the error for a non-2xx answer from its status and body text. */
export function errorFromResponse(status: number, bodyText: string, what: string): SwitchyardError {
  try {
    const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const err = parsed?.error;
    if (err && typeof err.message === 'string') {
      const code = typeof err.code === 'string' && isErrorCode(err.code) ? err.code : codeForStatus(status);
      return new SwitchyardError(code, err.message, err.details);
    }
  } catch {
    // not JSON: fall through
  }
  const text = bodyText.trim().slice(0, 500);
  return new SwitchyardError(codeForStatus(status), `${what} failed with HTTP ${status}${text ? `: ${text}` : ''}`);
}

/** The system error code behind a failed fetch (ECONNREFUSED, ENOTFOUND...), if any. */
function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && /^E[A-Z]+$/.test(c)) return c;
    const errors = (cur as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length) cur = errors[0];
    else cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost message of a fetch failure ("fetch failed" says nothing; its cause does). */
function rootMessage(e: unknown): string {
  let cur: unknown = e;
  let message = e instanceof Error ? e.message : String(e);
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    message = cur.message || message;
    cur = cur.cause;
  }
  return message;
}

/** TLS verification failures: the server answered, but with a certificate this process does not trust. */
function certificateProblem(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(c)) return `${c}: ${(cur as Error).message}`;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function unreachable(url: string, e: unknown): SwitchyardError {
  const cert = certificateProblem(e);
  if (cert) {
    return new SwitchyardError('ServerUnreachable',
      `cannot verify the TLS certificate of ${url} (${cert}). If the server uses a self-signed certificate, ` +
        'set SWITCHYARD_CA_FILE (or NODE_EXTRA_CA_CERTS) to that certificate\'s PEM file.');
  }
  const code = networkCode(e);
  const why = code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' ? 'host not found'
    : code ?? rootMessage(e);
  return new SwitchyardError(
    'ServerUnreachable',
    `cannot reach the Switchyard server at ${url} (${why}). Start it with \`switchyard serve\`, ` +
      'or set SWITCHYARD_URL to the address of a running server.',
  );
}

export class Transport {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: FetchLike;
  private readonly userAgent: string;

  constructor(options: TransportOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? 'switchyard-sdk';
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const method = options.method ?? 'GET';
    const target = new URL(this.url + path);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined) target.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      body = options.body as RequestInit['body'];
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body, signal: options.signal };
    // A streamed body needs half duplex in Node's fetch.
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) init.duplex = 'half';

    let res: Response;
    try {
      res = await this.fetchImpl(target, init);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      throw unreachable(this.url, e);
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text, `${method} ${path}`);
    if (options.expect === 'text') return text as T;
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new SwitchyardError('Internal', `${method} ${path}: the server answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
}
