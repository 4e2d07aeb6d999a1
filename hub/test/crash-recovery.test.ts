// The hub killed with SIGKILL while units publish: every position it acknowledged is in
// the database after a restart. Runs the hub as `npm start` does, on the embedded server,
// so the restart also has to take over the PostgreSQL server the killed hub left behind.
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { spawnHubProcess, waitForOutput, type HubPorts, type HubProcess } from '../../test-support/hub-process';
import { positionPayload } from '../../test-support/test-hub';

const TOKEN = 'crash-test-admin-token-000000';
const root = mkdtempSync(path.join(tmpdir(), 'hub-crash-'));
chmodSync(root, 0o755);
let hub: ChildProcess | undefined;

afterAll(async () => {
  if (hub && hub.exitCode === null) {
    hub.kill('SIGINT');
    await new Promise((r) => hub!.once('exit', r));
  }
  rmSync(root, { recursive: true, force: true });
});

/** Starts the hub on `ports` (free ones the first time) and waits until it is ready. */
async function startHub(ports?: HubPorts): Promise<HubProcess> {
  const started = await spawnHubProcess({ dataDir: root, token: TOKEN, ports });
  hub = started.hub;
  await waitForOutput(started.hub, 'Hub ready', 60_000);
  return started;
}

describe('hub killed with SIGKILL', () => {
  it('keeps every acknowledged position', async () => {
    const ports = await startHub();
    const { httpPort, mqttPort, pgPort } = ports;
    const api = (p: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${httpPort}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      }).then((r) => r.json() as Promise<{ secret: string }>);

    const units = ['k-1', 'k-2', 'k-3', 'k-4'];
    const acked = new Map<string, number[]>(units.map((u) => [u, []]));
    let stop = false;
    const publishers = await Promise.all(
      units.map(async (unitId, i) => {
        await api('/api/units', { id: unitId, name: unitId, type: 'vehicle' });
        const { secret } = await api(`/api/units/${unitId}/credential`);
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { username: unitId, password: secret, clientId: unitId, reconnectPeriod: 0 });
        client.on('error', () => {});
        const t0 = Date.now() - 600_000 + i;
        let n = 0;
        // keep 20 in flight per unit until the hub dies
        const loop = async () => {
          while (!stop && client.connected) {
            const ts = t0 + n++ * 10;
            try {
              await client.publishAsync(`units/${unitId}/gps`, positionPayload(unitId, ts), { qos: 1 });
              acked.get(unitId)!.push(ts);
            } catch {
              return;
            }
          }
        };
        return { client, loops: Promise.all(Array.from({ length: 20 }, loop)) };
      }),
    );
    // the units are busy when the hub dies: at least 100 acknowledged (however slow the machine)
    const ackedCount = () => [...acked.values()].reduce((n, a) => n + a.length, 0);
    for (const deadline = Date.now() + 30_000; ackedCount() < 100 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    ports.hub.kill('SIGKILL');
    await new Promise((r) => ports.hub.once('exit', r));
    stop = true;
    for (const p of publishers) p.client.end(true);
    await Promise.all(publishers.map((p) => p.loops));
    expect(ackedCount()).toBeGreaterThanOrEqual(100); // the units were busy when the hub died

    await startHub(ports); // takes over the orphaned PostgreSQL server
    const db = new pg.Client({ connectionString: `postgres://hub:hub-embedded@127.0.0.1:${pgPort}/hub` });
    await db.connect();
    try {
      for (const [unitId, stamps] of acked) {
        const { rows } = await db.query<{ ts: Date }>('SELECT ts FROM positions WHERE unit_id = $1', [unitId]);
        const stored = new Set(rows.map((r) => r.ts.getTime()));
        const missing = stamps.filter((ts) => !stored.has(ts));
        expect(missing, `${unitId}: acknowledged but not stored`).toEqual([]);
      }
    } finally {
      await db.end();
    }
  });
});
