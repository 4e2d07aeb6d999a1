// NMEA 0183 RMC and GGA sentences → fixes. Pure: no I/O, so a serial device, a file and tests share it.
// Field layouts per NMEA 0183 v2.3/v4.x: RMC = time,status,lat,N/S,lon,E/W,knots,course,date,magvar,E/W[,mode[,navstatus]];
// GGA = time,lat,N/S,lon,E/W,quality,sats,hdop,alt,M,geoid,M,dgpsAge,dgpsStation.
import { accuracyFromHdop, type GpsFix } from './source';

const KNOT_MS = 1852 / 3600;
/** NMEA 0183 allows 82 characters; longer lines are noise on the wire. */
const MAX_LINE = 120;

export interface RmcSentence {
  type: 'RMC';
  /** GP, GN, GL, GA, BD… */
  talker: string;
  /** seconds since midnight UTC */
  secondOfDay: number;
  /** epoch ms from date + time */
  ts: number;
  /** status A (and mode not N): the receiver has a fix */
  valid: boolean;
  lat: number;
  lon: number;
  /** m/s */
  speed?: number;
  /** degrees true, [0, 360) */
  heading?: number;
}

export interface GgaSentence {
  type: 'GGA';
  talker: string;
  secondOfDay: number;
  /** 0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning… */
  quality: number;
  satellites?: number;
  hdop?: number;
  /** metres above mean sea level */
  alt?: number;
  lat?: number;
  lon?: number;
}

export type NmeaSentence = RmcSentence | GgaSentence;

export type NmeaParseResult =
  | { ok: true; sentence: NmeaSentence }
  /** a well-formed sentence of a type we do not use (GSV, VTG…) */
  | { ok: true; sentence: undefined }
  | { ok: false; reason: 'checksum' | 'malformed' };

/** XOR of the characters between `$` and `*`, as two upper-case hex digits. */
export function nmeaChecksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

function parseCoord(value: string, hemi: string, degDigits: 2 | 3): number | undefined {
  const m = (degDigits === 2 ? /^(\d{2})(\d{2}(?:\.\d+)?)$/ : /^(\d{3})(\d{2}(?:\.\d+)?)$/).exec(value);
  if (!m) return undefined;
  const minutes = Number(m[2]);
  if (minutes >= 60) return undefined;
  const deg = Number(m[1]) + minutes / 60;
  if (deg > (degDigits === 2 ? 90 : 180)) return undefined;
  const sign = degDigits === 2 ? (hemi === 'N' ? 1 : hemi === 'S' ? -1 : 0) : hemi === 'E' ? 1 : hemi === 'W' ? -1 : 0;
  if (sign === 0) return undefined;
  // 1e-7° is about 1 cm: more digits are float noise
  return Math.round(sign * deg * 1e7) / 1e7;
}

function parseTime(value: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = Number(m[3]);
  if (h > 23 || min > 59 || s >= 61) return undefined; // 60 = leap second
  return h * 3600 + min * 60 + s;
}

function parseDate(value: string): number | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const yy = Number(m[3]);
  if (day < 1 || day > 31 || month < 1 || month > 12) return undefined;
  // two-digit year: GPS (1980) onwards, so 80-99 are 19xx
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  return Date.UTC(year, month - 1, day);
}

function optNumber(value: string | undefined): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : null; // null = present but garbage
}

/** Parses one sentence (with or without its line ending). Checksum is mandatory for RMC and GGA. */
export function parseNmeaSentence(line: string): NmeaParseResult {
  const text = line.trim();
  const m = /^\$([A-Z0-9]{2,6}),(.*)\*([0-9A-Fa-f]{2})$/.exec(text);
  if (!m) return { ok: false, reason: text.startsWith('$') && !text.includes('*') ? 'checksum' : 'malformed' };
  const body = text.slice(1, text.lastIndexOf('*'));
  if (nmeaChecksum(body) !== m[3]!.toUpperCase()) return { ok: false, reason: 'checksum' };
  const address = m[1]!;
  const type = address.slice(-3);
  const talker = address.slice(0, -3);
  const f = m[2]!.split(',');
  if (type === 'RMC') return parseRmc(talker, f);
  if (type === 'GGA') return parseGga(talker, f);
  return { ok: true, sentence: undefined };
}

function parseRmc(talker: string, f: string[]): NmeaParseResult {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (f.length < 9) return malformed;
  const status = f[1];
  const mode = f[11]; // v2.3+: A autonomous, D differential, E estimated, N not valid…
  const valid = status === 'A' && mode !== 'N';
  const secondOfDay = parseTime(f[0]!);
  const date = parseDate(f[8]!);
  if (!valid) {
    // a receiver without a fix still sends RMC, often with empty fields: well-formed, just no fix
    return { ok: true, sentence: { type: 'RMC', talker, secondOfDay: secondOfDay ?? 0, ts: 0, valid: false, lat: 0, lon: 0 } };
  }
  const lat = parseCoord(f[2]!, f[3]!, 2);
  const lon = parseCoord(f[4]!, f[5]!, 3);
  const knots = optNumber(f[6]);
  const course = optNumber(f[7]);
  if (secondOfDay === undefined || date === undefined || lat === undefined || lon === undefined) return malformed;
  if (knots === null || course === null || (knots !== undefined && knots < 0)) return malformed;
  const sentence: RmcSentence = { type: 'RMC', talker, secondOfDay, ts: date + Math.round(secondOfDay * 1000), valid, lat, lon };
  if (knots !== undefined) sentence.speed = Math.round(knots * KNOT_MS * 1000) / 1000;
  if (course !== undefined && course >= 0 && course <= 360) sentence.heading = course % 360;
  return { ok: true, sentence };
}

function parseGga(talker: string, f: string[]): NmeaParseResult {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (f.length < 9) return malformed;
  const secondOfDay = parseTime(f[0]!);
  const quality = optNumber(f[5]);
  if (secondOfDay === undefined || quality === undefined || quality === null) return malformed;
  const sentence: GgaSentence = { type: 'GGA', talker, secondOfDay, quality };
  if (quality === 0) return { ok: true, sentence };
  const lat = parseCoord(f[1]!, f[2]!, 2);
  const lon = parseCoord(f[3]!, f[4]!, 3);
  const sats = optNumber(f[6]);
  const hdop = optNumber(f[7]);
  const alt = optNumber(f[8]);
  if (lat === undefined || lon === undefined || sats === null || hdop === null || alt === null) return malformed;
  sentence.lat = lat;
  sentence.lon = lon;
  if (sats !== undefined) sentence.satellites = sats;
  if (hdop !== undefined && hdop > 0) sentence.hdop = hdop;
  if (alt !== undefined && (f[9] === 'M' || f[9] === '')) sentence.alt = alt;
  return { ok: true, sentence };
}

export interface NmeaStats {
  /** lines seen */
  sentences: number;
  /** bad checksum or malformed, skipped */
  bad: number;
  /** RMC without a fix (status V or mode N) */
  noFix: number;
  /** fixes emitted */
  fixes: number;
}

/**
 * Turns a byte stream of NMEA sentences into fixes: one fix per valid RMC, with the altitude
 * and HDOP of the GGA of its epoch. Receivers send an epoch's GGA before or after its RMC, and
 * the decoder learns which: until it knows, and while GGA comes after, an RMC is held until the
 * next RMC or GGA (the same burst on a serial line), so that its GGA can join it.
 */
export class NmeaDecoder {
  readonly stats: NmeaStats = { sentences: 0, bad: 0, noFix: 0, fixes: 0 };
  #partial = '';
  /** the latest GGA not yet merged into a fix: each GGA joins one RMC at most */
  #freeGga?: GgaSentence;
  /** where this receiver puts an epoch's GGA, as learned from the stream */
  #ggaOrder: 'unknown' | 'before' | 'after' = 'unknown';
  /** the second of day of the last RMC sent on without a GGA (a GGA of that epoch teaches "after") */
  #rmcWithoutGga?: number;
  /** an RMC waiting for the GGA of its epoch */
  #held?: { fix: GpsFix; secondOfDay: number };

  /** Feeds a chunk; returns the fixes completed by it. */
  push(chunk: string | Buffer): GpsFix[] {
    const text = this.#partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const lines = text.split(/\r?\n|\r/);
    this.#partial = lines.pop() ?? '';
    if (this.#partial.length > MAX_LINE) {
      // no line end in sight: noise (wrong baud rate?) — count it and resynchronise
      this.stats.bad++;
      this.#partial = '';
    }
    return lines.flatMap((line) => this.feedLine(line));
  }

  /** Feeds one whole sentence; returns the fixes it completes (at most two: a held one and its own). */
  feedLine(line: string): GpsFix[] {
    if (line.trim() === '') return [];
    this.stats.sentences++;
    const res = parseNmeaSentence(line);
    if (!res.ok) {
      this.stats.bad++;
      return [];
    }
    const s = res.sentence;
    if (!s) return [];
    return s.type === 'GGA' ? this.#onGga(s) : this.#onRmc(s);
  }

  /** The fix still waiting for its GGA: at the end of a file, or when the stream pauses. */
  flush(): GpsFix[] {
    const held = this.#held;
    if (!held) return [];
    this.#held = undefined;
    this.#rmcWithoutGga = held.secondOfDay;
    return [this.#emit(held.fix)];
  }

  #onGga(gga: GgaSentence): GpsFix[] {
    const held = this.#held;
    if (held && sameEpoch(held.secondOfDay, gga.secondOfDay)) {
      this.#held = undefined;
      this.#ggaOrder = 'after';
      return [this.#emit(withGga(held.fix, gga))];
    }
    const out = this.#release();
    if (this.#rmcWithoutGga !== undefined && sameEpoch(this.#rmcWithoutGga, gga.secondOfDay)) this.#ggaOrder = 'after';
    this.#rmcWithoutGga = undefined;
    this.#freeGga = gga;
    return out;
  }

  #onRmc(rmc: RmcSentence): GpsFix[] {
    const out = this.#release();
    if (!rmc.valid) {
      this.stats.noFix++;
      return out;
    }
    const fix: GpsFix = { ts: rmc.ts, lat: rmc.lat, lon: rmc.lon };
    if (rmc.speed !== undefined) fix.speed = rmc.speed;
    if (rmc.heading !== undefined) fix.heading = rmc.heading;
    const gga = this.#freeGga;
    if (gga && sameEpoch(gga.secondOfDay, rmc.secondOfDay)) {
      this.#freeGga = undefined;
      this.#ggaOrder = 'before';
      out.push(this.#emit(withGga(fix, gga)));
    } else if (this.#ggaOrder !== 'before') {
      this.#held = { fix, secondOfDay: rmc.secondOfDay };
    } else {
      this.#rmcWithoutGga = rmc.secondOfDay;
      out.push(this.#emit(fix));
    }
    return out;
  }

  /** A held RMC whose GGA did not come next: this receiver sends none after it. */
  #release(): GpsFix[] {
    if (!this.#held) return [];
    this.#ggaOrder = 'before';
    return this.flush();
  }

  #emit(fix: GpsFix): GpsFix {
    this.stats.fixes++;
    return fix;
  }
}

function withGga(fix: GpsFix, gga: GgaSentence): GpsFix {
  if (gga.quality === 0) return fix;
  if (gga.alt !== undefined) fix.alt = gga.alt;
  if (gga.hdop !== undefined) fix.accuracy = accuracyFromHdop(gga.hdop);
  return fix;
}

function sameEpoch(a: number, b: number): boolean {
  const d = Math.abs(a - b);
  return Math.min(d, 86400 - d) <= 1.5;
}
