// What the recording module needs from its host: a database client and a logger.

/** The least of a database client: `pg.Pool` and `pg.Client` fit. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A structured logger (pino fits). */
export interface RecorderLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** `log` with `fields` added to every line (pino's child() without needing pino). */
export function withFields(log: RecorderLog, fields: object): RecorderLog {
  return {
    debug: (obj, msg) => log.debug({ ...fields, ...obj }, msg),
    info: (obj, msg) => log.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => log.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => log.error({ ...fields, ...obj }, msg),
  };
}
