export { startHub, type Hub, type StartHubOptions } from './hub';
export { schemaMigrations, hubMigrations } from './migrations';
