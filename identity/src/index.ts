// Operator identity: operators and their roles, login sessions, the lock-out, the audit log,
// and the hooks every other package uses to let an operator in (REST and socket.io).
export { OperatorAuth, BUILTIN_ADMIN, tokenKey, type OperatorAuthEvents, type OperatorAuthOptions } from './operator-auth';
export { hashPassword, verifyPassword } from './passwords';
export { guardOperatorSockets, handshakeToken, setSocketPrincipal, socketPrincipal, socketRefusal, type SocketRefusal } from './socket-sessions';
export { ADMIN_OPERATOR, bearerToken, checkOperatorToken, operatorAuth, operatorLogRedactPaths, requireRole, type Authenticate } from './api/auth';
export { loginRoute, operatorRoutes, type OperatorRoutesOptions } from './api/operators';
export { listAudit, recordAudit, type NewAuditEntry } from './store/audit';
export { AuthError, ForbiddenError, LoginLockedError, type AuthErrorCode } from './errors';
export { identityMigrations } from './migrations';
export { identityPlugin, type IdentityPluginOptions } from './plugin';
