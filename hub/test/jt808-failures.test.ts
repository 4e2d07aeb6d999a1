// JT/T 808 terminals when things go wrong: a terminal that falls silent goes offline, and a
// position the database cannot take is answered "failure" (0x8001 result 1) so that the terminal
// sends it again. A private PostgreSQL server, stopped by this test; a short idle timeout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '@hub/config';
import { GeneralResult, MessageId, RegistrationResult } from '@hub/jt808';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '@hub/platform';
import { Jt808Terminal, locationReport } from '../../test-support/jt808-terminal';
import { freePort } from '../../test-support/ports';
import { eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let server: EmbeddedDatabase | undefined;
let t: TestHub;
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-jt808-failures-'));
const terminals: Jt808Terminal[] = [];

beforeAll(async () => {
  server = await startEmbeddedDatabase({ dataDir, port: await freePort() });
  t = await startTestHub({ 'database.url': server.url, 'jt808.idleTimeoutSeconds': 2, 'database.connectTimeoutMs': 1000 });
}, 120_000);

afterAll(async () => {
  for (const terminal of terminals) await terminal.close();
  await t?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function online(id: string, phone: string): Promise<Jt808Terminal> {
  expect((await t.api<Unit>('POST', '/api/units', { id, name: id, type: 'vehicle', jt808: { terminalId: phone } })).status).toBe(201);
  const terminal = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone });
  terminals.push(terminal);
  const registered = await terminal.register();
  expect(registered.result).toBe(RegistrationResult.ok);
  expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
  return terminal;
}

const isOnline = async (unitId: string) => (await t.hub.db.query<{ online: boolean }>('SELECT online FROM units WHERE id = $1', [unitId])).rows[0]?.online;

describe('JT/T 808 failures', () => {
  it('closes the connection of a terminal silent past jt808.idleTimeoutSeconds, and its unit goes offline', async () => {
    const terminal = await online('truck-silent', '13800000031');
    await eventually(async () => (await isOnline('truck-silent')) || undefined, 10_000, 'online');
    await terminal.closed; // the hub closes it: the terminal sends nothing
    await eventually(async () => (await isOnline('truck-silent')) === false || undefined, 10_000, 'offline after the idle timeout');
    expect(t.hub.jt808!.isConnected('truck-silent')).toBe(false);
  });

  it('answers a position the database cannot take with 0x8001 result 1 (send it again), the session going on', async () => {
    const terminal = await online('truck-outage', '13800000032');
    expect((await terminal.location()).result).toBe(GeneralResult.ok);
    // heartbeats keep the session past the idle timeout while the write fails
    const beat = setInterval(() => void terminal.heartbeat().catch(() => {}), 500);
    try {
      await server!.stop();
      server = undefined;
      const answer = await terminal.response(terminal.send(MessageId.Location, locationReport()), 60_000);
      expect(answer.result).toBe(GeneralResult.failure);
      expect((await terminal.heartbeat()).result).toBe(GeneralResult.ok);
    } finally {
      clearInterval(beat);
    }
  }, 120_000);
});
