// One place where failures become answers: catalogue errors keep their code and status, Fastify's
// schema validation errors become 400s naming the field, and anything else is a 500 (a bug, logged
// with its stack). Bad input never yields a 5xx.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SwitchyardError, isSwitchyardError } from '../errors.js';

interface AjvError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

const PART: Record<string, string> = { body: 'request body', querystring: 'query string', params: 'URL', headers: 'headers' };

function fieldOf(instancePath: string | undefined): string {
  return (instancePath ?? '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/** A Fastify/Ajv validation failure → the catalogue error a user can act on. */
export function validationError(errors: readonly AjvError[], context: string | undefined): SwitchyardError {
  const where = PART[context ?? 'body'] ?? context ?? 'request';
  // For unions Ajv lists each branch's failure, then the union's; the union's says it best.
  const chosen = [...errors].reverse().find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf') ?? errors[0] ?? {};
  const field = fieldOf(chosen.instancePath);
  const shown = chosen.data === undefined ? '' : `, got ${JSON.stringify(chosen.data)?.slice(0, 80)}`;
  switch (chosen.keyword) {
    case 'required': {
      const missing = String(chosen.params?.missingProperty ?? '');
      const path = field ? `${field}.${missing}` : missing;
      return new SwitchyardError('MissingField', `The ${where} needs ${path}.`);
    }
    case 'additionalProperties': {
      const key = String(chosen.params?.additionalProperty ?? '');
      return new SwitchyardError('UnknownKey', `Unknown key ${JSON.stringify(field ? `${field}.${key}` : key)} in the ${where}.`);
    }
    case 'anyOf':
    case 'oneOf':
      return new SwitchyardError('InvalidValue', `${field || where} has the wrong shape (none of the accepted forms matches)${shown}.`);
    default:
      return new SwitchyardError('InvalidValue', `${field ? `${field} in the ${where}` : `The ${where}`} ${chosen.message ?? 'is invalid'}${shown}.`);
  }
}

function toCatalogue(error: FastifyError | Error): SwitchyardError | null {
  if (isSwitchyardError(error)) return error;
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fe.validation)) return validationError(fe.validation, fe.validationContext);
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new SwitchyardError('PayloadTooLarge', `The request body is larger than the server accepts: ${fe.message}`);
    if (status === 404) return new SwitchyardError('NotFound', fe.message);
    if (status === 415) {
      return new SwitchyardError('BadRequest', `${fe.message}. Send JSON (Content-Type: application/json), or application/gzip to /api/v1/artifacts.`);
    }
    return new SwitchyardError('BadRequest', fe.message);
  }
  return null;
}

export function makeErrorHandler() {
  return function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
    const known = toCatalogue(error);
    request.errorCode = known?.code ?? 'Internal';
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, known.message);
      return reply.code(known.status).type('application/json').send(known.toJSON());
    }
    request.log.error({ err: error }, 'unhandled error in the control API');
    const internal = new SwitchyardError('Internal', `Internal error: ${error.message}. This is a bug in Switchyard; the server log has the details.`);
    return reply.code(500).type('application/json').send(internal.toJSON());
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  request.errorCode = 'NotFound';
  const err = new SwitchyardError('NotFound', `There is no route ${request.method} ${request.url.split('?')[0]}. See GET /api/v1/openapi.json.`);
  return reply.code(404).send(err.toJSON());
}
