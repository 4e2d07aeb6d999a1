// A real hub in the test process: real PostgreSQL (a fresh database), real broker on a
// free port, real HTTP server. Tests talk to it over the network as devices would.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import type { HubConfig, OperatorRole, Session, UnitCredential, UnitType } from '@hub/config';
import { loadConfig } from '@hub/config/node';
import { startHub, type Hub } from '@hub/server';
import { createTestDatabase, type TestDatabase } from './db';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestHub {
  hub: Hub;
  db: TestDatabase;
  http: string;
  mqtt: string;
  ws: string;
  /** fetch an /api path with the admin token */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  createUnit(id: string, type?: UnitType): Promise<UnitCredential>;
  /** creates an operator with `role` and logs them in */
  createOperator(username: string, role: OperatorRole): Promise<{ username: string; password: string; token: string }>;
  /** a Prometheus figure at /metrics (0 when absent): `metric('hub_x_total', 'reason="y"')` */
  metric(name: string, labels?: string): Promise<number>;
  /** how many positions of the unit are stored */
  storedPositions(unitId: string): Promise<number>;
  close(): Promise<void>;
}

/** A test hub's config: loopback, free ports, the test admin token, a fresh data folder, on the database at `databaseUrl`. */
export function testHubConfig(databaseUrl: string, overrides: Record<string, unknown> = {}): HubConfig {
  return loadConfig({
    env: {},
    overrides: {
      'database.url': databaseUrl,
      'http.host': '127.0.0.1',
      'http.port': 0,
      'mqtt.host': '127.0.0.1',
      'mqtt.port': 0,
      'jt808.host': '127.0.0.1',
      'jt808.port': 0,
      // the mediasoup engine's WebRTC ports (40000 + worker by default): free ones too
      'media.rtcPort': 0,
      'jt808.mediaPort': 0,
      'auth.adminToken': ADMIN_TOKEN,
      dataDir: mkdtempSync(path.join(tmpdir(), 'hub-data-')),
      ...overrides,
    },
  });
}

/** A hub's logger in tests: silent unless HUB_TEST_LOG names a level. */
export const testLogger = () => pino({ level: process.env.HUB_TEST_LOG ?? 'silent' });

/**
 * Starts a hub on a fresh database, or on `shared.db` (another hub's: the hubs of a cluster
 * share one), which is then left for its owner to drop.
 */
export async function startTestHub(overrides: Record<string, unknown> = {}, shared?: { db: TestDatabase }): Promise<TestHub> {
  const db = shared?.db ?? (await createTestDatabase());
  const config = testHubConfig(db.url, overrides);
  const hub = await startHub(config, { logger: testLogger() });
  const http = `http://127.0.0.1:${hub.httpPort}`;
  const api: TestHub['api'] = async (method, p, body) => {
    const res = await fetch(http + p, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
  return {
    hub,
    db,
    http,
    mqtt: `mqtt://127.0.0.1:${hub.mqttPort}`,
    ws: `ws://127.0.0.1:${hub.httpPort}${config.mqtt.wsPath}`,
    api,
    async createUnit(id, type = 'vehicle') {
      const created = await api('POST', '/api/units', { id, name: `Unit ${id}`, type });
      if (created.status !== 201) throw new Error(`create unit ${id}: ${created.status} ${JSON.stringify(created.body)}`);
      const cred = await api<UnitCredential>('POST', `/api/units/${id}/credential`);
      if (cred.status !== 200 && cred.status !== 201) throw new Error(`credential ${id}: ${cred.status}`);
      return cred.body;
    },
    async createOperator(username, role) {
      const password = `pw-${username}-0123456789`;
      const created = await api('POST', '/api/operators', { username, role, password });
      if (created.status !== 201) throw new Error(`create operator ${username}: ${created.status} ${JSON.stringify(created.body)}`);
      const res = await fetch(`${http}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
      const session = (await res.json()) as Session;
      return { username, password, token: session.token };
    },
    async metric(name, labels = '') {
      const text = await (await fetch(`${http}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(name + (labels ? `{${labels}}` : ' ')));
      return line ? Number(line.split(' ').pop()) : 0;
    },
    async storedPositions(unitId) {
      const { rows } = await hub.db.query<{ n: string }>('SELECT count(*) AS n FROM positions WHERE unit_id = $1', [unitId]);
      return Number(rows[0]!.n);
    },
    async close() {
      await hub.close();
      if (!shared) await db.drop();
    },
  };
}

export { eventually } from './wait';

/** One position payload as a device sends it. */
export function positionPayload(unitId: string, ts: Date | number, lat = 22.5431, lon = 114.0579, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ unitId, ts: typeof ts === 'number' ? ts : ts.toISOString(), lat, lon, speed: 5, heading: 90, accuracy: 4, ...extra });
}

/**
 * A test file's hub, started before its tests and closed after them, with the closers the
 * tests push (publishers, viewers) run first: `const closers = withTestHub(o, (h) => (t = h))`.
 */
export function withTestHub(overrides: Record<string, unknown>, started: (hub: TestHub) => void): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  let hub: TestHub | undefined;
  beforeAll(async () => {
    hub = await startTestHub(overrides);
    started(hub);
  });
  afterAll(async () => {
    for (const c of closers.splice(0)) await c();
    await hub?.close();
  });
  return closers;
}
