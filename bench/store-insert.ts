// The store alone: how fast insertPositions commits batches into PostgreSQL, without
// the broker. `npx tsx bench/store-insert.ts [--units 10000] [--batch 5000] [--batches 40] [--concurrency 2]`
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Position } from '@hub/config';
import { createPool, startEmbeddedDatabase } from '@hub/platform';
import { insertPositions, migrate } from '@hub/telemetry';
import { freePort } from '../test-support/ports';

const { values: a } = parseArgs({
  options: { units: { type: 'string', default: '10000' }, batch: { type: 'string', default: '5000' }, batches: { type: 'string', default: '40' }, concurrency: { type: 'string', default: '2' } },
});
const [UNITS, BATCH, BATCHES, CONC] = [Number(a.units), Number(a.batch), Number(a.batches), Number(a.concurrency)];

const dir = mkdtempSync(path.join(tmpdir(), 'store-bench-'));
chmodSync(dir, 0o755);
const url = process.env.DATABASE_URL;
const embedded = url ? undefined : await startEmbeddedDatabase({ dataDir: path.join(dir, 'pg'), port: await freePort() });
const db = createPool(url ?? embedded!.url, CONC + 1);
await migrate(db, { retentionDays: 30 });
let t = Date.now() - 3_600_000;
let u = 0;
function makeBatch(): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < BATCH; i++) {
    out.push({ unitId: `s-${u++ % UNITS}`, ts: new Date(t), lat: 22.5 + Math.random() / 10, lon: 114 + Math.random() / 10, speed: 8, heading: 90, accuracy: 5 });
    if (u % UNITS === 0) t += 1000;
  }
  return out;
}
const batches = Array.from({ length: BATCHES }, makeBatch);
await insertPositions(db, makeBatch()); // warm-up
const started = performance.now();
let next = 0;
const lat: number[] = [];
await Promise.all(
  Array.from({ length: CONC }, async () => {
    while (next < batches.length) {
      const b = batches[next++]!;
      const t0 = performance.now();
      await insertPositions(db, b);
      lat.push(performance.now() - t0);
    }
  }),
);
const secs = (performance.now() - started) / 1000;
lat.sort((x, y) => x - y);
console.log(`store: ${BATCHES} batches × ${BATCH} positions (${UNITS} units), concurrency ${CONC}`);
console.log(`  ${((BATCHES * BATCH) / secs).toFixed(0)} positions/s committed; batch p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(1)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`);
await db.end();
await embedded?.stop();
rmSync(dir, { recursive: true, force: true });
