// Conversions from database rows, whichever client parsed them (pg with or without the
// hub's type parsers, PGlite): timestamps may come as Date or string, int8 as string or bigint.

export function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(v as string);
}

export function toIso(v: unknown): string {
  return toDate(v).toISOString();
}

export function toIsoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : toIso(v);
}

export function toNumberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** A JSON column (jsonb): parsed by pg and PGlite, a string from clients that do not. */
export function toJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Escapes LIKE wildcards so that a search matches literally. */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
