// 0x0200 location report (JT/T 808-2019 Table 23 basic information, Table 24 alarm flags,
// Table 25 status bits, Table 26/27 additional items), 0x0201 position query answer (Table 29:
// WORD answered serial + a 0x0200 body) and 0x0704 batch / blind-area upload (Table 83: WORD
// count, BYTE type, then count × WORD length + a 0x0200 body).
import { BodyReader, BodyWriter } from '../bytes';
import { Jt808Error } from '../errors';
import type { BodyCodec } from './codec';

/** Status bits (Table 25) the hub reads. */
export const StatusBit = {
  /** ACC (ignition) on */
  acc: 1 << 0,
  /** 定位: the fix is valid */
  fix: 1 << 1,
  /** latitude is south */
  south: 1 << 2,
  /** longitude is west */
  west: 1 << 3,
} as const;

/** One additional item (Table 26): id BYTE, length BYTE, value. Every item is kept as sent, known or not. */
export interface AdditionalItem {
  id: number;
  value: Buffer;
}

/** Additional item ids (Table 27) the codec reads into numbers. */
export const AdditionalItemId = {
  /** DWORD, 1/10 km, the odometer */
  mileage: 0x01,
  /** WORD, 1/10 L */
  fuel: 0x02,
  /** WORD, 1/10 km/h, the driving recorder's speed */
  recorderSpeed: 0x03,
  /** BYTE, mobile network signal strength */
  signal: 0x30,
  /** BYTE, GNSS satellites in use */
  satellites: 0x31,
} as const;

export interface LocationReport {
  /** alarm flags, DWORD (Table 24; ALARM_FLAGS names them) */
  alarm: number;
  /** status bits, DWORD (Table 25) */
  status: number;
  /** degrees, negative when south (status bit 2); sent as DWORD 1e-6 degrees */
  latitude: number;
  /** degrees, negative when west (status bit 3) */
  longitude: number;
  /** metres, WORD read signed: terminals below sea level send two's complement (as Traccar reads it) */
  altitude: number;
  /** km/h, sent as WORD 1/10 km/h */
  speedKmh: number;
  /** degrees clockwise from north, 0-359 */
  direction: number;
  /** the fix time: BCD[6] YYMMDDhhmmss in GMT+8, as UTC; null when the terminal sent all zeros (no time yet) */
  time: Date | null;
  /** additional items in the order sent */
  items: AdditionalItem[];
  /** bytes after the last whole item that do not form one (a truncated item): kept, not refused, so the position is not lost */
  trailer?: Buffer;
}

/** GMT+8 (China Standard Time), the zone of the standard's BCD times. */
const CST_OFFSET_MS = 8 * 3600_000;

function decodeTime(r: BodyReader): Date | null {
  const digits = r.bcd(6, 'time');
  if (digits === '000000000000') return null;
  const [yy, mo, dd, hh, mi, ss] = [0, 2, 4, 6, 8, 10].map((i) => Number(digits.slice(i, i + 2))) as [number, number, number, number, number, number];
  const ms = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss) - CST_OFFSET_MS;
  const back = new Date(ms + CST_OFFSET_MS);
  // Date.UTC rolls 31 February into March: a date that does not exist is refused
  if (mo < 1 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== dd || hh > 23 || mi > 59 || ss > 59) throw new Jt808Error('bad_field', `time ${digits} is not a date (YYMMDDhhmmss)`);
  return new Date(ms);
}

function encodeTime(w: BodyWriter, time: Date | null): void {
  if (time === null) {
    w.bytes(Buffer.alloc(6));
    return;
  }
  const t = new Date(time.getTime() + CST_OFFSET_MS);
  const year = t.getUTCFullYear();
  if (year < 2000 || year > 2099) throw new Jt808Error('bad_field', `year ${year}: the BCD time holds 2000-2099`);
  const parts = [year - 2000, t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  w.bcd(parts.map((p) => String(p).padStart(2, '0')).join(''), 6, 'time');
}

function decodeLocation(r: BodyReader): LocationReport {
  const alarm = r.u32('alarm flags');
  const status = r.u32('status');
  const lat = r.u32('latitude') / 1e6;
  const lon = r.u32('longitude') / 1e6;
  const report: LocationReport = {
    alarm,
    status,
    latitude: status & StatusBit.south ? -lat : lat,
    longitude: status & StatusBit.west ? -lon : lon,
    altitude: r.i16('altitude'),
    speedKmh: r.u16('speed') / 10,
    direction: r.u16('direction'),
    time: decodeTime(r),
    items: [],
  };
  while (r.remaining >= 2) {
    const id = r.buf[r.buf.length - r.remaining]!;
    const length = r.buf[r.buf.length - r.remaining + 1]!;
    if (length + 2 > r.remaining) break;
    r.bytes(2, 'additional item');
    report.items.push({ id, value: Buffer.from(r.bytes(length, `additional item 0x${id.toString(16)}`)) });
  }
  if (r.remaining > 0) report.trailer = Buffer.from(r.rest());
  return report;
}

function encodeLocation(w: BodyWriter, b: LocationReport): void {
  const status = (b.status | (b.latitude < 0 ? StatusBit.south : 0) | (b.longitude < 0 ? StatusBit.west : 0)) >>> 0;
  w.u32(b.alarm)
    .u32(status)
    .u32(Math.round(Math.abs(b.latitude) * 1e6))
    .u32(Math.round(Math.abs(b.longitude) * 1e6));
  w.i16(b.altitude)
    .u16(Math.round(b.speedKmh * 10))
    .u16(b.direction);
  encodeTime(w, b.time);
  for (const item of b.items) {
    if (item.value.length > 0xff) throw new Jt808Error('too_long', `additional item 0x${item.id.toString(16)} of ${item.value.length} bytes: its length is one byte`);
    w.u8(item.id).u8(item.value.length).bytes(item.value);
  }
  if (b.trailer) w.bytes(b.trailer);
}

export const locationCodec: BodyCodec<LocationReport> = {
  decode: (r) => decodeLocation(r),
  encode: (w, b) => encodeLocation(w, b),
};

export interface LocationQueryAnswer {
  answeredSerial: number;
  location: LocationReport;
}

export const locationQueryAnswerCodec: BodyCodec<LocationQueryAnswer> = {
  decode: (r) => ({ answeredSerial: r.u16('answered serial'), location: decodeLocation(r) }),
  encode(w, b) {
    encodeLocation(w.u16(b.answeredSerial), b.location);
  },
};

/** 0x0704 data type: 0 normal batch, 1 blind-area (stored while out of coverage, sent late). */
export const BatchType = { normal: 0, blindArea: 1 } as const;

export interface LocationBatch {
  /** BatchType */
  type: number;
  locations: LocationReport[];
  /** items whose own bytes were refused (index in the batch): the others are kept */
  refused: Array<{ index: number; error: Jt808Error }>;
}

export const locationBatchCodec: BodyCodec<LocationBatch> = {
  decode(r) {
    const count = r.u16('count');
    const type = r.u8('type');
    const batch: LocationBatch = { type, locations: [], refused: [] };
    for (let index = 0; index < count; index++) {
      // a length that runs past the body leaves no way to find the next item: the whole batch is refused
      const item = r.bytes(r.u16(`item ${index} length`), `item ${index}`);
      try {
        batch.locations.push(decodeLocation(new BodyReader(item, `0x0704 item ${index}`)));
      } catch (err) {
        if (!(err instanceof Jt808Error)) throw err;
        batch.refused.push({ index, error: err });
      }
    }
    if (r.remaining > 0) throw new Jt808Error('bad_length', `0x0704: ${r.remaining} byte(s) after the ${count} item(s) the count announces`);
    return batch;
  },
  encode(w, b) {
    w.u16(b.locations.length).u8(b.type);
    for (const location of b.locations) {
      const item = new BodyWriter();
      encodeLocation(item, location);
      const bytes = item.toBuffer();
      w.u16(bytes.length).bytes(bytes);
    }
  },
};

/** The numbers of the additional items the hub knows (Table 27), undefined when absent or of a wrong length. */
export interface KnownItems {
  mileageKm?: number;
  fuelL?: number;
  recorderSpeedKmh?: number;
  signal?: number;
  satellites?: number;
}

export function readKnownItems(items: AdditionalItem[]): KnownItems {
  const known: KnownItems = {};
  for (const { id, value } of items) {
    if (id === AdditionalItemId.mileage && value.length === 4) known.mileageKm = value.readUInt32BE() / 10;
    else if (id === AdditionalItemId.fuel && value.length === 2) known.fuelL = value.readUInt16BE() / 10;
    else if (id === AdditionalItemId.recorderSpeed && value.length === 2) known.recorderSpeedKmh = value.readUInt16BE() / 10;
    else if (id === AdditionalItemId.signal && value.length === 1) known.signal = value[0];
    else if (id === AdditionalItemId.satellites && value.length === 1) known.satellites = value[0];
  }
  return known;
}

/** The known items as additional items, in Table 27's order (for a terminal simulator). */
export function knownItems(known: KnownItems): AdditionalItem[] {
  const items: AdditionalItem[] = [];
  const word = (v: number) => new BodyWriter().u16(v).toBuffer();
  if (known.mileageKm !== undefined) items.push({ id: AdditionalItemId.mileage, value: new BodyWriter().u32(Math.round(known.mileageKm * 10)).toBuffer() });
  if (known.fuelL !== undefined) items.push({ id: AdditionalItemId.fuel, value: word(Math.round(known.fuelL * 10)) });
  if (known.recorderSpeedKmh !== undefined) items.push({ id: AdditionalItemId.recorderSpeed, value: word(Math.round(known.recorderSpeedKmh * 10)) });
  if (known.signal !== undefined) items.push({ id: AdditionalItemId.signal, value: Buffer.of(known.signal) });
  if (known.satellites !== undefined) items.push({ id: AdditionalItemId.satellites, value: Buffer.of(known.satellites) });
  return items;
}
