// Ingest benchmark: N units publishing positions at a fixed rate through the hub's real
// broker into the real database, and the same load through Mosquitto to a plain
// subscriber as the reference broker figure. Prints figures; asserts nothing.
//
//   npm run bench:ingest -- --units 10000 --rate 1 --seconds 30
//   npm run bench:ingest -- --units 200 --rate 200 --seconds 20
//
// Options: --units N, --rate positions/s per unit, --seconds T, --workers W (load
// processes, default 2), --no-reference (skip Mosquitto), --reference-only, DATABASE_URL (else embedded).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { io as ioClient } from 'socket.io-client';
import type { LiveBatch } from '@hub/config';
import { spawnTied } from '@hub/config/node';
import { freePort } from '../test-support/ports';
import type { WorkerJob } from './load-worker';
import { fmt, insertUnits, pct, runLoad, summarize } from './load';
import { cpuSeconds, spawnBenchHub, treeCpuSeconds, waitForOutput } from './processes';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    'no-reference': { type: 'boolean', default: false },
    'reference-only': { type: 'boolean', default: false },
  },
});
const UNITS = Number(args.units);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const TOKEN = 'bench-admin-token-0000000000';

/** MQTT units in WORKERS load processes, all publishing RATE/s from one moment for SECONDS. */
function mqttLoad(broker: string, units: { id: string; secret: string }[], onStart: () => void, onEnd: () => void) {
  return runLoad<WorkerJob>(
    units,
    { worker: 'load-worker.ts', workers: WORKERS, seconds: SECONDS, job: (slice, startAt) => ({ broker, units: slice, rate: RATE, seconds: SECONDS, startAt }) },
    onStart,
    onEnd,
  );
}

async function benchHub(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-'));
  chmodSync(dataDir, 0o755);
  const { hub, httpPort, mqttPort, pgPort } = await spawnBenchHub({ dataDir, token: TOKEN });
  try {
    await waitForOutput(hub, 'Hub ready', 120_000);
    const dbUrl = process.env.DATABASE_URL ?? `postgres://hub:hub-embedded@127.0.0.1:${pgPort}/hub`;
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const units = Array.from({ length: UNITS }, (_, i) => ({ id: `b-${i}`, secret: `bench-secret-${i}` }));
    // units made directly in the database: 10,000 REST calls would only time the API
    await insertUnits(db, units);

    // a wall on the live feed: publish → socket latency from the position's own timestamp
    const wall = ioClient(`http://127.0.0.1:${httpPort}`, { auth: { token: TOKEN }, transports: ['websocket'] });
    const socketLat: number[] = [];
    let socketPositions = 0;
    let batches = 0;
    wall.on('batch', (b: LiveBatch) => {
      const now = Date.now();
      batches++;
      for (const p of b.positions) {
        socketPositions++;
        if (socketLat.length < 200_000) socketLat.push(now - Date.parse(p.ts));
      }
    });
    await new Promise<void>((r) => wall.on('connect', () => r()));

    // CPU from the moment publishing starts (connecting 10,000 units is not the steady state)
    let cpuDuring = 0;
    let hubCpuDuring = 0;
    const { reports, startAt } = await mqttLoad(
      `mqtt://127.0.0.1:${mqttPort}`,
      units,
      () => {
        cpuDuring = -treeCpuSeconds(hub.pid!);
        hubCpuDuring = -cpuSeconds(hub.pid!);
      },
      () => {
        cpuDuring += treeCpuSeconds(hub.pid!);
        hubCpuDuring += cpuSeconds(hub.pid!);
      },
    );
    const metricsText = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN);
    const wallSeconds = SECONDS;
    const s = summarize(reports);
    await new Promise((r) => setTimeout(r, 1000));
    const { rows } = await db.query<{ unit_id: string; n: string }>(`SELECT unit_id, count(*) AS n FROM positions WHERE unit_id LIKE 'b-%' GROUP BY unit_id`);
    const stored = new Map(rows.map((r) => [r.unit_id, Number(r.n)]));
    let lost = 0;
    for (const [id, n] of Object.entries(s.ackedByUnit)) lost += Math.max(0, n - (stored.get(id) ?? 0));
    const storedTotal = [...stored.values()].reduce((a, b) => a + b, 0);
    socketLat.sort((a, b) => a - b);
    wall.close();
    await db.end();

    console.log(`\nHub (aedes → PostgreSQL ${process.env.DATABASE_URL ? 'external' : 'embedded'}), ${UNITS} units × ${RATE}/s for ${SECONDS} s, ${WORKERS} load processes`);
    console.log(`  connected units            ${s.connected}`);
    console.log(`  positions sent / acked     ${s.sent} / ${s.acked}`);
    console.log(`  stored (committed)         ${storedTotal}`);
    console.log(`  acked but not stored (lost) ${lost}`);
    console.log(
      `  sustained durable rate     ${fmt(s.acked / ((s.lastAckAt - startAt) / 1000))} positions/s acked until the last PUBACK (offered ${fmt(UNITS * RATE)}/s for ${SECONDS} s; last PUBACK at ${fmt((s.lastAckAt - startAt) / 1000)} s)`,
    );
    console.log(`  publish → commit (PUBACK)  p50 ${fmt(pct(s.lat, 50))} ms  p99 ${fmt(pct(s.lat, 99))} ms  max ${fmt(s.lat[s.lat.length - 1] ?? NaN)} ms`);
    console.log(`  publish → socket.io wall   p50 ${fmt(pct(socketLat, 50))} ms  p99 ${fmt(pct(socketLat, 99))} ms  (${socketPositions} positions in ${batches} batches)`);
    console.log(`  CPU (% of one core)        hub ${fmt((hubCpuDuring / wallSeconds) * 100)}%, PostgreSQL ${fmt(((cpuDuring - hubCpuDuring) / wallSeconds) * 100)}% while publishing`);
    console.log(
      `  batches                    ${metric('hub_ingest_batch_size_count')}, mean ${fmt(metric('hub_ingest_batch_size_sum') / metric('hub_ingest_batch_size_count'))} positions, mean commit ${fmt((metric('hub_ingest_commit_seconds_sum') / metric('hub_ingest_commit_seconds_count')) * 1000)} ms`,
    );
    console.log(
      `  hub: PUBLISH hook → ack   mean ${fmt((Number(/^hub_mqtt_publish_handled_seconds_sum\{kind="gps"\} (\S+)$/m.exec(metricsText)?.[1]) / Number(/^hub_mqtt_publish_handled_seconds_count\{kind="gps"\} (\S+)$/m.exec(metricsText)?.[1])) * 1000)} ms`,
    );
    console.log(
      `  hub event loop lag         mean ${fmt(metric('hub_process_nodejs_eventloop_lag_mean_seconds') * 1000)} ms  p99 ${fmt(metric('hub_process_nodejs_eventloop_lag_p99_seconds') * 1000)} ms`,
    );
  } finally {
    hub.kill('SIGINT');
    await new Promise((r) => hub.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchMosquitto(): Promise<void> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  // anonymous on loopback: the reference measures the broker, not authentication
  await import('node:fs').then((fs) => fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\npersistence false\n`));
  const mosq = spawnTied('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', process.env.BENCH_MOSQUITTO_LOG ? 'inherit' : 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'reference-subscriber' });
    const recvLat: number[] = [];
    let received = 0;
    sub.on('message', (_t, payload) => {
      received++;
      const m = /"ts":(\d+)/.exec(payload.toString());
      if (m && recvLat.length < 200_000) recvLat.push(Date.now() - Number(m[1]));
    });
    await sub.subscribeAsync('units/+/gps', { qos: 1 });
    const units = Array.from({ length: UNITS }, (_, i) => ({ id: `b-${i}`, secret: 'unused' }));
    let cpuDuring = 0;
    const { reports, startAt } = await mqttLoad(
      `mqtt://127.0.0.1:${port}`,
      units,
      () => (cpuDuring = -cpuSeconds(mosq.pid!)),
      () => (cpuDuring += cpuSeconds(mosq.pid!)),
    );
    const wallSeconds = SECONDS;
    await new Promise((r) => setTimeout(r, 1000));
    await sub.endAsync();
    const s = summarize(reports);
    recvLat.sort((a, b) => a - b);
    console.log(`\nReference: Mosquitto (Debian) → one mqtt.js subscriber, same load`);
    console.log(`  connected units            ${s.connected}`);
    console.log(`  positions sent / acked     ${s.sent} / ${s.acked}`);
    console.log(`  received by subscriber     ${received}`);
    console.log(`  sustained acked rate       ${fmt(s.acked / ((s.lastAckAt - startAt) / 1000))} positions/s (last PUBACK at ${fmt((s.lastAckAt - startAt) / 1000)} s)`);
    console.log(`  publish → PUBACK           p50 ${fmt(pct(s.lat, 50))} ms  p99 ${fmt(pct(s.lat, 99))} ms`);
    console.log(`  publish → subscriber       p50 ${fmt(pct(recvLat, 50))} ms  p99 ${fmt(pct(recvLat, 99))} ms`);
    console.log(`  mosquitto CPU              ${fmt((cpuDuring / wallSeconds) * 100)}% of one core`);
  } finally {
    mosq.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!args['reference-only']) await benchHub();
if (!args['no-reference']) await benchMosquitto();
process.exit(0);
