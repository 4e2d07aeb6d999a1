// Owns the wall's hold on its session: the live store's one socket (a refused token ends the
// session), a periodic check while the wall is idle, and a check the moment its time is up.
import { useEffect } from 'react';
import type { UnitStore } from '../live/unit-store';
import { api, sessionRefused, type Session } from './session';

/** How often the wall asks whether its session still holds (an idle wall makes no other call). */
export const SESSION_CHECK_MS = 60_000;

export function useSessionWatch(session: Session, store: UnitStore): void {
  // the live store: one socket for the whole wall
  useEffect(() => {
    // the live socket refused the token: the session is over (expired, logged out elsewhere)
    const off = store.onConnectionState((state) => {
      if (state === 'unauthorized') sessionRefused({ code: 'HUB_ERR_AUTH_INVALID', message: '' });
    });
    store.connect({ token: session.token });
    return () => {
      off();
      store.close();
    };
  }, [store, session.token]);

  // an idle wall still learns that its session ended
  useEffect(() => {
    const timer = setInterval(() => {
      api('GET', '/api/auth/me').catch(() => undefined);
    }, SESSION_CHECK_MS);
    return () => clearInterval(timer);
  }, []);

  // when the session's time is up, ask the hub at once: its refusal brings the login screen back
  // saying the session expired, rather than leaving a wall whose calls all fail
  useEffect(() => {
    if (!session.expiresAt) return;
    const expiresAt = Date.parse(session.expiresAt);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = () => {
      if (stopped) return;
      const left = expiresAt - Date.now();
      if (left > 0) timer = setTimeout(check, Math.min(left + 250, 2 ** 31 - 1));
      // still accepted (this browser's clock runs ahead of the hub's): ask again shortly
      else
        api('GET', '/api/auth/me').then(
          () => (timer = setTimeout(check, 5_000)),
          () => undefined,
        );
    };
    check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session.expiresAt]);
}
