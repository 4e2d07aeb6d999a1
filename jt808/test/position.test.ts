import { describe, expect, it } from 'vitest';
import { PositionMessageSchema } from '@hub/config';
import { ALARM_FLAGS, alarmFlagsOf, bitsNeedingConfirmation, decodeBody, decodeFrame, encodeMessage, knownItems, MessageId, StatusBit, toPosition, type LocationReport } from '@hub/jt808';
import { bytes, TRACCAR } from './data/captures';

function location(hex: string): LocationReport {
  const d = decodeBody(decodeFrame(bytes(hex)));
  if (d.messageId !== MessageId.Location) throw new Error('not a location');
  return d.body;
}

describe('toPosition', () => {
  it("maps a real terminal's 0x0200 to a position the wire schema accepts, items kept", () => {
    const { position, additional, fix } = toPosition('truck-7', location(TRACCAR.locationFuel));
    const parsed = PositionMessageSchema.parse(position);
    expect(parsed).toMatchObject({ unitId: 'truck-7', lat: 22.6426, lon: 114.032984, alt: 128, speed: 0, heading: 8 });
    expect(parsed.ts.toISOString()).toBe('2015-08-17T23:21:21.000Z');
    expect(fix).toBe(true);
    expect(additional).toEqual({ mileageKm: 75.7, fuelL: 0, recorderSpeedKmh: 0, raw: { '01': '000002f5', '02': '0000', '03': '0000' } });
    // the known items travel with the position, to be stored with it
    expect(parsed.vehicle).toEqual({ odometerKm: 75.7, fuelL: 0, recorderSpeedKmh: 0 });
  });

  it('south and west, km/h to m/s, no fix and ACC as flags, signal and satellites', () => {
    const report: LocationReport = {
      alarm: 0,
      status: StatusBit.acc,
      latitude: -33.8688,
      longitude: -70.6693,
      altitude: -12,
      speedKmh: 72,
      direction: 270,
      time: new Date('2024-03-01T04:05:06Z'),
      items: knownItems({ signal: 25, satellites: 9 }),
    };
    const frame = encodeMessage({ messageId: MessageId.Location, phone: '013800000001', serial: 1 }, report);
    const decoded = decodeBody(decodeFrame(frame));
    if (decoded.messageId !== MessageId.Location) throw new Error('not a location');
    expect(decoded.body.status & (StatusBit.south | StatusBit.west)).toBe(StatusBit.south | StatusBit.west);
    const { position, additional, fix } = toPosition('car-1', decoded.body);
    expect(PositionMessageSchema.parse(position)).toMatchObject({ lat: -33.8688, lon: -70.6693, alt: -12, speed: 20, heading: 270, flags: ['acc_on', 'no_fix'] });
    expect(fix).toBe(false);
    expect(additional).toMatchObject({ signal: 25, satellites: 9 });
    expect(position.vehicle).toEqual({ signal: 25, satellites: 9 });
  });

  it('leaves out what the schema cannot hold and refuses a position without a time', () => {
    const report = { ...location(TRACCAR.locationFuel), speedKmh: 6000, direction: 400, altitude: 30000 };
    const { position } = toPosition('u', report);
    expect(PositionMessageSchema.safeParse(position).success).toBe(true);
    expect(position).not.toHaveProperty('speed');
    expect(() => toPosition('u', { ...report, time: null })).toThrow(expect.objectContaining({ reason: 'bad_field' }));
  });
});

describe('alarm flags', () => {
  it('bit 0 is the emergency button, sos; the rest are device alarms with en and zh-CN names', () => {
    expect(ALARM_FLAGS.filter((f) => f.type === 'sos').map((f) => f.bit)).toEqual([0]);
    expect(ALARM_FLAGS.every((f) => f.en.length > 0 && f.zhCN.length > 0)).toBe(true);
    expect(new Set(ALARM_FLAGS.map((f) => f.code)).size).toBe(ALARM_FLAGS.length);
  });

  it("names a real terminal's low-voltage alarm and every set bit", () => {
    expect(alarmFlagsOf(location(TRACCAR.locationAlarm).alarm).map((f) => [f.code, f.zhCN])).toEqual([['power_low', '终端主电源欠压']]);
    expect(alarmFlagsOf(0x80008003).map((f) => f.code)).toEqual(['emergency', 'overspeed', 'bit_15', 'illegal_door_open']);
  });

  it('says which set bits wait for the platform to confirm (0x8203)', () => {
    expect(bitsNeedingConfirmation((1 << 0) | (1 << 1) | (1 << 20))).toBe((1 << 0) | (1 << 20));
  });
});
