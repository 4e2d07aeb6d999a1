// A database that goes away while the hub runs: every route answers 503 HUB_ERR_DB_UNAVAILABLE
// with Retry-After (RFC 9110 §10.2.3), never a 500; the live feed refuses with that code too.
// A private PostgreSQL server, started and stopped by this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import pino from 'pino';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '@hub/platform';
import { createPool } from '@hub/platform';
import { migrate } from '../../src/db/migrate';
import { TelemetryBus } from '../../src/events';
import { telemetryApi } from '../../src/api';
import { OperatorAuth } from '@hub/identity';
import { ADMIN_TOKEN, auth } from '../../../test-support/test-api';

let server: EmbeddedDatabase | undefined;
let db: pg.Pool;
let app: FastifyInstance;
let session: string;
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-outage-'));

beforeAll(async () => {
  server = await startEmbeddedDatabase({ dataDir, port: await freePort() });
  db = createPool(server.url, 2);
  await migrate(db, { retentionDays: 30 });
  app = Fastify({ logger: false });
  const operators = new OperatorAuth({ db, adminToken: ADMIN_TOKEN, sessionHours: 12, log: pino({ level: 'silent' }) });
  await operators.ensureBuiltinAdmin();
  await app.register(telemetryApi, { db, bus: new TelemetryBus(), auth: operators, docs: false });
  await app.ready();
  await operators.createOperator('admin', { username: 'viewer-1', role: 'viewer', password: 'pw-viewer-0123456789' });
  session = (await operators.login('viewer-1', 'pw-viewer-0123456789')).token;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a database outage', () => {
  it('answers 503 HUB_ERR_DB_UNAVAILABLE with Retry-After on every route, not 500', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/units', headers: auth })).statusCode).toBe(200);
    await server!.stop();
    server = undefined;
    const requests: InjectOptions[] = [
      { method: 'GET', url: '/api/units', headers: auth },
      { method: 'GET', url: '/api/units/car-1', headers: auth },
      { method: 'GET', url: '/api/positions/latest', headers: auth },
      { method: 'POST', url: '/api/units', headers: auth, payload: { id: 'car-9', name: 'Car 9', type: 'vehicle' } },
      // a session token is checked in the database, before any route
      { method: 'GET', url: '/api/units', headers: { authorization: `Bearer ${session}` } },
      // the login, before any credential
      { method: 'POST', url: '/api/auth/login', payload: { username: 'viewer-1', password: 'pw-viewer-0123456789' } },
    ];
    for (const r of requests) {
      const res = await app.inject(r);
      expect({ url: r.url, status: res.statusCode, code: res.json().code }).toEqual({ url: r.url, status: 503, code: 'HUB_ERR_DB_UNAVAILABLE' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});
