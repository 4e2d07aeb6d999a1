// The embedded PostgreSQL server killed with SIGKILL under the running hub: the hub starts
// it again by itself, says so in /health, and units resume with nothing lost.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import pino from 'pino';
import { type UnitCredential } from '@hub/config';
import { loadConfig } from '@hub/config/node';
import { startHub, type Hub } from '@hub/server';
import { freePort } from '../../test-support/ports';
import { eventually, positionPayload } from '../../test-support/test-hub';

const TOKEN = 'supervision-admin-token-00000';
const root = mkdtempSync(path.join(tmpdir(), 'hub-pgsup-'));
chmodSync(root, 0o755); // the server runs as the postgres user when the tests run as root
let hub: Hub;
let http: string;

interface Health {
  status: string;
  database: { up: boolean; server: string; state?: string; restarts?: number };
}

async function health(): Promise<{ code: number; body: Health }> {
  const res = await fetch(`${http}/health`);
  return { code: res.status, body: (await res.json()) as Health };
}

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: path.join(root, 'data'),
      'database.embeddedPort': await freePort(),
      'http.host': '127.0.0.1',
      'http.port': 0,
      'mqtt.host': '127.0.0.1',
      'mqtt.port': 0,
      'jt808.port': 0,
      'jt808.mediaPort': 0,
      'auth.adminToken': TOKEN,
      roles: ['telemetry'],
    },
  });
  hub = await startHub(config, { logger: pino({ level: process.env.HUB_TEST_LOG ?? 'silent' }) });
  http = `http://127.0.0.1:${hub.httpPort}`;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  rmSync(root, { recursive: true, force: true });
});

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(http + p, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

describe('embedded PostgreSQL supervision', () => {
  it('restarts a server killed with SIGKILL; /health says so; every position a unit sent is stored', async () => {
    await api('POST', '/api/units', { id: 'sup-1', name: 'Unit sup-1', type: 'vehicle' });
    const { secret } = await api<UnitCredential>('POST', '/api/units/sup-1/credential');
    expect((await health()).body.database).toMatchObject({ up: true, server: 'embedded', state: 'running', restarts: 0 });

    // a unit that keeps retrying, as devices do (CONNACK 3 too): unacknowledged QoS 1 messages are sent again
    const unit = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { username: 'sup-1', password: secret, clientId: 'sup-1', reconnectPeriod: 200, reconnectOnConnackError: true, clean: false });
    unit.on('error', () => {});
    await new Promise((r) => unit.once('connect', r));
    const t0 = Date.now() - 60_000;
    const acked: Promise<void>[] = [];
    const send = (i: number) =>
      acked.push(new Promise((resolve, reject) => unit.publish('units/sup-1/gps', positionPayload('sup-1', t0 + i * 100), { qos: 1 }, (err) => (err ? reject(err) : resolve()))));
    for (let i = 0; i < 20; i++) send(i);
    await Promise.all(acked);

    const pid = Number(readFileSync(path.join(root, 'data', 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    // while it is down and restarting, the unit keeps sending
    for (let i = 20; i < 60; i++) {
      send(i);
      await new Promise((r) => setTimeout(r, 10));
    }
    const during = await eventually(
      async () => {
        const h = await health();
        return h.body.database.state === 'restarting' || (h.body.database.restarts ?? 0) >= 1 ? h : undefined;
      },
      30_000,
      '/health to report the restart',
    );
    if (during.body.database.state === 'restarting') {
      expect(during.code).toBe(503);
      expect(during.body.database.up).toBe(false);
    }

    const back = await eventually(
      async () => {
        const h = await health();
        return h.code === 200 && h.body.database.state === 'running' ? h : undefined;
      },
      60_000,
      'the server to run again',
    );
    expect(back.body.database).toMatchObject({ up: true, restarts: 1 });

    await Promise.all(acked); // every position acknowledged in the end
    unit.end(true);
    const { rows } = await hub.db.query<{ n: number }>(`SELECT count(DISTINCT ts)::int AS n FROM positions WHERE unit_id = 'sup-1'`);
    expect(rows[0]!.n).toBe(60);
  }, 180_000);
});
