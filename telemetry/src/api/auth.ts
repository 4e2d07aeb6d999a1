// Operator access to the REST API (and, through checkOperatorToken, to the live feed).
// Until operator logins exist the only operator credential is the admin token from the config.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AuthError } from '../errors';

/** The operator name recorded for the admin token (e.g. as an alarm's acknowledgedBy). */
export const ADMIN_OPERATOR = 'admin';

/**
 * Whether `presented` is the admin token. Constant-time: both sides are hashed first, so
 * neither the content nor the length of the token leaks through timing.
 */
export function checkOperatorToken(presented: string | undefined, adminToken: string): boolean {
  if (!presented || !adminToken) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(adminToken).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * Logger redact paths for a Fastify/pino logger that serializes request headers. Fastify's
 * default request serializer logs no headers; a hub that adds them should redact these.
 */
export const operatorLogRedactPaths = ['req.headers.authorization', 'headers.authorization'];

/** onRequest hook: refuses a request without the admin token; records the operator on success. */
export function operatorAuth(adminToken: string) {
  return async function requireOperator(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) {
      throw new AuthError(
        'HUB_ERR_AUTH_REQUIRED',
        'This API needs an operator credential: send the header "Authorization: Bearer <admin token>" (the admin token is in the hub configuration, and is printed at the first start).',
      );
    }
    if (!checkOperatorToken(bearerToken(header), adminToken)) {
      throw new AuthError(
        'HUB_ERR_AUTH_INVALID',
        'The operator credential was not accepted: the Authorization header must be "Bearer <admin token>" with the admin token from the hub configuration.',
      );
    }
    request.operator = ADMIN_OPERATOR;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the operator making an /api request, set once the credential is checked */
    operator?: string;
  }
}
