// The store's contract: what the broker, ingest, API and alarm rules need from the
// database. Implemented in this folder on `pg` (PostgreSQL / TimescaleDB).
import type { UnitType } from '@hub/config';

export type { Queryable } from '@hub/platform';

export type CredentialCheck = 'ok' | 'unknown_unit' | 'disabled' | 'no_credential' | 'bad_secret';

export interface UnitFilter {
  type?: UnitType;
  disabled?: boolean;
  /** matches id or name, case-insensitive substring */
  search?: string;
}

export interface TrackOptions {
  /** at most one point per bucket of this many seconds (the bucket's last point) */
  bucketSeconds?: number;
  /** default 10,000 */
  limit?: number;
}
