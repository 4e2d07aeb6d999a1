export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry';
export { TelemetryBus, type TelemetryEvents } from './events';
export { startEmbeddedDatabase, type EmbeddedDatabase } from './db/embedded';
export { createPool } from './db/pool';
export { defaultMigrations, migrate, MigrationError, type MigrateOptions, type MigrateResult } from './db/migrate';
export { telemetryMigrations } from './db/migrations/index';
export { MAX_PATH_PARAM_LENGTH } from './api/error-handler';
