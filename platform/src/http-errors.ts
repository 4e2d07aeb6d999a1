// The one HTTP error mapping of every route (the REST API, WHIP/WHEP, recordings): every error
// leaves as an ApiError body {code, message, details?}. HubErrors keep their code and status;
// schema failures become 400 HUB_ERR_VALIDATION naming the fields; Fastify's own 4xx keep their
// status with a HUB_ERR code; a database that cannot be reached is a 503 with Retry-After;
// anything else is a 500 that reveals nothing inside.
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { ApiError } from '@hub/config';
import { DatabaseUnavailableError, DB_RETRY_AFTER_SECONDS, HubError, isDatabaseUnavailable, MethodNotAllowedError, ValidationError, type FieldIssue } from './errors';

/** `body` + `/geometry/coordinates/0` → `body.geometry.coordinates.0` */
function fieldPath(context: string | undefined, instancePath: string): string {
  const rest = instancePath.split('/').filter(Boolean);
  return [context ?? 'request', ...rest].join('.');
}

function validationIssues(error: FastifyError): FieldIssue[] {
  const items: FastifySchemaValidationError[] = error.validation ?? [];
  return items.map((item) => ({
    path: fieldPath(error.validationContext, item.instancePath),
    message: item.message ?? 'is invalid',
  }));
}

const FASTIFY_4XX_CODES: Record<number, string> = {
  400: 'HUB_ERR_BAD_REQUEST',
  404: 'HUB_ERR_NOT_FOUND',
  405: 'HUB_ERR_METHOD_NOT_ALLOWED',
  413: 'HUB_ERR_BODY_TOO_LARGE',
  415: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
};

/** Maps an error to its status and ApiError body. */
export function toApiError(error: unknown): { status: number; body: ApiError } {
  if (!(error instanceof HubError) && isDatabaseUnavailable(error)) return toApiError(new DatabaseUnavailableError());
  if (error instanceof HubError) {
    const body: ApiError = { code: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    return { status: error.statusCode, body };
  }
  const fe = error as Partial<FastifyError> | undefined;
  if (fe && Array.isArray(fe.validation)) {
    return toApiError(new ValidationError(validationIssues(fe as FastifyError)));
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own request errors (bad JSON, body too large…): their messages are about the request.
    return { status, body: { code: FASTIFY_4XX_CODES[status] ?? 'HUB_ERR_BAD_REQUEST', message: fe?.message ?? 'bad request' } };
  }
  return { status: 500, body: { code: 'HUB_ERR_INTERNAL', message: 'The hub could not complete this request; the cause is in the hub log' } };
}

/** Fastify's error handler for every scope: the status, headers and body of toApiError, logged by severity. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toApiError(error);
  if (status === 503) {
    request.log.warn({ err: error, code: body.code }, 'request refused: the hub cannot serve it just now');
  } else if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    body.message += ` under request id ${request.id}.`;
  } else {
    request.log.info({ code: body.code, status }, body.message);
  }
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="hub"'); // RFC 6750 §3
  if (error instanceof MethodNotAllowedError) reply.header('Allow', error.allow); // RFC 9110 §15.5.6
  // RFC 9110 §10.2.3: when to try again (503 while the database is unreachable, 429 lock-out)
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('Retry-After', String(retryAfter));
  else if (body.code === 'HUB_ERR_DB_UNAVAILABLE') reply.header('Retry-After', String(DB_RETRY_AFTER_SECONDS));
  reply.code(status).send(body);
}
