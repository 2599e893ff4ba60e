// Answers the gateway gives itself (everything but a model's own answer), in the REST API's error shape
// `{"error":{"code","message"}}`. Codes are stable; clients branch on them, never on the message.
import type { ClientResponse } from './client-connection.js';

export type GatewayErrorCode =
  | 'Unauthorized'
  | 'PublicNetworkAccessDisabled'
  | 'EndpointNotFound'
  | 'DeploymentNotFound'
  | 'NoTraffic'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'RequestTimeout'
  | 'PayloadTooLarge'
  | 'ModelError'
  | 'NoHealthyInstance'
  | 'TooManyRequests'
  | 'Internal'
  | 'ServiceUnavailable';

/** The correlation headers every answer carries. */
export interface AnswerIds {
  requestId: string;
  clientRequestId: string | undefined;
  /** Who answered (or would have): the azureml-model-deployment response header. */
  deployment: string | undefined;
}

const JSON_TYPE = 'application/json';

export function errorBody(code: GatewayErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * Writes a complete gateway answer. `extra` is a flat [name, value, ...] list (WWW-Authenticate, the
 * ms-azureml-model-error-* pair, Retry-After); `close` ends the connection after it (413). Does nothing
 * when an answer already started.
 */
export function sendError(
  res: ClientResponse,
  status: number,
  code: GatewayErrorCode,
  message: string,
  ids: AnswerIds,
  extra?: readonly string[],
  close = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(errorBody(code, message));
  const headers: string[] = ['content-type', JSON_TYPE, 'x-request-id', ids.requestId];
  if (ids.clientRequestId !== undefined) headers.push('x-ms-client-request-id', ids.clientRequestId);
  if (ids.deployment !== undefined) headers.push('azureml-model-deployment', ids.deployment);
  if (extra !== undefined) for (const h of extra) headers.push(h);
  res.writeHead(status, headers, body.length, close);
  res.end(body);
}

/** The headers docs/compatibility.md, "Scoring" puts on a 424. */
export function modelErrorHeaders(statusCode: number, reason: string): string[] {
  return ['ms-azureml-model-error-statuscode', String(statusCode), 'ms-azureml-model-error-reason', reason];
}
