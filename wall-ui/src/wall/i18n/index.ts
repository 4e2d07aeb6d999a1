// The wall's languages: every string a component shows comes from en.ts / zh-CN.ts through
// t(key) or useT(). The choice is remembered in localStorage.
import { useCallback, useSyncExternalStore } from 'react';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey } from './en';
export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
export const messages: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

const STORAGE_KEY = 'wall.locale';
const listeners = new Set<() => void>();

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    // storage blocked: fall back to the browser's language
  }
  const nav = globalThis.navigator?.language ?? 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Locale = initialLocale();

export function getLocale(): Locale {
  return current;
}

export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered, still switched
  }
  applyToDocument();
  listeners.forEach((fn) => fn());
}

/** <html lang> and the window's title in the current language (at start and on every switch). */
export function applyToDocument(): void {
  if (!globalThis.document) return;
  document.documentElement.lang = current;
  document.title = translate(current, 'app.title');
}

export type MessageVars = Record<string, string | number>;

/** The message in the given (default: current) locale with `{name}` placeholders filled. */
export function translate(locale: Locale, key: MessageKey, vars?: MessageVars): string {
  const text = messages[locale][key] ?? en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function t(key: MessageKey, vars?: MessageVars): string {
  return translate(current, key, vars);
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The current locale; re-renders the component when it changes. */
export function useLocale(): Locale {
  return useSyncExternalStore(subscribe, getLocale, getLocale);
}

export type Translate = (key: MessageKey, vars?: MessageVars) => string;

/** t() bound to the current locale, re-rendering on a switch. */
export function useT(): Translate {
  const locale = useLocale();
  return useCallback((key: MessageKey, vars?: MessageVars) => translate(locale, key, vars), [locale]);
}
