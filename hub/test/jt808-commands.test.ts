// Commands to JT/T 808 terminals against a real hub: a dispatch reaches a terminal as a text
// message 0x8300 and its 0x0001 answer is delivery (never acceptance); a terminal that is away
// gets it when it is back; "Locate now"
// (POST /api/units/{id}/locate) asks 0x8201 and stores the 0x0201 answer through ingest.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, DispatchResponse, Incident, IncidentDetail, LocateResponse, Unit } from '@hub/config';
import { GeneralResult, MessageId, RegistrationResult, TextFlag, type Jt808TerminalOptions } from '@hub/jt808';
import { Jt808Terminal, locationReport } from '../../test-support/jt808-terminal';
import { eventually, withTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
// a text is sent again after 1 s and 3 s (JT/T 808's T, 2T… with 6 s in all)
withTestHub({ 'jt808.locateTimeoutSeconds': 3, 'jt808.commandAnswerSeconds': 6 }, (h) => (t = h));

const terminals: Jt808Terminal[] = [];
afterEach(async () => {
  for (const terminal of terminals.splice(0)) {
    expect(terminal.unreadable).toEqual([]);
    await terminal.close();
  }
});

const codes = new Map<string, string>();

async function createTerminalUnit(id: string, terminalId: string): Promise<void> {
  expect((await t.api<Unit>('POST', '/api/units', { id, name: `Truck ${id}`, type: 'vehicle', jt808: { terminalId } })).status).toBe(201);
}

/** The terminal registers (first time) and authenticates on a fresh connection. */
async function connect(phone: string, opts: Partial<Jt808TerminalOptions> = {}): Promise<Jt808Terminal> {
  const terminal = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone, ...opts });
  terminals.push(terminal);
  if (!codes.has(phone)) {
    const registered = await terminal.register();
    expect(registered.result).toBe(RegistrationResult.ok);
    codes.set(phone, registered.authCode!);
  }
  expect((await terminal.authenticate(codes.get(phone)!)).result).toBe(GeneralResult.ok);
  return terminal;
}

async function openIncident(note: string): Promise<Incident> {
  const res = await t.api<Incident>('POST', '/api/incidents', { type: 'fire', lat: 22.5431, lon: 114.0579, note });
  expect(res.status).toBe(201);
  return res.body;
}

async function dispatch(incidentId: number, unitId: string, note?: string): Promise<string> {
  const res = await t.api<DispatchResponse>('POST', `/api/incidents/${incidentId}/dispatch`, { unitIds: [unitId], ...(note && { note }) });
  expect(res.status).toBe(200);
  return res.body.dispatches[0]!.commandId;
}

const dispatchState = async (incidentId: number, unitId: string) => (await t.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`)).body.units.find((u) => u.unitId === unitId)?.state;
const trailKinds = async (incidentId: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${incidentId}`)).body.timeline.map((e) => e.kind);

describe('dispatch to a JT/T 808 terminal', () => {
  it('arrives as a text 0x8300 (display + TTS, GBK note and place); its 0x0001 makes the dispatch delivered, not accepted', async () => {
    await createTerminalUnit('truck-d1', '13811110001');
    const terminal = await connect('13811110001');
    const incident = await openIncident('小区火警');
    await dispatch(incident.id, 'truck-d1', '东门集合，带灭火器');
    const text = await terminal.next((m) => (m.messageId === MessageId.TextMessage ? m.body : undefined));
    expect(text.flags & TextFlag.display).toBeTruthy();
    expect(text.flags & TextFlag.tts).toBeTruthy();
    expect(text.text).toContain('东门集合，带灭火器');
    expect(text.text).toContain(`事件${incident.id}`);
    expect(text.text).toContain('22.543100,114.057900');
    await eventually(async () => (await dispatchState(incident.id, 'truck-d1')) === 'delivered', 15_000, 'the dispatch delivered');
    const kinds = await trailKinds(incident.id);
    expect(kinds).toContain('unit_delivered');
    expect(kinds).not.toContain('unit_accepted');
  });

  it('a terminal that answers "not supported" (0x0001 result 3) leaves the dispatch undeliverable, said in the trail', async () => {
    await createTerminalUnit('truck-d2', '13811110002');
    await connect('13811110002', { textResult: GeneralResult.notSupported });
    const incident = await openIncident('road blocked');
    await dispatch(incident.id, 'truck-d2');
    await eventually(async () => (await dispatchState(incident.id, 'truck-d2')) === 'refused', 15_000, 'the dispatch refused');
    expect(await trailKinds(incident.id)).toContain('unit_undeliverable');
  });

  it('sends an unanswered text again with the same serial (JT/T 808 retransmission); the answer to it delivers the dispatch', async () => {
    await createTerminalUnit('truck-d5', '13811110005');
    // a terminal that misses the first text (a radio fade) and answers the next
    const terminal = await connect('13811110005', { textResult: null });
    terminal.received.length = 0;
    const before = await t.metric('hub_jt808_retransmitted_total', 'message="8300"');
    const incident = await openIncident('fallen tree');
    await dispatch(incident.id, 'truck-d5');
    const first = await terminal.next((m) => (m.messageId === MessageId.TextMessage ? m : undefined));
    terminal.textResult = GeneralResult.ok;
    const again = await terminal.next((m) => (m.messageId === MessageId.TextMessage && m !== first ? m : undefined));
    expect(again.header.serial).toBe(first.header.serial);
    expect(again.body).toEqual(first.body);
    await eventually(async () => (await dispatchState(incident.id, 'truck-d5')) === 'delivered', 15_000, 'the dispatch delivered by the answer to the resend');
    expect(await t.metric('hub_jt808_retransmitted_total', 'message="8300"')).toBeGreaterThanOrEqual(before + 1);
  });

  it('waits for a terminal that is away, as for an offline MQTT unit: sent and delivered when it authenticates', async () => {
    await createTerminalUnit('truck-d3', '13811110003');
    const first = await connect('13811110003');
    await first.close();
    await eventually(async () => !t.hub.jt808!.isConnected('truck-d3'), 10_000, 'the terminal gone');
    const incident = await openIncident('flooded underpass');
    await dispatch(incident.id, 'truck-d3');
    expect(await dispatchState(incident.id, 'truck-d3')).toBe('sent');
    const back = await connect('13811110003');
    const text = await back.next((m) => (m.messageId === MessageId.TextMessage ? m.body : undefined));
    expect(text.text).toContain(`事件${incident.id}`);
    await eventually(async () => (await dispatchState(incident.id, 'truck-d3')) === 'delivered', 15_000, 'the dispatch delivered after the return');
  });
  // a camera start for a terminal is JT/T 1078 0x9101 now: hub/test/jt1078-video.test.ts
});

describe('Locate now (POST /api/units/{id}/locate)', () => {
  it('asks the terminal (0x8201) and answers with its 0x0201 position, stored like a report', async () => {
    await createTerminalUnit('truck-l1', '13811110011');
    const where = locationReport({ latitude: 22.5512, longitude: 114.0621, speedKmh: 18, time: new Date(Math.floor(Date.now() / 1000) * 1000 - 2000) });
    await connect('13811110011', { whereAmI: () => where });
    const res = await t.api<LocateResponse>('POST', '/api/units/truck-l1/locate');
    expect(res.status).toBe(200);
    expect(res.body.position).toMatchObject({ unitId: 'truck-l1', lat: 22.5512, lon: 114.0621, ts: where.time!.toISOString() });
    expect(res.body.position!.speed).toBeCloseTo(5, 5);
    const stored = await t.hub.db.query<{ lat: number }>('SELECT lat FROM positions WHERE unit_id = $1 AND ts = $2', ['truck-l1', where.time]);
    expect(stored.rows).toEqual([{ lat: 22.5512 }]);
  });

  it('says why not: an MQTT unit (409 HUB_ERR_UNIT_NOT_TERMINAL), a terminal away (409 HUB_ERR_UNIT_OFFLINE), one that does not answer (504)', async () => {
    await t.createUnit('car-l2');
    const mqtt = await t.api<ApiError>('POST', '/api/units/car-l2/locate');
    expect([mqtt.status, mqtt.body.code]).toEqual([409, 'HUB_ERR_UNIT_NOT_TERMINAL']);
    await createTerminalUnit('truck-l3', '13811110013');
    const away = await t.api<ApiError>('POST', '/api/units/truck-l3/locate');
    expect([away.status, away.body.code]).toEqual([409, 'HUB_ERR_UNIT_OFFLINE']);
    await connect('13811110013', { whereAmI: null });
    const silent = await t.api<ApiError>('POST', '/api/units/truck-l3/locate');
    expect([silent.status, silent.body.code]).toEqual([504, 'HUB_ERR_JT808_NO_ANSWER']);
    expect(silent.body.message).toMatch(/did not answer the position query/);
  });
});
