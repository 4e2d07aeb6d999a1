// Operator access to the REST API: a session token from a login, or the admin token from the
// config (the built-in admin). Roles: admin > coordinator > viewer.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { roleAtLeast, type OperatorRole, type Principal } from '@hub/config';
import { AuthError, ForbiddenError } from '../errors';

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

/** The principal behind a bearer token, or null (OperatorAuth.authenticate). */
export type Authenticate = (token: string | undefined) => Promise<Principal | null>;

/** onRequest hook: refuses a request without a valid operator credential; records who asks. */
export function operatorAuth(authenticate: Authenticate) {
  return async function requireOperator(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) {
      throw new AuthError(
        'HUB_ERR_AUTH_REQUIRED',
        'This needs an operator credential: log in (POST /api/auth/login, or the wall\'s login page) and send "Authorization: Bearer <session token>", or use the admin token.',
      );
    }
    const principal = await authenticate(bearerToken(header));
    if (!principal) {
      throw new AuthError('HUB_ERR_AUTH_INVALID', 'The operator credential was not accepted: the session may have expired or been ended, or the token is wrong. Log in again.');
    }
    request.principal = principal;
    request.operator = principal.username;
  };
}

/** preHandler: the operator's role must be at least `least` (admin > coordinator > viewer). */
export function requireRole(least: OperatorRole) {
  return async function checkRole(request: FastifyRequest): Promise<void> {
    const p = request.principal;
    if (!p) throw new AuthError('HUB_ERR_AUTH_REQUIRED', 'This needs an operator credential: log in first.');
    if (!roleAtLeast(p.role, least)) {
      throw new ForbiddenError(`This needs the ${least} role or higher; ${p.username} is a ${p.role}. Ask an admin if you need it.`);
    }
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the operator making an /api request (username), set once the credential is checked */
    operator?: string;
    /** who is asking, with their role */
    principal?: Principal;
  }
}
