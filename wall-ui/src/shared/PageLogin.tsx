// The sign-in form of a standalone operator page (KPIs, assessment), in the page's language: the
// session token is kept for the tab.
import { useState } from 'react';
import type { Lang } from './page-language';

const WORDS = {
  en: { username: 'Username', password: 'Password', login: 'Sign in', loginFailed: 'Sign-in failed: check the username and password.' },
  'zh-CN': { username: '用户名', password: '密码', login: '登录', loginFailed: '登录失败：请检查用户名和密码。' },
} as const;

export function PageLogin({ title, lang, login, onToken }: { title: string; lang: Lang; login(username: string, password: string): Promise<string>; onToken(token: string): void }) {
  const w = WORDS[lang];
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
      <h1>{title}</h1>
      <input placeholder={w.username} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
      <input placeholder={w.password} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      <button type="submit">{w.login}</button>
      {failed && <p role="alert">{w.loginFailed}</p>}
    </form>
  );
}
