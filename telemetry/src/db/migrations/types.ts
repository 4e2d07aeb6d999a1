/** What a migration's SQL may depend on: the branch, chosen once, and the settings. */
export interface MigrationContext {
  /** true on TimescaleDB (hypertables), false on plain PostgreSQL (native partitions) */
  timescale: boolean;
  /** days of positions to keep; a positive integer */
  retentionDays: number;
}

/** One versioned step of the schema, applied once, in one transaction. */
export interface Migration {
  /** recorded in schema_migrations; sorts in order of application */
  id: string;
  /** the statements, one per query (PGlite's extended protocol takes one at a time) */
  up(ctx: MigrationContext): string[];
}
