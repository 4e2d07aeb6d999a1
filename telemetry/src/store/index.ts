// The store: every database operation of telemetry, on a `Queryable` (pg.Pool, pg.Client, PGlite).
export type { Queryable, CredentialCheck, UnitFilter, TrackOptions } from './types';
export { createUnit, listUnits, getUnit, updateUnit, setUnitOnline, isUnitOnline, listOnlineUnitIds, UnitExistsError, TerminalTakenError } from './units';
export { findTerminal, issueAuthCode, clearAuthCode, verifyAuthCode, terminalIdOf, NotATerminalError, type TerminalUnit } from './terminals';
export { issueCredential, verifyCredential, hashSecret, secretHash } from './credentials';
export { insertPositions, latestPositions, latestPosition, track, positionOut } from './positions';
export { migrate, MigrationError, type MigrateOptions, type MigrateResult } from '../db/migrate';
export { ensurePartitions, dropExpiredPartitions, maintain, oldestAcceptedTs } from '../db/partitions';
