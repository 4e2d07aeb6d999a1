// JT/T 808 vehicle terminals against a real hub: a terminal over real TCP speaking frames built by
// the hub's codec (test-support/jt808-terminal.ts) registers, authenticates, reports positions
// and alarms; the hub stores them through the MQTT positions' path and answers after the commit.
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm, Incident, Jt808AuthCode, PositionOut, Unit } from '@hub/config';
import { BatchType, escapeFrame, GeneralResult, knownItems, MessageId, RegistrationResult, StatusBit, unescapeFrame } from '@hub/jt808';
import { Jt808Terminal, locationReport, SOS_WITHOUT_VIDEO } from '../../test-support/jt808-terminal';
import { eventually, withTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
// (the gateway listens on 127.0.0.1, any free port: the test hub's default)
withTestHub(SOS_WITHOUT_VIDEO, (h) => (t = h));

const terminals: Jt808Terminal[] = [];
afterEach(async () => {
  for (const terminal of terminals.splice(0)) {
    expect(terminal.unreadable).toEqual([]);
    await terminal.close();
  }
});

async function connect(phone: string, edition?: 2013 | 2019): Promise<Jt808Terminal> {
  const terminal = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone, edition });
  terminals.push(terminal);
  return terminal;
}

async function createTerminalUnit(id: string, terminalId: string): Promise<Unit> {
  const res = await t.api<Unit>('POST', '/api/units', { id, name: `Truck ${id}`, type: 'vehicle', jt808: { terminalId } });
  expect(res.status).toBe(201);
  return res.body;
}

/** authentication codes by phone number, as the terminals got them */
const codes = new Map<string, string>();

/** A unit whose terminal has registered and authenticated on a fresh connection. */
async function online(id: string, phone: string, edition?: 2013 | 2019): Promise<Jt808Terminal> {
  await createTerminalUnit(id, phone);
  const terminal = await connect(phone, edition);
  const registered = await terminal.register();
  expect(registered.result).toBe(RegistrationResult.ok);
  codes.set(phone, registered.authCode!);
  expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
  return terminal;
}

const refused = (reason: string) => t.metric('hub_jt808_refused_total', `reason="${reason}"`);
const isOnline = async (unitId: string) => (await t.hub.db.query<{ online: boolean }>('SELECT online FROM units WHERE id = $1', [unitId])).rows[0]?.online;
const minutesAgo = (m: number) => new Date(Math.floor(Date.now() / 1000) * 1000 - m * 60_000);

describe('JT/T 808 sessions', () => {
  it('refuses the registration of a terminal no unit has: 0x8100 result 4, counted', async () => {
    const before = await refused('unknown_terminal');
    const terminal = await connect('13900000001');
    const answer = await terminal.register();
    expect(answer.result).toBe(RegistrationResult.noSuchTerminal);
    expect(answer.authCode).toBeUndefined();
    expect(await refused('unknown_terminal')).toBe(before + 1);
  });

  it('registers a known terminal once (result 0 and a code; then 1, vehicle already registered), and keeps the code hashed', async () => {
    const unit = await createTerminalUnit('truck-reg', '013800000002');
    expect(unit.jt808).toEqual({ terminalId: '13800000002', registered: false, channels: [1] });
    const terminal = await connect('13800000002');
    const first = await terminal.register();
    expect(first.result).toBe(RegistrationResult.ok);
    expect(first.authCode).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const stored = (await t.hub.db.query<{ hash: string }>('SELECT jt808_auth_hash AS hash FROM units WHERE id = $1', ['truck-reg'])).rows[0]!.hash;
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(first.authCode);
    expect((await terminal.register()).result).toBe(RegistrationResult.vehicleAlreadyRegistered);
    expect((await t.api<Unit>('GET', '/api/units/truck-reg')).body.jt808).toEqual({ terminalId: '13800000002', registered: true, channels: [1] });
  });

  it('refuses a second unit with the same terminal phone number: 409', async () => {
    await createTerminalUnit('truck-dup-a', '13800000003');
    const res = await t.api<{ code: string }>('POST', '/api/units', { id: 'truck-dup-b', name: 'B', type: 'vehicle', jt808: { terminalId: '0013800000003' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HUB_ERR_JT808_TERMINAL_TAKEN');
  });

  it('refuses everything before authentication (0x8001 result 1, counted) and a wrong authentication code', async () => {
    await createTerminalUnit('truck-auth', '13800000004');
    const terminal = await connect('13800000004');
    const beforeAuth = await refused('not_authenticated');
    expect((await terminal.heartbeat()).result).toBe(GeneralResult.failure);
    expect((await terminal.location()).result).toBe(GeneralResult.failure);
    expect(await refused('not_authenticated')).toBe(beforeAuth + 2);
    expect(await t.storedPositions('truck-auth')).toBe(0);

    const code = (await terminal.register()).authCode!;
    const badCodes = await refused('bad_auth_code');
    expect((await terminal.authenticate(`${code}x`)).result).toBe(GeneralResult.failure);
    expect(await refused('bad_auth_code')).toBe(badCodes + 1);
    expect((await terminal.heartbeat()).result).toBe(GeneralResult.failure);
    expect(await isOnline('truck-auth')).toBe(false);

    expect((await terminal.authenticate(code)).result).toBe(GeneralResult.ok);
    expect((await terminal.heartbeat()).result).toBe(GeneralResult.ok);
  });

  it('stops checking the codes of a terminal after 10 wrong ones from its address (as MQTT logins), not those of the others', async () => {
    await createTerminalUnit('truck-guess', '13800000025');
    const guesser = await connect('13800000025');
    const code = (await guesser.register()).authCode!;
    for (let i = 0; i < 10; i++) expect((await guesser.authenticate(`guess-${i}`)).result).toBe(GeneralResult.failure);
    const throttled = await refused('login_throttled');
    // the right code is not even checked now: refused, counted, the unit stays offline
    expect((await guesser.authenticate(code)).result).toBe(GeneralResult.failure);
    expect(await refused('login_throttled')).toBe(throttled + 1);
    expect(t.hub.jt808!.isConnected('truck-guess')).toBe(false);
    // another terminal behind the same address gets in (online() expects its authentication to succeed)
    await online('truck-beside-guesser', '13800000026');
    expect(t.hub.jt808!.isConnected('truck-beside-guesser')).toBe(true);
  });

  it('answers an unsupported message id with 0x8001 result 3 (not supported), and the session goes on', async () => {
    const terminal = await online('truck-unsupported', '13800000005');
    const { serial, bytes } = terminal.rawFrame(0x0900, Buffer.from('hello'));
    terminal.write(bytes);
    expect(await terminal.response(serial)).toEqual({ answeredSerial: serial, answeredMessageId: 0x0900, result: GeneralResult.notSupported });
    expect((await terminal.heartbeat()).result).toBe(GeneralResult.ok);
  });

  it('holds the unit online while its session lives, offline when the socket closes', async () => {
    const terminal = await online('truck-presence', '13800000006');
    await eventually(async () => (await isOnline('truck-presence')) || undefined, 10_000, 'units.online true');
    expect(t.hub.jt808!.isConnected('truck-presence')).toBe(true);
    await terminal.close();
    await eventually(async () => (await isOnline('truck-presence')) === false || undefined, 10_000, 'units.online false after the close');
    expect(t.hub.jt808!.isConnected('truck-presence')).toBe(false);
  });

  it('ends the session when the admin rotates the code; the old code is refused, the new one works', async () => {
    const terminal = await online('truck-rotate', '13800000007');
    const rotated = await t.api<Jt808AuthCode>('POST', '/api/units/truck-rotate/jt808/auth-code');
    expect(rotated.status).toBe(201);
    await terminal.closed;
    const again = await connect('13800000007');
    expect((await again.authenticate('not-the-code')).result).toBe(GeneralResult.failure);
    expect((await again.authenticate(rotated.body.authCode)).result).toBe(GeneralResult.ok);
  });

  it('takes a logout (0x0003) as giving up the registration: answered, closed, offline, and it may register again', async () => {
    const terminal = await online('truck-logout', '13800000009');
    expect((await terminal.response(terminal.send(MessageId.Logout, {}))).result).toBe(GeneralResult.ok);
    await terminal.closed;
    await eventually(async () => (await isOnline('truck-logout')) === false || undefined, 10_000, 'offline after the logout');
    const again = await connect('13800000009');
    expect((await again.register()).result).toBe(RegistrationResult.ok);
  });

  it('lets a reconnecting terminal take over its old connection, the unit staying online; a new terminal id ends the session', async () => {
    const first = await online('truck-takeover', '13800000010');
    const code = (await t.api<Jt808AuthCode>('POST', '/api/units/truck-takeover/jt808/auth-code')).body.authCode;
    await first.closed;
    const a = await connect('13800000010');
    expect((await a.authenticate(code)).result).toBe(GeneralResult.ok);
    const b = await connect('13800000010');
    expect((await b.authenticate(code)).result).toBe(GeneralResult.ok);
    await a.closed;
    expect(t.hub.jt808!.isConnected('truck-takeover')).toBe(true);
    expect((await b.heartbeat()).result).toBe(GeneralResult.ok);
    // stored by the presence writer after the rotation's offline: waited for, not raced
    await eventually(async () => (await isOnline('truck-takeover')) || undefined, 10_000, 'online through the takeover');

    const changed = await t.api<Unit>('PATCH', '/api/units/truck-takeover', { jt808: { terminalId: '13800000099' } });
    expect(changed.body.jt808).toEqual({ terminalId: '13800000099', registered: false, channels: [1] });
    await b.closed;
    await eventually(async () => (await isOnline('truck-takeover')) === false || undefined, 10_000, 'offline once its terminal changed');
  });

  it('speaks the 2019 edition (BCD[10] phone number, version flag) as well', async () => {
    const terminal = await online('truck-2019', '13800000008', 2019);
    expect((await terminal.location()).result).toBe(GeneralResult.ok);
    expect(terminal.received.every((m) => m.header.protocolVersion === 1 && m.header.phone === terminal.phone)).toBe(true);
  });
});

describe('JT/T 808 positions', () => {
  it('stores a position before its 0x8001 success answer arrives', async () => {
    const terminal = await online('truck-pos', '13800000011');
    const ts = minutesAgo(0);
    const answer = await terminal.location({ time: ts, latitude: 22.55, longitude: 114.06, speedKmh: 54 });
    expect(answer.result).toBe(GeneralResult.ok);
    // no waiting: the answer comes only after the commit
    const { rows } = await t.hub.db.query<{ ts: Date; lat: number; lon: number; speed: number }>('SELECT ts, lat, lon, speed FROM positions WHERE unit_id = $1', ['truck-pos']);
    expect(rows).toEqual([{ ts, lat: 22.55, lon: 114.06, speed: 15 }]);
  });

  it("keeps the terminal's odometer, fuel, signal and satellites with the position (track and latest)", async () => {
    const terminal = await online('truck-items', '13800000019');
    const ts = minutesAgo(0);
    const items = knownItems({ mileageKm: 12345.6, fuelL: 41.5, recorderSpeedKmh: 52, signal: 27, satellites: 11 });
    expect((await terminal.location({ time: ts, items })).result).toBe(GeneralResult.ok);
    const vehicle = { odometerKm: 12345.6, fuelL: 41.5, recorderSpeedKmh: 52, signal: 27, satellites: 11 };
    const track = await t.api<PositionOut[]>('GET', `/api/units/truck-items/track?from=${minutesAgo(1).toISOString()}&to=${minutesAgo(-1).toISOString()}`);
    expect(track.body).toEqual([expect.objectContaining({ ts: ts.toISOString(), vehicle })]);
    const latest = await t.api<PositionOut[]>('GET', '/api/positions/latest');
    expect(latest.body.find((p) => p.unitId === 'truck-items')).toMatchObject({ vehicle });
    // a report without items has none: nothing carried over from the one before
    expect((await terminal.location({ time: new Date(ts.getTime() + 1000) })).result).toBe(GeneralResult.ok);
    const after = await t.api<PositionOut[]>('GET', '/api/positions/latest');
    expect(after.body.find((p) => p.unitId === 'truck-items')).not.toHaveProperty('vehicle');
  });

  it('refuses a frame with a bad check code between two good positions: counted, both good ones stored and answered', async () => {
    const terminal = await online('truck-checksum', '13800000012');
    const before = await refused('bad_checksum');
    const first = terminal.frame(MessageId.Location, locationReport({ time: minutesAgo(3) }));
    const broken = terminal.frame(MessageId.Location, locationReport({ time: minutesAgo(2) }));
    const last = terminal.frame(MessageId.Location, locationReport({ time: minutesAgo(1) }));
    // the check code (the last byte before escaping) flipped, escaping kept valid
    const content = unescapeFrame(broken.bytes.subarray(1, -1));
    content[content.length - 1] = content.at(-1)! ^ 0xff;
    const bad = Buffer.concat([Buffer.of(0x7e), escapeFrame(content), Buffer.of(0x7e)]);
    terminal.write(Buffer.concat([first.bytes, bad, last.bytes]));
    expect((await terminal.response(first.serial)).result).toBe(GeneralResult.ok);
    expect((await terminal.response(last.serial)).result).toBe(GeneralResult.ok);
    expect(await t.storedPositions('truck-checksum')).toBe(2);
    expect(await refused('bad_checksum')).toBe(before + 1);
    expect(terminal.received.some((m) => m.messageId === MessageId.PlatformResponse && m.body.answeredSerial === broken.serial)).toBe(false);
  });

  it('lands a 0x0704 blind-area batch in its place in time, the live position staying the latest', async () => {
    const terminal = await online('truck-blind', '13800000013');
    const now = minutesAgo(0);
    const at = (m: number) => new Date(now.getTime() - m * 60_000);
    expect((await terminal.location({ time: now, latitude: 22.6 })).result).toBe(GeneralResult.ok);
    const late = [4, 2, 3, 1].map((m, i) => locationReport({ time: at(m), latitude: 22.5 + i * 0.001 }));
    const serial = terminal.send(MessageId.LocationBatch, { type: BatchType.blindArea, locations: late, refused: [] });
    expect((await terminal.response(serial)).result).toBe(GeneralResult.ok);
    const track = await t.api<PositionOut[]>('GET', `/api/units/truck-blind/track?from=${at(10).toISOString()}&to=${at(-1).toISOString()}`);
    expect(track.body.map((p) => p.ts)).toEqual([4, 3, 2, 1, 0].map((m) => at(m).toISOString()));
    const latest = await t.api<PositionOut[]>('GET', '/api/positions/latest');
    expect(latest.body.find((p) => p.unitId === 'truck-blind')).toMatchObject({ lat: 22.6 });
  });

  it('refuses a position dated an hour ahead: 0x8001 result 2, in the rejection log under its message', async () => {
    const terminal = await online('truck-future', '13800000015');
    const answer = await terminal.location({ time: new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000) });
    expect(answer.result).toBe(GeneralResult.badMessage);
    const log = await t.api<{ rejections: { unitId: string; topic: string; reason: string }[] }>('GET', '/api/ingest/rejections');
    expect(log.body.rejections).toContainEqual(expect.objectContaining({ unitId: 'truck-future', topic: 'jt808/0x0200', reason: 'ts_in_future' }));
    expect(await t.storedPositions('truck-future')).toBe(0);
  });

  it('takes a burst of 300 reports: every one stored and answered (the connection is paused past 64 in flight and read again)', async () => {
    const terminal = await online('truck-burst', '13800000016');
    const base = minutesAgo(30).getTime();
    const frames = Array.from({ length: 300 }, (_, i) => terminal.frame(MessageId.Location, locationReport({ time: new Date(base + i * 1000) })));
    // ten writes a little apart: ten reads for the hub, the later ones while it holds the connection
    for (let i = 0; i < frames.length; i += 30) {
      terminal.write(Buffer.concat(frames.slice(i, i + 30).map((f) => f.bytes)));
      await new Promise((r) => setTimeout(r, 5));
    }
    const answers = await Promise.all(frames.map((f) => terminal.response(f.serial, 30_000)));
    expect(answers.every((a) => a.result === GeneralResult.ok)).toBe(true);
    expect(await t.storedPositions('truck-burst')).toBe(300);
  });

  it('does not store a position without a valid fix (counted), and answers it as received', async () => {
    const terminal = await online('truck-nofix', '13800000014');
    const before = await refused('no_fix');
    expect((await terminal.location({ status: StatusBit.acc, latitude: 0, longitude: 0 })).result).toBe(GeneralResult.ok);
    expect(await refused('no_fix')).toBe(before + 1);
    expect(await t.storedPositions('truck-nofix')).toBe(0);
  });
});

describe('JT/T 808 alarms', () => {
  it('raises an emergency bit as an sos that opens an incident, once while it stays set, and confirms it with 0x8203 when acknowledged', async () => {
    const terminal = await online('truck-sos', '13800000021');
    expect((await terminal.location({ alarm: 0b1, time: minutesAgo(1) })).result).toBe(GeneralResult.ok);
    // the answer waits for the alarm to be stored, as an MQTT SOS's PUBACK does
    const sos = (await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-sos&kind=sos')).body;
    expect(sos).toHaveLength(1);
    expect(sos[0]!.details).toMatchObject({ code: 'emergency', message: 'Emergency (SOS button) / 紧急报警' });
    const incident = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'truck-sos'), 15_000, 'the SOS incident');
    expect(incident).toMatchObject({ type: 'sos', source: 'alarm', lat: 22.5431, lon: 114.0579 });

    // still set in the next reports (the terminal waits for the confirmation): no new alarm
    expect((await terminal.location({ alarm: 0b1 })).result).toBe(GeneralResult.ok);
    expect((await terminal.location({ alarm: 0b1 })).result).toBe(GeneralResult.ok);
    expect((await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-sos&kind=sos')).body).toHaveLength(1);

    const seen = terminal.received.length;
    expect((await t.api('POST', `/api/alarms/${sos[0]!.id}/ack`, {})).status).toBe(200);
    const confirmation = await terminal.next((m) => (m.messageId === MessageId.AlarmConfirmation ? m.body : undefined), 15_000, seen);
    expect(confirmation).toEqual({ alarmSerial: 0, alarmTypes: 0b1 });

    // cleared, then pressed again: a new SOS
    expect((await terminal.location({ alarm: 0 })).result).toBe(GeneralResult.ok);
    expect((await terminal.location({ alarm: 0b1, time: minutesAgo(0) })).result).toBe(GeneralResult.ok);
    expect((await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-sos&kind=sos')).body).toHaveLength(2);
  });

  it('confirms an emergency acknowledged while the terminal was away when it authenticates again', async () => {
    const terminal = await online('truck-away', '13800000023');
    expect((await terminal.location({ alarm: 0b1 })).result).toBe(GeneralResult.ok);
    const [sos] = (await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-away&kind=sos')).body;
    await terminal.close();
    expect((await t.api('POST', `/api/alarms/${sos!.id}/ack`, {})).status).toBe(200);
    const back = await connect('13800000023');
    expect((await back.authenticate(codes.get('13800000023')!)).result).toBe(GeneralResult.ok);
    expect(await back.next((m) => (m.messageId === MessageId.AlarmConfirmation ? m.body : undefined))).toEqual({ alarmSerial: 0, alarmTypes: 0b1 });
  });

  it('raises an alarm of a report whose coordinates cannot be, at the last known position, and refuses its position', async () => {
    const terminal = await online('truck-garbage', '13800000024');
    expect((await terminal.location({ alarm: 1 << 8, latitude: 4000, longitude: 114.05 })).result).toBe(GeneralResult.badMessage);
    expect((await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-garbage&kind=device')).body).toEqual([expect.objectContaining({ lat: null, lon: null })]);
    expect(await t.storedPositions('truck-garbage')).toBe(0);
  });

  it('raises the other bits as device alarms named in en and zh-CN', async () => {
    const terminal = await online('truck-device', '13800000022');
    expect((await terminal.location({ alarm: (1 << 1) | (1 << 8) })).result).toBe(GeneralResult.ok);
    const alarms = (await t.api<Alarm[]>('GET', '/api/alarms?unitId=truck-device&kind=device')).body;
    expect(alarms.map((a) => a.details).sort((a, b) => String(a.code).localeCompare(String(b.code)))).toEqual([
      expect.objectContaining({ code: 'overspeed', message: 'Overspeed / 超速报警' }),
      expect.objectContaining({ code: 'power_cut', message: 'Main power cut / 终端主电源掉电' }),
    ]);
  });
});
