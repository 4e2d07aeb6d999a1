export { startTelemetry, type Telemetry, type TelemetryOptions, type UnitIngestPort } from './telemetry';
export { TelemetryBus, type TelemetryEvents } from './events';
export { defaultMigrations, migrate, MigrationError, type MigrateOptions, type MigrateResult } from './db/migrate';
export { telemetryMigrations } from './db/migrations/index';
export { MAX_PATH_PARAM_LENGTH } from './api/error-handler';
export type { ApiContext } from './api/context';
export { telemetryApi, type ApiRoutes, type TelemetryApiOptions } from './api/index';
export {
  getUnit,
  listUnits,
  createUnit,
  insertPositions,
  latestPosition,
  latestPositions,
  track,
  verifyCredential,
  hashSecret,
  findTerminal,
  issueAuthCode,
  clearAuthCode,
  verifyAuthCode,
  type TerminalUnit,
  type Queryable,
} from './store';
export { PositionRefusedError } from './ingest/position-writer';
export { LiveFeed } from './live/live-feed';
export { registerDocs } from './api/docs';
export { telemetryPlugin } from './plugin';
