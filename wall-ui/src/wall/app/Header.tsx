// The wall's header: clock, operator, language, wall mode, pages, logout.
import { useEffect, useState } from 'react';
import { LOCALES, setLocale, useLocale, useT, type Locale } from '../i18n';
import type { OperatorInfo } from './session';

export type Page = 'wall' | 'units' | 'departments' | 'operators' | 'audit';

/** The admin pages reached from the header, each with its button's test id. */
const ADMIN_PAGES = [
  { page: 'units', key: 'header.units', testId: 'page-units' },
  { page: 'departments', key: 'header.departments', testId: 'page-departments' },
  { page: 'audit', key: 'header.audit', testId: 'page-audit' },
] as const;

export interface HeaderProps {
  operator: OperatorInfo;
  page: Page;
  wallMode: boolean;
  onPage(page: Page): void;
  onToggleWallMode(): void;
  onLogout(): void;
  children?: React.ReactNode;
}

function Clock() {
  const locale = useLocale();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time className="clock" data-testid="clock" dateTime={now.toISOString()}>
      {now.toLocaleDateString(locale)} {now.toLocaleTimeString(locale, { hour12: false })}
    </time>
  );
}

export function Header({ operator, page, wallMode, onPage, onToggleWallMode, onLogout, children }: HeaderProps) {
  const t = useT();
  const locale = useLocale();
  return (
    <header className="wall-header" data-testid="header">
      <h1>{t('app.title')}</h1>
      <Clock />
      {page === 'wall' && children}
      <span className="spacer" />
      {operator.role === 'admin' && (
        <nav className="admin-nav" aria-label={t('header.admin')}>
          {ADMIN_PAGES.map((p) => (
            <button key={p.page} className={page === p.page ? 'active' : 'secondary'} onClick={() => onPage(p.page)} data-testid={p.testId}>
              {t(p.key)}
            </button>
          ))}
          <button className={page === 'operators' ? 'active' : 'secondary'} onClick={() => onPage(page === 'wall' ? 'operators' : 'wall')} data-testid="page-toggle">
            {page === 'wall' ? t('header.operators') : t('header.backToWall')}
          </button>
        </nav>
      )}
      {page === 'wall' && (
        <button className={wallMode ? 'active' : 'secondary'} onClick={onToggleWallMode} data-testid="wall-mode">
          {wallMode ? t('header.exitWallMode') : t('header.wallMode')}
        </button>
      )}
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t('header.language')} data-testid="language">
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
      {/* name over role, so that the header fits one row of a 1600-pixel wall with every admin page */}
      <span className="operator" data-testid="operator" data-role={operator.role} title={operator.username}>
        <span>{operator.displayName || operator.username}</span>
        <small>{t(`role.${operator.role}`)}</small>
      </span>
      <button className="secondary" onClick={onLogout} data-testid="logout">
        {t('header.logout')}
      </button>
    </header>
  );
}
