// The least of a database client that the stores need.

/** `pg.Pool`, `pg.Client` and (in tests) PGlite all fit. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
