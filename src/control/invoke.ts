// Calling an endpoint's scoring URI on the caller's behalf (POST /api/v1/endpoints/:name/invoke), for
// the console's Test page. The control plane fetches the credential itself (a key, or a fresh
// aml_token), so the browser never holds an endpoint secret and needs no CORS exception from the
// gateway; the caller's role must allow onlineEndpoints/score/action, and every call is audited.
// The request goes through the gateway like any client's: same auth, routing, header and metrics.
// `path: swagger.json` reads the deployment's OpenAPI document instead (the Test page's sample input).
import { SwitchyardError } from '../errors.js';
import { score } from '../sdk/scoring.js';
import { unreachable } from '../sdk/transport.js';
import type { InvokeAnswer, InvokeInput } from '../sdk/types.js';
import type { EndpointService } from './endpoint-service.js';

/** What the console shows of an answer; larger bodies are cut (an instance's answer is untrusted). */
export const INVOKE_MAX_ANSWER_CHARS = 1024 * 1024;
/** Longer than any request_timeout_ms the gateway enforces (at most 180 s: docs/compatibility.md, "Deployments"). */
const INVOKE_TIMEOUT_MS = 200_000;

async function getSwagger(uri: string, credential: string, deployment: string | undefined, signal: AbortSignal) {
  const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
  if (deployment) headers['azureml-model-deployment'] = deployment;
  let res: Response;
  try {
    res = await fetch(uri, { headers, signal });
  } catch (e) {
    if (signal.aborted) throw e;
    throw unreachable(new URL(uri).origin, e);
  }
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => { out[k] = v; });
  return { status: res.status, headers: out, body: await res.text() };
}

export async function invokeEndpoint(endpoints: EndpointService, name: string, input: InvokeInput): Promise<InvokeAnswer> {
  const view = endpoints.get(name);
  const credential = view.auth_mode === 'aml_token' ? endpoints.token(name).accessToken : endpoints.listKeys(name).primaryKey;
  const started = performance.now();
  let answer;
  try {
    const signal = AbortSignal.timeout(INVOKE_TIMEOUT_MS);
    answer = input.path === 'swagger.json'
      ? await getSwagger(view.openapi_uri, credential, input.deployment, signal)
      : await score(view.scoring_uri, input.body ?? '', { credential, deployment: input.deployment, contentType: input.content_type ?? 'application/json', signal });
  } catch (e) {
    if (e instanceof SwitchyardError) throw e;
    throw new SwitchyardError('Timeout', `The scoring request to endpoint ${JSON.stringify(name)} got no answer in ${INVOKE_TIMEOUT_MS / 1000} s.`);
  }
  const latency = Math.round((performance.now() - started) * 100) / 100;
  const truncated = answer.body.length > INVOKE_MAX_ANSWER_CHARS;
  return {
    status: answer.status,
    latency_ms: latency,
    headers: answer.headers,
    body: truncated ? answer.body.slice(0, INVOKE_MAX_ANSWER_CHARS) : answer.body,
    truncated,
  };
}
