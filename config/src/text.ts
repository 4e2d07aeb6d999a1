// Text PostgreSQL can store. PostgreSQL refuses U+0000 in text and jsonb (also as "\u0000"
// inside jsonb), and unpaired UTF-16 surrogates ("\ud800") in json/jsonb; either makes the
// whole statement fail, and with it every other row written by that statement. So text is
// checked once, where it enters (MQTT payloads, REST requests): identifiers and names are
// refused, free text (an SOS message, a note) is cleaned instead, so that an SOS is never lost
// for a stray byte.
import { z } from 'zod';

/** The sentence given for refused text, after the field's path. */
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain U+0000 (NUL) or unpaired UTF-16 surrogates: PostgreSQL cannot store them';

// a high surrogate not followed by a low one, or a low one not preceded by a high one
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// NUL is the point: PostgreSQL refuses it in text and jsonb
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** true when `s` holds a character PostgreSQL refuses in text or jsonb. */
export function hasUnstorableText(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** `s` without NULs, unpaired surrogates replaced by U+FFFD: what free text is stored as. */
export function cleanText(s: string): string {
  if (!hasUnstorableText(s)) return s;
  return s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * The path (e.g. `flags.2`, or `details.<key>` for a key) of the first string in `value`,
 * keys of objects included, that PostgreSQL would refuse; undefined when there is none.
 * Walks plain objects and arrays; other values (numbers, Dates…) hold no text.
 */
export function findUnstorableText(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return hasUnstorableText(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    for (const [k, v] of Object.entries(value)) {
      if (hasUnstorableText(k)) return [...path, cleanText(k)];
      const found = findUnstorableText(v, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Free text a person or device wrote (an SOS message, a note, a description): cleaned with
 * `cleanText` rather than refused, so the rest of the message is kept. Apply length limits
 * to the result, e.g. `freeText().max(500)`.
 */
export function freeText() {
  return z.string().overwrite(cleanText);
}

/**
 * Any other text (ids, names, usernames, types): refused when PostgreSQL could not store it.
 * The entry points also check every string of a validated message with `findUnstorableText`,
 * so a field declared as a plain `z.string()` is refused too; this gives the field's own
 * error earlier and says so in the schema.
 */
export function storableText() {
  return z.string().refine((s) => !hasUnstorableText(s), UNSTORABLE_TEXT_MESSAGE);
}
