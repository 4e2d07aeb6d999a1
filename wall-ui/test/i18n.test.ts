// The wall's languages: both message files carry the same keys with the same placeholders,
// and components show no text that bypasses them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../src/wall/i18n/en';
import { zhCN } from '../src/wall/i18n/zh-CN';
import { translate } from '../src/wall/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('wall messages', () => {
  it('en and zh-CN have the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('each zh-CN message has the placeholders of its en message, and none is empty', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
      expect(zhCN[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders in the chosen language', () => {
    expect(translate('en', 'units.title', { n: 3 })).toBe('Units (3)');
    expect(translate('zh-CN', 'units.title', { n: 3 })).toBe('单元（3）');
  });
});

// Text in JSX or in a user-facing attribute must come from t(): a heuristic over the sources
// of the wall's components (letters between tags, or a literal title/placeholder/aria-label/alt).
const wallDir = fileURLToPath(new URL('../src/wall', import.meta.url));

function componentFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'i18n' ? [] : componentFiles(p);
    return p.endsWith('.tsx') ? [p] : [];
  });
}

describe('no hard-coded strings in components', () => {
  const files = componentFiles(wallDir);
  it('finds the components', () => {
    expect(files.length).toBeGreaterThan(5);
  });
  for (const file of files) {
    it(path.relative(wallDir, file), () => {
      const src = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1');
      const found: string[] = [];
      // text between a tag's end and the next tag or expression: `>Save<`, `> Open camera {`
      for (const m of src.matchAll(/(?<![=-])>([^<>{}()=;&|?]*[A-Za-z\u4e00-\u9fff][^<>{}()=;&|?]*)(?=[<{])/g)) {
        const text = m[1]!.trim();
        if (text) found.push(text);
      }
      for (const m of src.matchAll(/\b(title|placeholder|aria-label|alt)="([^"]*[A-Za-z\u4e00-\u9fff][^"]*)"/g)) found.push(`${m[1]}="${m[2]}"`);
      expect(found, `text not taken from the message files in ${path.relative(wallDir, file)}`).toEqual([]);
    });
  }
});
