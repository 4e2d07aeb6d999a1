// Log in with username and password (POST /api/auth/login); shows why the last session ended.
import { useState } from 'react';
import { LOCALES, setLocale, useLocale, useT, type Locale, type Translate } from '../i18n';
import { HubApiError } from '../../shared/hub-api';
import { login, SESSION_EXPIRED, type Session, type SessionEnd } from './session';

export interface LoginScreenProps {
  reason: SessionEnd | null;
  onLoggedIn(session: Session): void;
}

/** The operator's sentence for a refusal: known codes in the wall's language, else the hub's own. */
export function refusalText(t: Translate, code: string, message: string): string {
  switch (code) {
    case 'HUB_ERR_LOGIN_FAILED':
      return t('login.failed');
    case 'HUB_ERR_AUTH_REQUIRED':
    case 'HUB_ERR_AUTH_INVALID':
      return t('login.sessionEnded');
    case SESSION_EXPIRED:
      return t('login.sessionExpired');
    case 'LOGGED_OUT':
      return t('login.loggedOut');
    default:
      return message || code;
  }
}

export function LoginScreen({ reason, onLoggedIn }: LoginScreenProps) {
  const t = useT();
  const locale = useLocale();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await login(username.trim(), password));
    } catch (err) {
      setError(err instanceof HubApiError ? { code: err.code, message: err.message } : { code: 'NETWORK', message: t('login.unreachable') });
    } finally {
      setBusy(false);
    }
  };

  const shown = error ?? reason;
  return (
    <div className="login" data-testid="login">
      <form onSubmit={(e) => void submit(e)}>
        <h1>{t('app.title')}</h1>
        <label>
          {t('login.username')}
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" autoFocus required data-testid="login-username" />
        </label>
        <label>
          {t('login.password')}
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required data-testid="login-password" />
        </label>
        {shown && (
          <p className={shown.code === 'LOGGED_OUT' ? 'muted' : 'error'} data-testid="login-reason" data-code={shown.code}>
            {refusalText(t, shown.code, shown.message)}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy} data-testid="login-submit">
          {t('login.submit')}
        </button>
        <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('header.language')}>
          {LOCALES.map((l) => (
            <option key={l} value={l}>
              {t(`language.${l}`)}
            </option>
          ))}
        </select>
      </form>
    </div>
  );
}
