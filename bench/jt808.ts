// JT/T 808 benchmark: N vehicle terminals (one TCP connection each, in load processes) reporting
// 0x0200 once a second into a hub process (its gateway → ingest → the embedded database), with a
// socket.io wall watching; then the same number of MQTT units at 1 Hz into the same hub, the
// ingest bench's load, as the figure beside it. Prints figures; asserts nothing.
//
//   npm run bench:jt808 -- --units 5000 --seconds 30
//   npm run bench:jt808 -- --units 200 --seconds 10 --no-mqtt
//
// Options: --units N (default 5000), --seconds T (default 20), --workers W (load processes,
// default 2), --no-mqtt (skip the MQTT figure).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io as ioClient } from 'socket.io-client';
import type { LiveBatch } from '@hub/config';
import { hashSecret } from '@hub/telemetry';
import { freePort } from '../test-support/ports';
import type { Jt808WorkerJob } from './jt808-worker';
import type { WorkerJob } from './load-worker';
import { fmt, insertUnits, pct, runLoad, summarize } from './load';
import { cpuSeconds, spawnBenchHub, treeCpuSeconds, waitForOutput } from './processes';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    'no-mqtt': { type: 'boolean', default: false },
  },
});
const UNITS = Number(args.units);
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const TOKEN = 'bench-admin-token-0000000000';

type Unit = { id: string; secret: string; phone: string };

/** The wall: publish → socket latency per position, from its time plus the unit's phase in the second. */
function watchWall(httpPort: number, sentAt: (unitId: string, ts: number) => number | undefined) {
  const wall = ioClient(`http://127.0.0.1:${httpPort}`, { auth: { token: TOKEN }, transports: ['websocket'] });
  const latencies: number[] = [];
  let positions = 0;
  wall.on('batch', (b: LiveBatch) => {
    const now = Date.now();
    for (const p of b.positions) {
      const at = sentAt(p.unitId, Date.parse(p.ts));
      if (at === undefined) continue;
      positions++;
      if (latencies.length < 200_000) latencies.push(now - at);
    }
  });
  return {
    ready: new Promise<void>((r) => wall.on('connect', () => r())),
    result() {
      wall.close();
      return { latencies: latencies.sort((a, b) => a - b), positions };
    },
  };
}

/** One load into the hub: CPU around it, what was acknowledged and stored, the wall's latency. */
async function measure(
  label: string,
  hubPid: number,
  db: pg.Client,
  prefix: string,
  wall: ReturnType<typeof watchWall>,
  load: (onStart: () => void, onEnd: () => void) => ReturnType<typeof runLoad>,
): Promise<void> {
  let cpuTree = 0;
  let cpuHub = 0;
  const { reports, startAt } = await load(
    () => ((cpuTree = -treeCpuSeconds(hubPid)), (cpuHub = -cpuSeconds(hubPid))),
    () => ((cpuTree += treeCpuSeconds(hubPid)), (cpuHub += cpuSeconds(hubPid))),
  );
  await new Promise((r) => setTimeout(r, 1000));
  const s = summarize(reports);
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM positions WHERE unit_id LIKE $1 AND ts >= $2`, [`${prefix}%`, new Date(startAt - 1000)]);
  const w = wall.result();
  console.log(`\n${label}: ${UNITS} units × 1/s for ${SECONDS} s, ${WORKERS} load processes`);
  console.log(`  connected units            ${s.connected}`);
  console.log(`  positions sent / answered  ${s.sent} / ${s.acked}`);
  console.log(`  stored (committed)         ${rows[0]!.n}`);
  console.log(`  positions/s stored         ${fmt(Number(rows[0]!.n) / ((s.lastAckAt - startAt) / 1000))} (offered ${UNITS}/s; last answer at ${fmt((s.lastAckAt - startAt) / 1000)} s)`);
  console.log(`  send → answer after commit p50 ${fmt(pct(s.lat, 50))} ms  p99 ${fmt(pct(s.lat, 99))} ms`);
  console.log(`  publish → socket.io wall   p50 ${fmt(pct(w.latencies, 50))} ms  p99 ${fmt(pct(w.latencies, 99))} ms  (${w.positions} positions)`);
  console.log(`  CPU (% of one core)        hub ${fmt((cpuHub / SECONDS) * 100)}%, PostgreSQL ${fmt(((cpuTree - cpuHub) / SECONDS) * 100)}%`);
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-bench-jt808-'));
chmodSync(dataDir, 0o755);
const jt808Port = await freePort();
const { hub, httpPort, mqttPort, pgPort } = await spawnBenchHub({ dataDir, token: TOKEN, env: { HUB_JT808__PORT: String(jt808Port) } });
try {
  await waitForOutput(hub, 'Hub ready', 120_000);
  const db = new pg.Client({ connectionString: `postgres://hub:hub-embedded@127.0.0.1:${pgPort}/hub` });
  await db.connect();
  // units made directly in the database, registered with a known code: thousands of REST calls and registrations would time the API
  const terminals: Unit[] = Array.from({ length: UNITS }, (_, i) => ({ id: `j-${i}`, secret: `bench-code-${i}`, phone: String(13_500_000_000 + i) }));
  await db.query(`INSERT INTO units (id, name, type, jt808_terminal_id, jt808_auth_hash) SELECT * FROM unnest($1::text[], $1::text[], $2::text[], $3::text[], $4::text[])`, [
    terminals.map((u) => u.id),
    terminals.map(() => 'vehicle'),
    terminals.map((u) => u.phone),
    terminals.map((u) => hashSecret(u.secret)),
  ]);

  // each terminal reports at its own phase in the second (the load worker's pacing): its k-th
  // report is dated startAt + k s and sent at that + phase, which the wall adds back
  const phase = new Map<string, number>();
  const wallJt = watchWall(httpPort, (id, ts) => (phase.has(id) ? ts + phase.get(id)! : undefined));
  await wallJt.ready;
  await measure('JT/T 808 terminals (gateway → ingest → PostgreSQL embedded)', hub.pid!, db, 'j-', wallJt, (onStart, onEnd) =>
    runLoad<Jt808WorkerJob>(
      terminals,
      {
        worker: 'jt808-worker.ts',
        workers: WORKERS,
        seconds: SECONDS,
        wholeSecond: true,
        job: (slice, startAt) => {
          slice.forEach((u, i) => phase.set(u.id, (i * 1000) / slice.length));
          return { host: '127.0.0.1', port: jt808Port, units: slice as Unit[], seconds: SECONDS, startAt };
        },
      },
      onStart,
      onEnd,
    ),
  );

  if (!args['no-mqtt']) {
    const mqttUnits = Array.from({ length: UNITS }, (_, i) => ({ id: `m-${i}`, secret: `bench-secret-${i}` }));
    await insertUnits(db, mqttUnits);
    // an MQTT position carries its send time in ms
    const wallMqtt = watchWall(httpPort, (id, ts) => (id.startsWith('m-') ? ts : undefined));
    await wallMqtt.ready;
    await measure('MQTT units beside it (aedes → ingest → PostgreSQL embedded), the ingest bench’s load', hub.pid!, db, 'm-', wallMqtt, (onStart, onEnd) =>
      runLoad<WorkerJob>(
        mqttUnits,
        { worker: 'load-worker.ts', workers: WORKERS, seconds: SECONDS, job: (slice, startAt) => ({ broker: `mqtt://127.0.0.1:${mqttPort}`, units: slice, rate: 1, seconds: SECONDS, startAt }) },
        onStart,
        onEnd,
      ),
    );
  }
  await db.end();
} finally {
  hub.kill('SIGINT');
  await new Promise((r) => hub.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
