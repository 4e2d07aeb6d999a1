// The durable command outbox across hubs (issue 14: commands reach the unit whichever hub it is
// connected to, and its answers reach whichever hub is waiting), with real processes: Redis, one
// PostgreSQL database, hubs A and B, units as real MQTT clients that keep their session as the
// edge agent does, a real JT/T 808 terminal, and a wall as a socket.io client of hub A.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { MessageId, RegistrationResult, GeneralResult } from '@hub/jt808';
import type { Command, DispatchEvent, IncidentDetail } from '@hub/config';
import { createTestDatabase, type TestDatabase } from '../../test-support/db';
import { Jt808Terminal } from '../../test-support/jt808-terminal';
import { startRedis, type TestRedis } from '../../test-support/redis';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { connectCommandUnit, dispatchOn, type CommandUnit } from './support/command-unit';

let redis: TestRedis;
let db: TestDatabase;
let a: TestHub;
let b: TestHub;
let wall: Socket;
const dispatches: DispatchEvent[] = [];
const units: CommandUnit[] = [];
const member = (hubId: string) => ({ 'cluster.redisUrl': redis.url, 'cluster.hubId': hubId, 'cluster.leaseMs': 1500 });

/** A wall on hub A: the dispatch states it is shown. */
async function openWall(): Promise<void> {
  wall?.close();
  wall = ioClient(a.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('dispatch', (d: DispatchEvent) => dispatches.push(d));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
}

beforeAll(async () => {
  redis = await startRedis();
  db = await createTestDatabase();
  a = await startTestHub(member('hub-a'), { db });
  b = await startTestHub(member('hub-b'), { db });
  await openWall();
}, 120_000);

afterAll(async () => {
  wall?.close();
  for (const u of units) await u.close().catch(() => {});
  await b?.close();
  await a?.close();
  await redis?.close();
  await db?.drop();
});

async function connect(hub: TestHub, unitId: string, secret: string, commands: Command[]): Promise<CommandUnit> {
  const unit = await connectCommandUnit(hub.mqtt, unitId, secret, commands);
  units.push(unit);
  return unit;
}

const dispatchOnA = (unitId: string) => dispatchOn(a, unitId);

const statesOnWall = (unitId: string) => dispatches.filter((d) => d.unitId === unitId).map((d) => d.state);

/** The unit, away from every hub, has been on hub A before (A's broker keeps its session). */
async function unitAwayFromEveryHub(unitId: string, commands: Command[]): Promise<string> {
  const { secret } = await a.createUnit(unitId);
  await (await connect(a, unitId, secret, commands)).close();
  await eventually(async () => !a.hub.telemetry.broker.isConnected(unitId), 10_000, 'away');
  return secret;
}

/** The unit answers the order on hub B, and A's wall shows it delivered and accepted. */
async function acceptOnB(unit: CommandUnit, unitId: string, commandId: string): Promise<void> {
  await unit.ack(commandId);
  await unit.answer(commandId, true);
  await eventually(async () => statesOnWall(unitId).includes('accepted'), 10_000, 'accepted on A’s wall');
  expect(statesOnWall(unitId).slice(0, 3)).toEqual(['sent', 'delivered', 'accepted']);
}

describe('commands across hubs', () => {
  it('a dispatch made on hub A to a unit offline everywhere reaches it when it connects to hub B; its acceptance shows on A’s wall', async () => {
    const commands: Command[] = [];
    const secret = await unitAwayFromEveryHub('ox-car-1', commands);
    const { commandId } = await dispatchOnA('ox-car-1');
    await eventually(async () => statesOnWall('ox-car-1').includes('sent'), 10_000, 'sent on A’s wall');

    const unit = await connect(b, 'ox-car-1', secret, commands);
    await eventually(async () => commands.some((c) => c.id === commandId), 15_000, 'the order at the unit on B');
    await acceptOnB(unit, 'ox-car-1', commandId);
  });

  it('the same with hub A restarted in between: nothing is lost, and the restarted A’s wall shows the acceptance', async () => {
    const commands: Command[] = [];
    const secret = await unitAwayFromEveryHub('ox-car-2', commands);
    const { incidentId, commandId } = await dispatchOnA('ox-car-2');
    wall.close(); // the wall reconnects to the restarted hub below
    await a.close();
    a = await startTestHub(member('hub-a'), { db });
    await openWall();

    const unit = await connect(b, 'ox-car-2', secret, commands);
    await eventually(async () => commands.some((c) => c.id === commandId), 15_000, 'the order at the unit on B');
    await unit.ack(commandId);
    await unit.answer(commandId, true);
    await eventually(async () => statesOnWall('ox-car-2').includes('accepted'), 10_000, 'accepted on the restarted A’s wall');
    const detail = (await a.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`)).body;
    expect(detail.units.find((u) => u.unitId === 'ox-car-2')?.deliveredAt).not.toBeNull();
  });

  it('a text to a JT/T 808 terminal connected to hub B, dispatched on hub A, reaches it, and B’s 0x0001 makes the dispatch delivered', async () => {
    expect((await a.api('POST', '/api/units', { id: 'ox-truck', name: 'Truck on B', type: 'vehicle', jt808: { terminalId: '13822220001' } })).status).toBe(201);
    const terminal = await Jt808Terminal.connect({ port: b.hub.jt808Port!, phone: '13822220001' });
    try {
      const registered = await terminal.register();
      expect(registered.result).toBe(RegistrationResult.ok);
      expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
      const { incidentId } = await dispatchOnA('ox-truck');
      const text = await terminal.next((m) => (m.messageId === MessageId.TextMessage ? m.body : undefined), 15_000);
      expect(text.text).toContain(`事件${incidentId}`);
      await eventually(async () => statesOnWall('ox-truck').includes('delivered'), 15_000, 'delivered on A’s wall');
      expect(statesOnWall('ox-truck')).not.toContain('accepted'); // a terminal's 0x0001 is delivery, not a person's acceptance
      expect(terminal.unreadable).toEqual([]);
    } finally {
      await terminal.close();
    }
  });
});
