// Sockets (live feed, media signalling) live as long as their operator's session: a logout,
// a disabled operator or an expired session cuts them, not only the next REST call.
import type { Namespace, Server, Socket } from 'socket.io';
import type { Principal } from '@hub/config';
import type { OperatorAuth } from './operator-auth';
import { tokenKey } from './operator-auth';

interface SocketSession {
  token: string;
  key: string;
  principal: Principal;
}

/** The bearer token of a socket.io handshake: `auth.token`, else an Authorization header. */
export function handshakeToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown };
  if (typeof auth.token === 'string' && auth.token) return auth.token;
  const m = /^Bearer\s+(\S+)/i.exec(socket.handshake.headers.authorization ?? '');
  return m?.[1];
}

/** What a socket.io client sees in `connect_error`: `err.message`, and `err.data.code`, a stable HUB_ERR_ code. */
export interface SocketRefusal extends Error {
  data: { code: string; message: string };
}

/** The error a namespace's auth middleware passes to `next()` to refuse a connection. */
export function socketRefusal(code: `HUB_ERR_${string}`, message: string): SocketRefusal {
  const err = new Error(`${code}: ${message}`) as SocketRefusal;
  err.data = { code, message };
  return err;
}

/** Remembers who a socket belongs to (called by a namespace's auth middleware). */
export function setSocketPrincipal(socket: Socket, token: string, principal: Principal): void {
  (socket.data as { session?: SocketSession }).session = { token, key: tokenKey(token), principal };
}

export function socketPrincipal(socket: Socket): Principal | undefined {
  return (socket.data as { session?: SocketSession }).session?.principal;
}

/**
 * Cuts operator sockets of `namespaces` whose session ended (logout), whose operator changed
 * (disabled, role, password), or which no longer authenticate (expiry; checked every
 * `recheckMs`). Returns the function that stops watching.
 */
export function guardOperatorSockets(io: Server, auth: OperatorAuth, namespaces: string[], recheckMs = 60_000): () => void {
  const each = (fn: (s: Socket, session: SocketSession) => void) => {
    for (const name of namespaces) {
      const nsp: Namespace = io.of(name);
      for (const socket of nsp.sockets.values()) {
        const session = (socket.data as { session?: SocketSession }).session;
        if (session) fn(socket, session);
      }
    }
  };
  const cut = (socket: Socket, reason: string) => {
    socket.emit('session_ended' as never, { reason } as never);
    socket.disconnect(true);
  };
  const onSessionEnded = (key: string) => each((s, session) => session.key === key && cut(s, 'logged out'));
  const onOperatorChanged = (username: string) => each((s, session) => session.principal.username === username && cut(s, 'operator changed'));
  auth.on('sessionEnded', onSessionEnded);
  auth.on('operatorChanged', onOperatorChanged);
  const timer = setInterval(() => {
    each((s, session) => {
      auth.authenticate(session.token).then(
        (p) => p === null && cut(s, 'session expired'),
        () => {},
      );
    });
  }, recheckMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    auth.off('sessionEnded', onSessionEnded);
    auth.off('operatorChanged', onOperatorChanged);
  };
}
