import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/ports';
import { createPool } from '@hub/platform';
import { TelemetryBus } from '../../src/events';
import { telemetryApi } from '../../src/api';
import { OperatorAuth } from '@hub/identity';
import pino from 'pino';
import { toApiError } from '../../src/api/error-handler';
import { ConflictError, NotFoundError } from '@hub/platform';
import { ADMIN_TOKEN, auth } from '../../../test-support/test-api';

describe('error mapping', () => {
  it("keeps a HubError's code and status", () => {
    expect(toApiError(new NotFoundError('geofence', 7))).toEqual({
      status: 404,
      body: { code: 'HUB_ERR_GEOFENCE_NOT_FOUND', message: 'geofence 7 does not exist' },
    });
    expect(toApiError(new ConflictError('HUB_ERR_UNIT_EXISTS', 'taken', { unitId: 'a' }))).toEqual({
      status: 409,
      body: { code: 'HUB_ERR_UNIT_EXISTS', message: 'taken', details: { unitId: 'a' } },
    });
  });
});

describe('an error the hub did not expect', () => {
  it('is a 500 HUB_ERR_INTERNAL that reveals nothing inside', () => {
    const { status, body } = toApiError(new TypeError('cannot read properties of undefined (reading "x")'));
    expect(status).toBe(500);
    expect(body.code).toBe('HUB_ERR_INTERNAL');
    expect(body.message).not.toMatch(/undefined/);
  });
});

describe('a database that cannot be reached', () => {
  const app = Fastify({ logger: false });
  let db: ReturnType<typeof createPool>;
  beforeAll(async () => {
    // Nothing listens on this port: every query fails inside pg.
    db = createPool(`postgres://hub:x@127.0.0.1:${await freePort()}/hub`, 1);
    const auth = new OperatorAuth({ db, adminToken: ADMIN_TOKEN, sessionHours: 12, log: pino({ level: 'silent' }) });
    await app.register(telemetryApi, { db, bus: new TelemetryBus(), auth, docs: false });
  });
  afterAll(async () => {
    await app.close();
    await db.end();
  });

  it('answers 503 HUB_ERR_DB_UNAVAILABLE with Retry-After, without the internals', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/units', headers: auth });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.json().code).toBe('HUB_ERR_DB_UNAVAILABLE');
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
  });

  it('serves no /docs when told not to', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(404);
  });
});
