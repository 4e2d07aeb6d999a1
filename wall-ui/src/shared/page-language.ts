// The language of a standalone page (KPI, replay): `?lang=` or the fragment's, else the
// browser's; Chinese for any zh-*, English otherwise. A missing translation falls back to English.
export type Lang = 'en' | 'zh-CN';

export function pickLang(requested: string | null | undefined, browser: string): Lang {
  const l = requested ?? browser;
  return l.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function translator<K extends string>(tables: { en: Record<K, string>; zhCN: Partial<Record<K, string>> }, lang: Lang): (key: K) => string {
  const table = lang === 'zh-CN' ? tables.zhCN : tables.en;
  return (key) => table[key] ?? tables.en[key];
}
