// Login gate: the login screen until there is a session, then the wall; back to the login
// screen, with the reason, when the hub refuses the session anywhere or the operator logs out.
import { useEffect, useState } from 'react';
import { LoginScreen } from './LoginScreen';
import { Wall } from './Wall';
import { currentSession, onSessionEnd, type Session, type SessionEnd } from './session';

export function App() {
  const [session, setSession] = useState<Session | null>(currentSession);
  const [reason, setReason] = useState<SessionEnd | null>(null);
  useEffect(
    () =>
      onSessionEnd((end) => {
        setSession(null);
        setReason(end);
      }),
    [],
  );
  if (!session) {
    return (
      <LoginScreen
        reason={reason}
        onLoggedIn={(s) => {
          setReason(null);
          setSession(s);
        }}
      />
    );
  }
  // a new session (another operator) gets a fresh wall
  return <Wall key={session.token} session={session} />;
}
