// The wall's languages: both message files carry the same keys with the same placeholders,
// and components show no text that bypasses them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { en } from '../src/wall/i18n/en';
import { zhCN } from '../src/wall/i18n/zh-CN';
import { translate, type MessageKey, type MessageVars } from '../src/wall/i18n';
import { errorText } from '../src/wall/i18n/errors';

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

  it('says a refusal of the hub in the operator\u2019s language, by its code', () => {
    const zh = (key: MessageKey, vars?: MessageVars) => translate('zh-CN', key, vars);
    const en = (key: MessageKey, vars?: MessageVars) => translate('en', key, vars);
    const limit = { code: 'HUB_ERR_PRESET_LIMIT', message: 'you already have 50 presets: delete one before saving a new one' };
    expect(errorText(zh, limit)).toBe(zhCN['error.presetLimit']);
    expect(errorText(en, { code: 'HUB_ERR_FORBIDDEN', message: 'x' })).toBe('Your role does not allow this.');
    expect(errorText(zh, { code: 'HUB_ERR_VALIDATION', message: 'zoom: too big' })).toBe('中心服务拒绝了输入：zoom: too big');
    // thrown by fetch itself: the hub was not reached
    expect(errorText(zh, new TypeError('Failed to fetch'))).toBe(zhCN['error.network']);
    // a code the wall does not know: the hub's own sentence, never nothing
    expect(errorText(zh, { code: 'HUB_ERR_SOMETHING_NEW', message: 'the hub says why' })).toBe('the hub says why');
    expect(errorText(zh, { code: 'HUB_ERR_SOMETHING_NEW', message: '' })).toBe('HUB_ERR_SOMETHING_NEW');
  });

  it('fills placeholders in the chosen language', () => {
    expect(translate('en', 'units.title', { n: 3 })).toBe('Units (3)');
    expect(translate('zh-CN', 'units.title', { n: 3 })).toBe('单元（3）');
  });
});

// Text a person reads must come from the message files: a heuristic over the sources of the
// wall (its map included), the KPI page and the replay page. It finds letters between JSX tags,
// literal title/placeholder/aria-label/alt attributes, and literals written into the DOM by
// hand (textContent, innerHTML, setAttribute('aria-label'), document.title, MapLibre popups'
// setText/setHTML) or into a React state setter (setError('…')).
const srcDir = fileURLToPath(new URL('../src', import.meta.url));
/** The pages this check covers; bodycam/ and viewer/ have their own message files and owner. */
const PAGE_DIRS = ['wall', 'kpi', 'replay'];
const LETTERS = /[A-Za-z\u4e00-\u9fff]/;
/** A message key, or a key's stem with its variable part cut out: `map.unit.type.` */
const KEY_SHAPED = /^[A-Za-z][\w-]*(\.[\w-]*)+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'i18n' ? [] : sourceFiles(p);
    return /\.tsx?$/.test(p) && !/(^|\/)messages\.ts$/.test(p) ? [p] : [];
  });
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The literal text of the string literals in an expression (template parts only, `${…}` cut out), with what precedes each. */
function literalsIn(expr: string): { text: string; before: string }[] {
  const out: { text: string; before: string }[] = [];
  for (let i = 0; i < expr.length; i++) {
    const q = expr[i]!;
    if (q !== "'" && q !== '"' && q !== '`') continue;
    const before = expr.slice(0, i);
    let text = '';
    let j = i + 1;
    for (; j < expr.length && expr[j] !== q; j++) {
      if (expr[j] === '\\') {
        j++;
        text += ' '; // an escape (\n, \') is not a word
      } else if (q === '`' && expr[j] === '$' && expr[j + 1] === '{') {
        // skip the placeholder, nested braces and templates included; its literals are checked on their own
        let depth = 0;
        const k0 = j + 1;
        for (j = k0; j < expr.length; j++) {
          if (expr[j] === '{') depth++;
          else if (expr[j] === '}' && --depth === 0) break;
        }
        out.push(...literalsIn(expr.slice(k0 + 1, j)));
        text += '\u0000';
      } else {
        text += expr[j];
      }
    }
    out.push({ text, before });
    i = j;
  }
  return out;
}

/** The end of the expression starting at `from`: the first `;`, newline or unbalanced `)` outside brackets and strings. */
function expressionAt(src: string, from: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return src.slice(from, i);
      depth--;
    } else if ((c === ';' || c === '\n') && depth === 0) return src.slice(from, i);
  }
  return src.slice(from);
}

/** Literals in `expr` that a person would read: letters, not a message key, not an argument of t()/translate(). */
function readableLiterals(expr: string): string[] {
  return (
    literalsIn(expr)
      .filter(({ text, before }) => {
        // NUL marks where a ${…} stood in the literal (literalsIn puts it there)
        // eslint-disable-next-line no-control-regex
        const words = text.replace(/\u0000/g, ' ').trim();
        if (!LETTERS.test(words) || KEY_SHAPED.test(words)) return false;
        // an argument of t()/translate(), a key looked up in a table (strings['Map.Title']), a comparison
        // (state !== 'live'), a nested tag's attribute (className="muted": checked as an attribute above)
        if (/\b(t|translate)\(\s*(\w+,\s*)?$/.test(before) || /(\[|=\s*\{?)\s*$/.test(before)) return false;
        // a style value: { font: '600 11px system-ui, sans-serif' }
        return !/\b(font\w*|background\w*|border\w*|color|transform|transition|margin|padding|\w*[sS]hadow|grid\w*)\s*:\s*$/.test(before);
      })
      // eslint-disable-next-line no-control-regex
      .map(({ text }) => text.replace(/\u0000/g, '${…}'))
  );
}

export function hardCodedStrings(source: string, jsx: boolean): string[] {
  const src = stripComments(source);
  const found: string[] = [];
  if (jsx) {
    // text between a tag's end and the next tag or expression: `>Save<`, `> Open camera {`
    for (const m of src.matchAll(/(?<![=-])>([^<>{}()=;&|?]*[A-Za-z\u4e00-\u9fff][^<>{}()=;&|?]*)(?=[<{])/g)) {
      const text = m[1]!.trim();
      if (text) found.push(text);
    }
    for (const m of src.matchAll(/\b(title|placeholder|aria-label|alt)="([^"]*[A-Za-z\u4e00-\u9fff][^"]*)"/g)) found.push(`${m[1]}="${m[2]}"`);
    // the same attributes, and a tag's child expression, with prose inside: title={`Open ${x}`}, <b>{on ? 'Live' : 'Off'}</b>
    // (prose: words with a space, a capitalised word or Chinese; a lower-case word there is a value, 'active', '_blank')
    const prose = (text: string) => /[A-Za-z]\s+[A-Za-z]|^\s*[A-Z][a-z]|[\u4e00-\u9fff]/.test(text);
    for (const m of src.matchAll(/\b(?:title|placeholder|aria-label|alt|label)=\{|(?<![=-])>\s*\{/g)) {
      found.push(...readableLiterals(expressionAt(src, m.index! + m[0].length)).filter(prose));
    }
  }
  // DOM written by hand, MapLibre popups, document.title
  const sinks = [
    /\.(?:textContent|innerText|innerHTML|outerHTML|title|placeholder|ariaLabel|alt)\s*=(?!=)\s*/g,
    /\.(?:setText|setHTML|insertAdjacentText|insertAdjacentHTML|append|prepend|createTextNode)\(\s*/g,
  ];
  for (const re of sinks) for (const m of src.matchAll(re)) found.push(...readableLiterals(expressionAt(src, m.index! + m[0].length)));
  for (const m of src.matchAll(/\.setAttribute\(\s*['"](?:title|aria-label|placeholder|alt|aria-description)['"]\s*,\s*/g)) {
    found.push(...readableLiterals(expressionAt(src, m.index! + m[0].length)));
  }
  // a sentence handed to a React state setter (shown by the component): setError('No camera')
  for (const m of src.matchAll(/(?<![.\w])set[A-Z]\w*\(\s*/g)) {
    found.push(...readableLiterals(expressionAt(src, m.index! + m[0].length)).filter((s) => /\s/.test(s.trim())));
  }
  return found;
}

describe('the hard-coded string check', () => {
  it('finds text written into JSX, into the DOM by hand and into a state setter', () => {
    const samples: [string, boolean][] = [
      ['<span>Live</span>', true],
      ['<button title="Zoom in" />', true],
      ['<button title={`Zoom ${dir}`} />', true],
      ["<span>{on ? 'Online' : t('unit.offline')}</span>", true],
      ["button.textContent = 'Open camera';", false],
      ['details.textContent = `${speed} km/h`;', false],
      ["el.setAttribute('aria-label', 'Close popup');", false],
      ["new Popup().setText('Patrol car');", false],
      ["document.title = '指挥中心';", false],
      ["setError('Media Source Extensions unavailable');", false],
    ];
    for (const [src, jsx] of samples) expect(hardCodedStrings(src, jsx), src).not.toEqual([]);
  });

  it('lets through text that comes from the message files, data and key stems', () => {
    const samples = [
      "button.textContent = t('map.unit.openCamera');",
      'status.textContent = `${t(`map.unit.type.${u.type}`)} · ${t(`map.unit.status.${kind}`)}`;',
      'title.textContent = `${u.name} (${u.id})`;',
      "el.setAttribute('aria-label', translate(locale, 'map.ui.closePopup'));",
      "setTab('linkage');",
      '<span>{t(`unit.type.${u.type}`)}</span>',
    ];
    for (const src of samples) expect(hardCodedStrings(src, true), src).toEqual([]);
  });
});

describe('no hard-coded strings in the wall, KPI and replay pages', () => {
  const files = PAGE_DIRS.flatMap((d) => sourceFiles(path.join(srcDir, d)));
  const rel = (f: string) => path.relative(srcDir, f);
  it('covers every page folder, the map and its hand-written DOM included', () => {
    const names = files.map(rel);
    expect(names).toEqual(expect.arrayContaining(['wall/map/UnitPopup.tsx', 'wall/map/MapUiLanguage.tsx', 'wall/map/LiveMap.tsx', 'wall/map/icons.ts', 'kpi/App.tsx', 'replay/Player.tsx']));
    expect(names.some((n) => n.includes('/i18n/') || n.endsWith('messages.ts'))).toBe(false);
  });
  for (const file of files) {
    it(rel(file), () => {
      expect(hardCodedStrings(readFileSync(file, 'utf8'), file.endsWith('.tsx')), `text not taken from the message files in ${rel(file)}`).toEqual([]);
    });
  }
});
