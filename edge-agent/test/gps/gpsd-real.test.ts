// The gpsd source against Debian's real gpsd, fed by its own gpsfake from NMEA logs: speed
// (m/s) and course reach the fix as gpsd documents them in TPV (gpsd_json(5)), whichever
// order the receiver sends RMC and GGA in. Runs where gpsfake is installed (.ci/run installs
// gpsd and gpsd-clients).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { onPath, spawnTied } from '@hub/config/node';
import { freePort } from '../../../test-support/ports';
import { GpsdSource } from '../../src/gps/gpsd-source';
import type { GpsFix } from '../../src/gps/source';
import { fixToNmea } from '../../../test-support/nmea-writer';

const gpsfake = onPath('gpsfake');
const dir = mkdtempSync(path.join(tmpdir(), 'gpsd-real-'));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGTERM');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPEED = 6.17; // m/s, 12 knots
const HEADING = 45;

/** A log of `n` fixes one second apart, with each epoch's sentences in the given order. */
function writeLog(name: string, order: 'gga-first' | 'rmc-first', n = 40): string {
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  let text = '';
  for (let i = 0; i < n; i++) {
    const fix: GpsFix = { ts: start + 1000 * i, lat: 22.54 + i * 0.00004, lon: 114.05 + i * 0.00004, speed: SPEED, heading: HEADING, accuracy: 4, alt: 15 };
    const [gga, rmc] = fixToNmea(fix).split(/(?<=\r\n)/);
    text += order === 'gga-first' ? gga! + rmc! : rmc! + gga!;
  }
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function readThroughGpsd(log: string, want: number): Promise<GpsFix[]> {
  const port = await freePort();
  // -1: one pass; -c: seconds between sentences; -q: quiet. gpsfake starts gpsd on `port`.
  const fake = spawnTied(gpsfake!, ['-1', '-q', '-c', '0.05', '-P', String(port), log], { stdio: 'ignore' });
  running.push(fake);
  const source = new GpsdSource({ port, reconnectMs: 50, maxReconnectMs: 200 });
  const fixes: GpsFix[] = [];
  const timer = setTimeout(() => void source.close(), 30_000);
  try {
    for await (const fix of source) {
      fixes.push(fix);
      if (fixes.length === want) break;
    }
  } finally {
    clearTimeout(timer);
    await source.close();
  }
  return fixes;
}

describe.skipIf(!gpsfake)('GpsdSource with the real gpsd', () => {
  for (const order of ['gga-first', 'rmc-first'] as const) {
    it(`reads speed in m/s and the course from TPV (${order})`, async () => {
      const fixes = await readThroughGpsd(writeLog(`${order}.nmea`, order), 10);
      expect(fixes).toHaveLength(10);
      for (const fix of fixes) {
        expect(fix.speed).toBeCloseTo(SPEED, 2);
        expect(fix.heading).toBe(HEADING);
      }
      // joining mid-cycle, gpsd's first report may be a 2D fix without altitude
      for (const fix of fixes.slice(1)) expect(fix.alt).toBe(15);
      for (let i = 1; i < fixes.length; i++) expect(fixes[i]!.ts).toBeGreaterThan(fixes[i - 1]!.ts);
    });
  }
});
