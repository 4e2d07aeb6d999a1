import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PositionMessageSchema } from '@hub/config';
import { TpvEpochs } from '../../src/gps/gpsd-source';
import { NmeaDecoder, nmeaChecksum, parseNmeaSentence } from '../../src/gps/nmea-parser';
import type { GpsFix } from '../../src/gps/source';
import { fixToNmea } from '../../../test-support/nmea-writer';

// Sentences from real receivers; where each comes from: test/gps/data/README.md
const REAL = readFileSync(new URL('./data/real-sentences.nmea', import.meta.url), 'latin1');

describe('parseNmeaSentence', () => {
  it('reads RMC: ddmm.mmmm to degrees, knots to m/s, date + time to a timestamp', () => {
    const r = parseNmeaSentence('$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A');
    expect(r).toEqual({
      ok: true,
      sentence: {
        type: 'RMC',
        talker: 'GP',
        secondOfDay: 45319,
        ts: Date.parse('1994-03-23T12:35:19Z'),
        valid: true,
        lat: 48.1173,
        lon: 11.5166667,
        speed: 11.524,
        heading: 84.4,
      },
    });
  });

  it('reads southern and western hemispheres as negative, and fractional seconds', () => {
    const r = parseNmeaSentence('$GPRMC,194329.000,A,3321.6735,S,07030.7640,W,0.00,0.00,090216,,,A*6C');
    expect(r.ok && r.sentence).toMatchObject({ lat: -33.361225, lon: -70.5127333, ts: Date.parse('2016-02-09T19:43:29Z'), speed: 0 });
    const gn = parseNmeaSentence('$GNRMC,000001.00,A,2304.167961,N,16553.836924,W,7.87,100.6,111214,0,E,D*17');
    expect(gn.ok && gn.sentence).toMatchObject({ talker: 'GN', lat: 23.069466, lon: -165.8972821, ts: Date.parse('2014-12-11T00:00:01Z') });
  });

  it('reads GGA altitude, HDOP and fix quality', () => {
    const r = parseNmeaSentence('$GPGGA,201229.00,6026.86958,N,02217.14119,E,1,08,0.96,66.1,M,18.7,M,,*6C');
    expect(r.ok && r.sentence).toMatchObject({ type: 'GGA', quality: 1, satellites: 8, hdop: 0.96, alt: 66.1, lat: 60.4478263 });
  });

  it('refuses a wrong or missing checksum and malformed fields', () => {
    expect(parseNmeaSentence('$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6B')).toEqual({ ok: false, reason: 'checksum' });
    expect(parseNmeaSentence('$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W')).toEqual({ ok: false, reason: 'checksum' });
    // one digit flipped in transit (line noise): the checksum catches it
    expect(parseNmeaSentence('$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230395,003.1,W*6A').ok).toBe(false);
    const badLat = 'GPRMC,123519,A,48X7.038,N,01131.000,E,022.4,084.4,230394,003.1,W';
    expect(parseNmeaSentence(`$${badLat}*${nmeaChecksum(badLat)}`)).toEqual({ ok: false, reason: 'malformed' });
    const badMinutes = 'GPRMC,123519,A,4867.038,N,01131.000,E,022.4,084.4,230394,003.1,W';
    expect(parseNmeaSentence(`$${badMinutes}*${nmeaChecksum(badMinutes)}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseNmeaSentence('garbage')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('NmeaDecoder', () => {
  it('emits one fix per valid RMC, merged with the GGA of the same epoch, and counts the rest', () => {
    const d = new NmeaDecoder();
    // split at odd places, as a serial port delivers bytes
    const fixes = [REAL.slice(0, 37), REAL.slice(37, 300), REAL.slice(300)].flatMap((c) => d.push(Buffer.from(c, 'latin1')));
    expect(fixes.map((f) => f.ts)).toEqual([
      Date.parse('2022-07-15T20:12:30Z'),
      Date.parse('1994-03-23T12:35:19Z'),
      Date.parse('2014-12-11T00:00:01Z'),
      Date.parse('2016-02-09T19:43:29Z'),
      Date.parse('2018-09-18T03:10:24Z'),
    ]);
    // Turku: GGA one second earlier still counts as the same epoch; HDOP 0.96 × 5 m
    expect(fixes[0]).toMatchObject({ lat: 60.4478248, lon: 22.2856812, alt: 66.1, accuracy: 4.8, speed: 0.354 });
    expect(fixes[0]!.heading).toBeUndefined();
    // Munich: GGA of the same second
    expect(fixes[1]).toMatchObject({ alt: 545.4, accuracy: 4.5, heading: 84.4 });
    // the C-Nav's GGA comes after its RMC: the RMC gets the previous (older) GGA, here none of its epoch
    expect(fixes[2]!.alt).toBeUndefined();
    expect(d.stats).toEqual({ sentences: 10, bad: 0, noFix: 1, fixes: 5 });
    for (const f of fixes) expect(PositionMessageSchema.safeParse({ unitId: 'u1', ...f }).success).toBe(true);
  });

  it('skips and counts bad sentences without losing the good ones around them', () => {
    const d = new NmeaDecoder();
    const good = '$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n';
    const fixes = d.push(good + '$GPRMC,123520,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n' + '\x00\xff#noise\r\n' + good);
    expect(fixes).toHaveLength(2);
    expect(d.stats).toMatchObject({ sentences: 4, bad: 2, fixes: 2 });
  });

  it('resynchronises after a long run of bytes without a line end', () => {
    const d = new NmeaDecoder();
    d.push('x'.repeat(500));
    const fixes = d.push('\r\n$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n');
    // a first RMC waits for a GGA that may follow it: the end of the stream lets it go
    expect([...fixes, ...d.flush()]).toHaveLength(1);
    expect(d.stats.bad).toBe(1);
  });
});

describe('NmeaDecoder: the order of RMC and GGA', () => {
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  const epoch = (i: number) => fixToNmea({ ts: start + 1000 * i, lat: 22.54, lon: 114.05 + i * 1e-4, speed: 6.17, heading: 45, accuracy: 4, alt: 15 }).split(/(?<=\r\n)/);

  it('gives every fix its altitude and accuracy when the receiver sends GGA after RMC', () => {
    const d = new NmeaDecoder();
    const fixes = Array.from({ length: 5 }, (_, i) => epoch(i)).flatMap(([gga, rmc]) => d.push(rmc! + gga!));
    expect(fixes).toHaveLength(5);
    for (const f of fixes) expect(f).toMatchObject({ alt: 15, accuracy: 4, speed: 6.168, heading: 45 }); // 11.99 kn
    expect(fixes.map((f) => f.ts)).toEqual(Array.from({ length: 5 }, (_, i) => start + 1000 * i));
  });

  it('gives every fix its altitude when GGA comes first, and loses no fix of an RMC-only receiver', () => {
    const ggaFirst = new NmeaDecoder();
    const a = Array.from({ length: 4 }, (_, i) => epoch(i)).flatMap(([gga, rmc]) => ggaFirst.push(gga! + rmc!));
    expect(a).toHaveLength(4);
    for (const f of a) expect(f).toMatchObject({ alt: 15, accuracy: 4 });

    const rmcOnly = new NmeaDecoder();
    const b = Array.from({ length: 4 }, (_, i) => epoch(i)).flatMap(([, rmc]) => rmcOnly.push(rmc!));
    // the first RMC waits to learn whether a GGA follows (the second RMC says not); none is held after it
    expect(rmcOnly.flush()).toEqual([]);
    expect(b.map((f) => f.ts)).toEqual(Array.from({ length: 4 }, (_, i) => start + 1000 * i));
  });
});

describe('TpvEpochs', () => {
  it('joins the TPVs gpsd sends for one epoch into one fix, later fields over earlier ones', () => {
    const epochs = new TpvEpochs();
    const out: GpsFix[] = [];
    for (let i = 0; i < 4; i++) {
      const ts = Date.UTC(2026, 0, 5, 8, 0, i);
      // first the GGA's report (no course, a speed gpsd derived from positions), then the RMC's
      out.push(...epochs.add({ ts, lat: 22.54, lon: 114.05, speed: 11.07, alt: 15 }));
      out.push(...epochs.add({ ts, lat: 22.54, lon: 114.05, speed: 6.17, heading: 45 }));
    }
    out.push(...epochs.flush());
    expect(out.map((f) => f.ts)).toEqual(Array.from({ length: 4 }, (_, i) => Date.UTC(2026, 0, 5, 8, 0, i)));
    // the first epoch went out before the second TPV taught that epochs come in two
    expect(out[0]).toMatchObject({ speed: 11.07 });
    for (const f of out.slice(1)) expect(f).toMatchObject({ speed: 6.17, heading: 45, alt: 15 });
  });

  it('passes a gpsd that sends one TPV per epoch through at once', () => {
    const epochs = new TpvEpochs();
    const ts = Date.UTC(2026, 0, 5, 8, 0, 0);
    expect(epochs.add({ ts, lat: 1, lon: 2, speed: 3 })).toHaveLength(1);
    expect(epochs.add({ ts: ts + 1000, lat: 1, lon: 2, speed: 3 })).toHaveLength(1);
  });
});
