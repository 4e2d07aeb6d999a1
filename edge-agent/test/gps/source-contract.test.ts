// One contract, every GPS source: each yields fixes that pass PositionMessageSchema, in time order,
// and ends its iteration when closed (twice is fine).
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpsSpecSchema, PositionMessageSchema } from '@hub/config';
import { GpsdSource } from '../../src/gps/gpsd-source';
import { NmeaSource } from '../../src/gps/nmea-source';
import { openGpsSource } from '../../src/gps/open-source';
import { DEFAULT_CENTRE, RouteSource } from '../../src/gps/route-source';
import { cityLoop } from '../../src/gps/routes';
import type { GpsFix, GpsSource } from '../../src/gps/source';
import { FakeGpsd } from '../support/fake-gpsd';
import { fixToNmea } from '../../../test-support/nmea-writer';

const dir = mkdtempSync(path.join(tmpdir(), 'gps-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A driving unit's fixes, one a second, to feed the NMEA and gpsd sources. */
function drive(): () => GpsFix {
  const route = new RouteSource({ route: cityLoop(DEFAULT_CENTRE, 3) });
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  let i = 0;
  return () => {
    const { at, heading } = route.pointAt(12 * i);
    return { ts: start + 1000 * i++, lat: at.lat, lon: at.lon, speed: 12, heading, accuracy: 4, alt: 15 };
  };
}

interface Harness {
  source: GpsSource;
  cleanup?: () => Promise<void> | void;
}

const harnesses: [string, () => Promise<Harness>][] = [
  ['simulated route (time-accelerated)', async () => ({ source: new RouteSource({ tickMs: 2, battery: { start: 80, drainPerHour: 10 } }) })],
  [
    'simulated route from a GeoJSON file (via the --gps spec)',
    async () => {
      const file = path.join(dir, 'route.json');
      writeFileSync(
        file,
        JSON.stringify({
          type: 'Feature',
          properties: { speed: 6 },
          geometry: {
            type: 'LineString',
            coordinates: [
              [114.05, 22.54],
              [114.06, 22.54],
              [114.06, 22.55],
            ],
          },
        }),
      );
      return { source: await openGpsSource(GpsSpecSchema.parse(`sim:${file}`), { sim: { tickMs: 2 } }) };
    },
  ],
  [
    'NMEA file replay',
    async () => {
      const file = path.join(dir, 'drive.nmea');
      const next = drive();
      writeFileSync(file, Array.from({ length: 30 }, () => fixToNmea(next())).join(''));
      return { source: new NmeaSource({ path: file, mode: 'file', rate: 500 }) };
    },
  ],
  [
    'NMEA device (a FIFO standing in for /dev/ttyUSB0)',
    async () => {
      const fifo = path.join(dir, `tty-${Date.now()}`);
      execFileSync('mkfifo', [fifo]);
      const source = new NmeaSource({ path: fifo, mode: 'device', reopenMs: 20 });
      const writer = createWriteStream(fifo);
      // the source closes its end first: the writes after that fail with EPIPE, as a serial port's would
      writer.on('error', () => {});
      const next = drive();
      const timer = setInterval(() => writer.write(fixToNmea(next())), 5);
      return {
        source,
        cleanup: () => {
          clearInterval(timer);
          writer.destroy();
        },
      };
    },
  ],
  [
    'gpsd JSON over TCP',
    async () => {
      const gpsd = await FakeGpsd.start(drive(), 5);
      return { source: new GpsdSource({ port: gpsd.port, reconnectMs: 20 }), cleanup: () => gpsd.close() };
    },
  ],
];

describe.each(harnesses)('GPS source contract: %s', (_name, make) => {
  it('yields valid fixes in time order and ends when closed', async () => {
    const { source, cleanup } = await make();
    const fixes: GpsFix[] = [];
    try {
      for await (const fix of source) {
        fixes.push(fix);
        if (fixes.length === 12) await source.close();
      }
    } finally {
      await source.close();
      await cleanup?.();
    }
    expect(fixes.length).toBeGreaterThanOrEqual(12);
    for (const fix of fixes) {
      const parsed = PositionMessageSchema.safeParse({ unitId: 'contract-1', ...fix });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
    for (let i = 1; i < fixes.length; i++) expect(fixes[i]!.ts).toBeGreaterThan(fixes[i - 1]!.ts);
    expect(source.stats.fixes).toBeGreaterThanOrEqual(12);
    expect(source.name).toMatch(/^(sim|nmea|nmea-file|gpsd):?/);
  });
});

describe('GpsdSource', () => {
  it('reconnects and watches again when gpsd drops it, counting torn objects', async () => {
    const gpsd = await FakeGpsd.start(drive(), 5);
    const source = new GpsdSource({ port: gpsd.port, reconnectMs: 20 });
    let n = 0;
    for await (const fix of source) {
      expect(fix.accuracy).toBe(5.3);
      expect(fix.alt).toBe(15);
      if (++n === 5) gpsd.dropClients();
      if (n === 15) break;
    }
    await source.close();
    await gpsd.close();
    expect(gpsd.watches).toBe(2);
    expect(source.stats.opens).toBe(2);
    expect(source.stats.bad).toBeGreaterThanOrEqual(1);
  });
});

describe('NmeaSource file replay', () => {
  it('at rate 0 moves a recorded log to end now, keeping the spacing, so no fix lies ahead of the clock', async () => {
    const file = path.join(dir, 'old.nmea');
    const next = drive();
    writeFileSync(file, Array.from({ length: 3 }, () => fixToNmea(next())).join('') + '$GPRMC,bad*00\r\n');
    const source = new NmeaSource({ path: file, mode: 'file', rate: 0, retime: true });
    const before = Date.now();
    const ts: number[] = [];
    for await (const fix of source) ts.push(fix.ts);
    const after = Date.now();
    expect(ts).toHaveLength(3);
    expect(ts[2]).toBeGreaterThanOrEqual(before);
    expect(ts[2]).toBeLessThanOrEqual(after);
    expect(ts[2]! - ts[0]!).toBe(2000);
    expect(source.stats).toMatchObject({ fixes: 3, bad: 1 });
  });

  it('at a rate above 0 stamps each fix with the moment it is replayed, as a live receiver', async () => {
    const file = path.join(dir, 'live.nmea');
    const next = drive();
    writeFileSync(file, Array.from({ length: 5 }, () => fixToNmea(next())).join(''));
    const source = new NmeaSource({ path: file, mode: 'file', rate: 50, retime: true });
    const before = Date.now();
    const ts: number[] = [];
    for await (const fix of source) ts.push(fix.ts);
    expect(ts).toHaveLength(5);
    for (let i = 0; i < ts.length; i++) {
      expect(ts[i]).toBeGreaterThanOrEqual(i === 0 ? before : ts[i - 1]! + 1);
      expect(ts[i]).toBeLessThanOrEqual(Date.now());
    }
  });
});
