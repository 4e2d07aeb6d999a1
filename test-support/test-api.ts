// A fresh hub-less app for one API test file: a new database, migrated, with telemetry's API on
// it and, given `routes`, other packages' routes (alarms, geofences) in its operator scope.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type pg from 'pg';
import { schemaMigrations } from '@hub/server';
import { createPool } from '@hub/platform';
import { migrate, TelemetryBus, telemetryApi, type ApiRoutes } from '@hub/telemetry';
import { createTestDatabase, type TestDatabase } from './db';
import pino from 'pino';
import { OperatorAuth } from '@hub/identity';

export const ADMIN_TOKEN = 'test-admin-token-5f0c2a9e';
export const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApi {
  app: FastifyInstance;
  db: pg.Pool;
  bus: TelemetryBus;
  close(): Promise<void>;
}

export async function startTestApi(opts: { logger?: FastifyServerOptions['logger']; routes?: readonly ApiRoutes[] } = {}): Promise<TestApi> {
  const logger = opts.logger ?? false;
  const database: TestDatabase = await createTestDatabase();
  const db = createPool(database.url, 4);
  await migrate(db, { retentionDays: 30, migrations: schemaMigrations });
  const bus = new TelemetryBus();
  const app = Fastify({ logger });
  const auth = new OperatorAuth({ db, adminToken: ADMIN_TOKEN, sessionHours: 12, log: pino({ level: 'silent' }) });
  await auth.ensureBuiltinAdmin();
  await app.register(telemetryApi, { db, bus, auth, routes: opts.routes });
  await app.ready();
  let closed = false;
  return {
    app,
    db,
    bus,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await db.end();
      await database.drop();
    },
  };
}
