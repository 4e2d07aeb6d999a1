// The durable command outbox on one hub (hub/src/command-outbox.ts), with real MQTT clients that
// keep their session as the edge agent does: a command to a unit that is away survives the hub's
// restart, an unanswered one is sent again at the unit's next connection until it answers, and a
// stream.start past its lifetime is never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, CommandMessage, IncidentDetail } from '@hub/config';
import type {} from '../src/plugins'; // the hub's decorations (app.unitCommands)
import { GeneralResult, MessageId, RegistrationResult } from '@hub/jt808';
import { Jt808Terminal } from '../../test-support/jt808-terminal';
import { createTestDatabase, type TestDatabase } from '../../test-support/db';
import { eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { connectCommandUnit, dispatchOn, type CommandUnit } from './support/command-unit';

let db: TestDatabase;
let t: TestHub;
const units: CommandUnit[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  t = await startTestHub({}, { db });
}, 120_000);

afterAll(async () => {
  for (const u of units) await u.close().catch(() => {});
  await t?.close();
  await db?.drop();
});

async function connect(unitId: string, secret: string, commands: Command[]): Promise<CommandUnit> {
  const unit = await connectCommandUnit(t.mqtt, unitId, secret, commands);
  units.push(unit);
  return unit;
}

const dispatch = (unitId: string) => dispatchOn(t, unitId);

const dispatchState = async (incidentId: number, unitId: string) => (await t.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`)).body.units.find((u) => u.unitId === unitId)?.state;
const timesReceived = (commands: Command[], id: string) => commands.filter((c) => c.id === id).length;
const waiting = async (unitId: string) => (await t.hub.db.query('SELECT 1 FROM unit_command_outbox WHERE unit_id = $1', [unitId])).rowCount;

describe('the command outbox on one hub', () => {
  it('a dispatch to a unit that is away is kept across a hub restart, reaches the unit when it connects, and its ack makes it delivered', async () => {
    const { secret } = await t.createUnit('ob-car-1');
    const commands: Command[] = [];
    await (await connect('ob-car-1', secret, commands)).close(); // the broker has its session, as for any unit that was once here
    const { incidentId, commandId } = await dispatch('ob-car-1');
    expect(await dispatchState(incidentId, 'ob-car-1')).toBe('sent');

    await t.hub.close(); // the restart: nothing kept in the hub's memory survives it
    t = await startTestHub({}, { db });

    const unit = await connect('ob-car-1', secret, commands);
    await eventually(async () => timesReceived(commands, commandId) === 1, 15_000, 'the dispatch at the unit after the restart');
    await unit.ack(commandId);
    await eventually(async () => (await dispatchState(incidentId, 'ob-car-1')) === 'delivered', 10_000, 'delivered');
    await eventually(async () => (await waiting('ob-car-1')) === 0, 10_000, 'the answered command gone from the outbox');
  });

  it('a text to a JT/T 808 terminal that is away is kept across a hub restart and sent when it authenticates; its 0x0001 makes the dispatch delivered', async () => {
    expect((await t.api('POST', '/api/units', { id: 'ob-truck', name: 'Truck', type: 'vehicle', jt808: { terminalId: '13833330001' } })).status).toBe(201);
    const first = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone: '13833330001' });
    const registered = await first.register();
    expect(registered.result).toBe(RegistrationResult.ok);
    expect((await first.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
    await first.close();
    await eventually(async () => !t.hub.jt808!.isConnected('ob-truck'), 10_000, 'the terminal gone');
    const { incidentId } = await dispatch('ob-truck');

    await t.hub.close();
    t = await startTestHub({}, { db });

    const back = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone: '13833330001' });
    try {
      expect((await back.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
      const text = await back.next((m) => (m.messageId === MessageId.TextMessage ? m.body : undefined), 15_000);
      expect(text.text).toContain(`事件${incidentId}`);
      await eventually(async () => (await dispatchState(incidentId, 'ob-truck')) === 'delivered', 15_000, 'delivered');
      await eventually(async () => (await waiting('ob-truck')) === 0, 10_000, 'answered, gone from the outbox');
      expect(back.unreadable).toEqual([]);
    } finally {
      await back.close();
    }
  });

  it('an unanswered command is sent again at the unit’s next connection (same id), until the unit answers it', async () => {
    const { secret } = await t.createUnit('ob-car-2');
    const commands: Command[] = [];
    let unit = await connect('ob-car-2', secret, commands);
    const first = await dispatch('ob-car-2');
    await eventually(async () => timesReceived(commands, first.commandId) === 1, 10_000, 'the dispatch at the unit');
    await unit.close(); // cut off before it answered

    unit = await connect('ob-car-2', secret, commands);
    await eventually(async () => timesReceived(commands, first.commandId) === 2, 10_000, 'the same dispatch again on the next connection');
    await unit.ack(first.commandId);
    await eventually(async () => (await waiting('ob-car-2')) === 0, 10_000, 'answered');
    await unit.close();

    // answered: the next connection gets only what is new (a later dispatch marks the moment)
    unit = await connect('ob-car-2', secret, commands);
    const second = await dispatch('ob-car-2');
    await eventually(async () => timesReceived(commands, second.commandId) === 1, 10_000, 'the later dispatch');
    expect(timesReceived(commands, first.commandId)).toBe(2);
  });

  it('a stream.start past its lifetime is not delivered; one still fresh is', async () => {
    const { secret } = await t.createUnit('ob-cam-1');
    const commands: Command[] = [];
    await (await connect('ob-cam-1', secret, commands)).close();
    await eventually(async () => !t.hub.telemetry.broker.isConnected('ob-cam-1'), 10_000, 'away');
    const stale: CommandMessage = { id: 'ob-stale-start', ts: Date.now(), type: 'stream.start' };
    await t.hub.app.unitCommands.sendCommand('ob-cam-1', stale);
    // its viewer left long ago: the command's lifetime (30 s for stream.start) has passed
    await t.hub.db.query(`UPDATE unit_command_outbox SET expires_at = now() - interval '1 second' WHERE command_id = $1`, [stale.id]);
    const fresh: CommandMessage = { id: 'ob-fresh-start', ts: Date.now(), type: 'stream.start' };
    await t.hub.app.unitCommands.sendCommand('ob-cam-1', fresh);

    await connect('ob-cam-1', secret, commands);
    await eventually(async () => timesReceived(commands, fresh.id) === 1, 10_000, 'the fresh stream.start');
    expect(commands.map((c) => c.id)).toEqual([fresh.id]);
    expect((await t.hub.db.query('SELECT 1 FROM unit_command_outbox WHERE command_id = $1', [stale.id])).rowCount).toBe(0);
  });
});
