// Nearest available units on a fleet of N units: the SQL ranking over unit_latest plus the
// recent-speed query, as GET /api/units/nearest runs them.
// `npm run bench:nearest -- [--units 10000] [--queries 200] [--limit 5] [--history 10]`
// (history: positions per unit in the ETA window, for the median-speed query)
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Position } from '@hub/config';
import { loadConfig } from '@hub/config/node';
import { createPool, startEmbeddedDatabase } from '@hub/platform';
import { insertPositions, migrate, TelemetryBus } from '@hub/telemetry';
import { IncidentService, nearestUnitsSql } from '@hub/incidents';
import { schemaMigrations } from '@hub/server';
import { freePort } from '../test-support/ports';

const { values: a } = parseArgs({
  options: {
    units: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '200' },
    limit: { type: 'string', default: '5' },
    history: { type: 'string', default: '10' },
  },
});
const [UNITS, QUERIES, LIMIT, HISTORY] = [Number(a.units), Number(a.queries), Number(a.limit), Number(a.history)];

const dir = mkdtempSync(path.join(tmpdir(), 'nearest-bench-'));
chmodSync(dir, 0o755);
const url = process.env.DATABASE_URL;
const embedded = url ? undefined : await startEmbeddedDatabase({ dataDir: path.join(dir, 'pg'), port: await freePort() });
const db = createPool(url ?? embedded!.url, 4);
await migrate(db, { retentionDays: 30, migrations: schemaMigrations });

// A city of 30 × 30 km around Shenzhen Futian; a fifth of the units are body cams, a tenth offline.
const centre = { lat: 22.54, lon: 114.05 };
const spread = 0.15;
const ids = Array.from({ length: UNITS }, (_, i) => `n-${i}`);
await db.query(
  `INSERT INTO units (id, name, type, online) SELECT id, id, CASE WHEN n % 5 = 0 THEN 'bodycam' ELSE 'vehicle' END, n % 10 <> 0
     FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
  [ids],
);
const now = Date.now();
for (let h = HISTORY - 1; h >= 0; h--) {
  const batch: Position[] = ids.map((unitId) => ({
    unitId,
    ts: new Date(now - h * 30_000),
    lat: centre.lat + (Math.random() - 0.5) * 2 * spread,
    lon: centre.lon + (Math.random() - 0.5) * 2 * spread,
    speed: Math.random() * 15,
    heading: 0,
    accuracy: 5,
  }));
  for (let i = 0; i < batch.length; i += 5000) await insertPositions(db, batch.slice(i, i + 5000));
}
await db.query('ANALYZE');

const config = loadConfig({ env: {} });
const service = await IncidentService.start({
  db,
  bus: new TelemetryBus(),
  sendCommand: async () => {},
  linkage: config.linkage,
  dataDir: dir,
  log: pino({ level: 'silent' }),
});
// some units busy on open incidents
const busy = await service.create({ type: 'bench', source: 'manual', lat: centre.lat, lon: centre.lon, createdBy: 'bench' });
await service.dispatch(busy.id, ids.slice(1, 200), 'bench');

const point = () => ({ lat: centre.lat + (Math.random() - 0.5) * spread, lon: centre.lon + (Math.random() - 0.5) * spread });
type Ranker = (q: { lat: number; lon: number; limit: number; types?: ('vehicle' | 'bodycam')[] }) => Promise<{ unitId: string }[]>;
async function measure(name: string, rank: Ranker) {
  for (let i = 0; i < 20; i++) await rank({ ...point(), limit: LIMIT }); // warm-up
  const lat: number[] = [];
  const started = performance.now();
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    const units = await rank({ ...point(), limit: LIMIT, types: i % 2 ? ['vehicle'] : undefined });
    lat.push(performance.now() - t0);
    if (units.length !== LIMIT) throw new Error(`expected ${LIMIT} units, got ${units.length}`);
  }
  const secs = (performance.now() - started) / 1000;
  lat.sort((x, y) => x - y);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1);
  console.log(`  ${name}: p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${lat.at(-1)!.toFixed(1)} ms; ${(QUERIES / secs).toFixed(0)} queries/s one at a time`);
}
// the two rankings agree
for (let i = 0; i < 20; i++) {
  const p = { ...point(), limit: LIMIT };
  const [a, b] = [await service.nearest(p), await nearestUnitsSql(db, p, config.linkage)];
  if (a.map((u) => u.unitId).join() !== b.map((u) => u.unitId).join()) throw new Error(`rankings differ at ${JSON.stringify(p)}`);
}
console.log(`nearest units: ${UNITS} units (${HISTORY} positions each in the ETA window), ${QUERIES} queries, limit ${LIMIT}`);
await measure('in-memory index (the API)', (q) => service.nearest(q));
await measure('one SQL over unit_latest', (q) => nearestUnitsSql(db, q, config.linkage));
await service.close();
await db.end();
await embedded?.stop();
rmSync(dir, { recursive: true, force: true });
