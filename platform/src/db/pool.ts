// The connection pool of the hub: `pg` with type parsers that give the store plain
// numbers and Dates, in UTC sessions so that hour and day buckets are the same everywhere.
import pg from 'pg';

const OID_INT8 = 20;
const OID_NUMERIC = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8: counts and alarm ids, far below 2^53
    if (oid === OID_INT8 || oid === OID_NUMERIC) return (v: string) => (v === null ? null : Number(v));
    // timestamptz (1184) is already a Date and float4/float8 already numbers in pg's defaults
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/**
 * A pool of `size` connections to `url`. `onError` hears errors of idle clients (a
 * server restart, a dropped link); the pool replaces them. Without a listener such an
 * error would crash the process. A new connection that takes longer than `connectTimeoutMs`
 * (default 5000) fails the query instead of holding it (and its caller) for as long as the
 * network does: a server that went away mid-handshake.
 */
export function createPool(url: string, size: number, onError?: (err: Error) => void, connectTimeoutMs = 5000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: connectTimeoutMs,
    types: types as pg.CustomTypesConfig,
    options: '-c TimeZone=UTC',
    application_name: 'hub',
  });
  pool.on('error', (err) => onError?.(err));
  return pool;
}
