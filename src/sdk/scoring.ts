// Calling an endpoint's scoring URI (the data plane), as curl would: the body as given, JSON content
// type, the key or token as a bearer credential, and `azureml-model-deployment` to pick a deployment.
import { SwitchyardError, type ErrorCode } from '../errors.js';
import { unreachable, type FetchLike } from './transport.js';

export interface ScoreOptions {
  credential: string;
  deployment?: string;
  contentType?: string;
  headers?: Record<string, string>;
  fetch?: FetchLike;
  signal?: AbortSignal;
}

export interface ScoreResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function codeForScoringStatus(status: number): ErrorCode {
  if (status === 401) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  if (status === 408 || status === 504) return 'Timeout';
  if (status === 413) return 'PayloadTooLarge';
  if (status === 400) return 'BadRequest';
  return 'InstanceFailed';
}

/** POSTs `body` to a scoring URI; answers status, headers and body whatever the status. */
export async function score(scoringUri: string, body: string | Uint8Array, options: ScoreOptions): Promise<ScoreResponse> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    authorization: `Bearer ${options.credential}`,
    ...options.headers,
  };
  if (options.deployment) headers['azureml-model-deployment'] = options.deployment;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(scoringUri, { method: 'POST', headers, body: body as RequestInit['body'], signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw unreachable(new URL(scoringUri).origin, e);
  }
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => { out[k] = v; });
  return { status: res.status, headers: out, body: await res.text() };
}

/** The error for a non-2xx scoring answer: the status and the body, as the user needs them. */
export function scoringError(res: ScoreResponse): SwitchyardError {
  const reason = res.headers['ms-azureml-model-error-reason'];
  const text = res.body.trim().slice(0, 2000);
  const parts = [`the scoring request failed with HTTP ${res.status}`];
  if (reason) parts.push(`(${reason})`);
  return new SwitchyardError(codeForScoringStatus(res.status), `${parts.join(' ')}${text ? `: ${text}` : ''}`, { status: res.status });
}
