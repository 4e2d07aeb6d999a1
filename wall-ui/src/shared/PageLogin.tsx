// The sign-in form of a standalone operator page (KPIs, assessment): the session token is kept for the tab.
import { useState } from 'react';

type LoginWords = (key: 'title' | 'username' | 'password' | 'login' | 'loginFailed') => string;

export function PageLogin({ t, login, onToken }: { t: LoginWords; login(username: string, password: string): Promise<string>; onToken(token: string): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [failed, setFailed] = useState(false);
  return (
    <form
      style={{ fontFamily: 'system-ui, sans-serif', padding: 16, display: 'grid', gap: 8, maxWidth: 280 }}
      onSubmit={(e) => {
        e.preventDefault();
        void login(username, password).then(onToken, () => setFailed(true));
      }}
    >
      <h1>{t('title')}</h1>
      <input placeholder={t('username')} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
      <input placeholder={t('password')} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      <button type="submit">{t('login')}</button>
      {failed && <p role="alert">{t('loginFailed')}</p>}
    </form>
  );
}
