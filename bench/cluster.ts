// Cluster benchmark (issue 14): `npm run cluster`'s hubs (Redis, N hub processes, HAProxy) on
// one PostgreSQL, MQTT units in load processes, a wall on the first hub. Prints figures; asserts
// nothing.
//
//   npm run bench:cluster -- --hubs 2 --units 10000 --rate 1 --seconds 30
//   npm run bench:cluster -- --hubs 3 --units 50000 --rate 0.2 --seconds 300 --workers 6
//   npm run bench:cluster -- --hubs 3 --units 500 --rate 1 --seconds 40 --via-haproxy --kill-at 15
//
// `--lease-ms` is the hubs' cluster.leaseMs (default the hub's own, 5000). Each hub's event-loop
// delay is read from its /metrics every second: a hub whose loop stalls past its lease is taken
// as dead by the others (hub_cluster_resyncs_total{reason="lease_lapsed"}).
//
// Units connect straight to the hubs, spread as DNS round robin would (`--via-haproxy`: through
// HAProxy, as a hub's death needs: its units reconnect there to the others). HAProxy holds two
// descriptors per connection and this machine allows 20,000 per process, so tens of thousands
// of units go straight. Each load process holds its units' connections: give it fewer than the
// limit (`--workers`). The wall watches the first hub, so positions from units on the others
// cross Redis to reach it. `--kill-at S`: SIGKILL the second hub S seconds into the run.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io as ioClient } from 'socket.io-client';
import type { LiveBatch, UnitStatusOut } from '@hub/config';
import { spawnTied } from '@hub/config/node';
import { startEmbeddedDatabase } from '@hub/platform';
import { freePort } from '../test-support/ports';
import type { WorkerJob } from './load-worker';
import { fmt, insertUnits, pct, runLoad, summarize } from './load';
import { cpuSeconds, treeCpuSeconds, waitForOutput } from './processes';

const { values: args } = parseArgs({
  options: {
    hubs: { type: 'string', default: '3' },
    units: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '30' },
    workers: { type: 'string', default: '2' },
    'via-haproxy': { type: 'boolean', default: false },
    'kill-at': { type: 'string', default: '0' },
    'lease-ms': { type: 'string', default: '5000' },
  },
});
const HUBS = Number(args.hubs);
const UNITS = Number(args.units);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const KILL_AT = Number(args['kill-at']);
const LEASE_MS = Number(args['lease-ms']);
const TOKEN = 'bench-admin-token-0000000000';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

interface ClusterState {
  front: { httpPort: number; mqttPort: number };
  hubs: { name: string; httpPort: number; mqttPort: number; pid: number }[];
}

/** The machine's CPU seconds [busy, idle] so far, all cores (/proc/stat). */
function machineCpu(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return [(total - idle) / 100, idle / 100];
}

const data = mkdtempSync(path.join(tmpdir(), 'hub-bench-cluster-'));
chmodSync(data, 0o755); // the embedded PostgreSQL runs as the postgres user when the bench runs as root
const database = await startEmbeddedDatabase({ dataDir: path.join(data, 'postgres'), port: await freePort() });
const postmaster = Number(readFileSync(path.join(data, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
const [http, mqttFront, jt808] = [await freePort(), await freePort(), await freePort()];
const launcher = spawnTied(
  process.execPath,
  [
    '--import',
    'tsx',
    'hub/src/cluster/local.ts',
    '--hubs',
    String(HUBS),
    '--http',
    String(http),
    '--mqtt',
    String(mqttFront),
    '--jt808',
    String(jt808),
    '--data',
    data,
    '--lease-ms',
    String(LEASE_MS),
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: database.url, HUB_AUTH__ADMIN_TOKEN: TOKEN, HUB_LOG__LEVEL: 'error' } },
);
try {
  await waitForOutput(launcher, 'Cluster ready', 240_000);
  const state = JSON.parse(readFileSync(path.join(data, 'cluster.json'), 'utf8')) as ClusterState;
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const units = Array.from({ length: UNITS }, (_, i) => ({ id: `c-${i}`, secret: `bench-secret-${i}` }));
  // units made directly in the database: tens of thousands of REST calls would only time the API
  await insertUnits(db, units);
  // every hub's caches learn of them as of a unit made through the API
  for (const hub of state.hubs) await fetch(`http://127.0.0.1:${hub.httpPort}/health`);

  const wall = ioClient(`http://127.0.0.1:${state.hubs[0]!.httpPort}`, { auth: { token: TOKEN }, transports: ['websocket'] });
  const wallLat: number[] = [];
  let wallPositions = 0;
  let lastBatchAt = 0;
  let longestGap = 0;
  // statuses while the units report (their ends at the close of the run are not counted)
  let running = false;
  const offline = new Map<string, number>();
  const lastState = new Map<string, string>();
  wall.on('batch', (b: LiveBatch) => {
    const now = Date.now();
    if (lastBatchAt && b.positions.length) longestGap = Math.max(longestGap, now - lastBatchAt);
    if (b.positions.length) lastBatchAt = now;
    for (const p of b.positions) {
      wallPositions++;
      if (wallLat.length < 500_000) wallLat.push(now - Date.parse(p.ts));
    }
    if (!running) return;
    for (const s of b.statuses as UnitStatusOut[]) {
      lastState.set(s.unitId, s.state);
      if (s.state === 'offline') offline.set(s.unitId, (offline.get(s.unitId) ?? 0) + 1);
    }
  });
  await new Promise<void>((r) => wall.on('connect', () => r()));

  const brokers = args['via-haproxy'] ? [`mqtt://127.0.0.1:${mqttFront}`] : state.hubs.map((h) => `mqtt://127.0.0.1:${h.mqttPort}`);
  const indexOf = new Map(units.map((u, i) => [u.id, i]));
  const pids = state.hubs.map((h) => h.pid);
  const cpu = { hubs: pids.map(() => 0), pg: 0, machine: 0, machineIdle: 0 };
  // each hub's event-loop delay, its maximum over each second (prom-client resets it at each scrape)
  const loopMaxMs: number[][] = pids.map(() => []);
  const scrape = async (hubIndex: number) => {
    const text = await (await fetch(`http://127.0.0.1:${state.hubs[hubIndex]!.httpPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('hub_process_nodejs_eventloop_lag_max_seconds '));
    if (line) loopMaxMs[hubIndex]!.push(Number(line.split(' ')[1]) * 1000);
  };
  const sampler = setInterval(() => state.hubs.forEach((_, i) => void scrape(i).catch(() => {})), 1000);
  let killTimer: NodeJS.Timeout | undefined;
  let killedAt = 0;
  const { reports, startAt } = await runLoad<WorkerJob>(
    units,
    {
      worker: 'load-worker.ts',
      workers: WORKERS,
      seconds: SECONDS,
      job: (slice, at) => ({ broker: brokers[0]!, brokers, firstIndex: indexOf.get(slice[0]!.id) ?? 0, reconnect: args['via-haproxy'], units: slice, rate: RATE, seconds: SECONDS, startAt: at }),
    },
    () => {
      pids.forEach((pid, i) => (cpu.hubs[i] = -cpuSeconds(pid)));
      cpu.pg = -treeCpuSeconds(postmaster);
      [cpu.machine, cpu.machineIdle] = machineCpu().map((v) => -v) as [number, number];
      state.hubs.forEach((_, i) => void scrape(i).catch(() => {})); // resets the hubs' loop-delay windows
      loopMaxMs.forEach((l) => (l.length = 0));
      running = true;
      if (KILL_AT > 0) {
        killTimer = setTimeout(() => {
          killedAt = Date.now();
          cpu.hubs[1]! += cpuSeconds(pids[1]!); // its CPU until it died
          process.kill(pids[1]!, 'SIGKILL');
          console.log(`  (killed ${state.hubs[1]!.name}, pid ${pids[1]}, ${KILL_AT} s into the run)`);
        }, KILL_AT * 1000);
      }
    },
    () => {
      pids.forEach((pid, i) => (cpu.hubs[i]! += killedAt && i === 1 ? 0 : cpuSeconds(pid)));
      cpu.pg += treeCpuSeconds(postmaster);
      const [busy, idle] = machineCpu();
      cpu.machine += busy;
      cpu.machineIdle += idle;
      running = false;
    },
  );
  clearTimeout(killTimer);
  clearInterval(sampler);
  const counters = await Promise.all(
    state.hubs.map(async (h, i) => {
      if (killedAt && i === 1) return undefined;
      const text = await (await fetch(`http://127.0.0.1:${h.httpPort}/metrics`)).text();
      const value = (prefix: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(prefix))
            ?.split(' ')[1] ?? 0,
        );
      return { lapsed: value('hub_cluster_resyncs_total{reason="lease_lapsed"}'), unitsLost: value('hub_cluster_units_lost_total') };
    }),
  );
  const s = summarize(reports);
  await new Promise((r) => setTimeout(r, 3000));
  const { rows } = await db.query<{ unit_id: string; n: string }>(`SELECT unit_id, count(*) AS n FROM positions WHERE unit_id LIKE 'c-%' GROUP BY unit_id`);
  const stored = new Map(rows.map((r) => [r.unit_id, Number(r.n)]));
  let lost = 0;
  for (const [id, n] of Object.entries(s.ackedByUnit)) lost += Math.max(0, n - (stored.get(id) ?? 0));
  const storedTotal = [...stored.values()].reduce((a, b) => a + b, 0);
  const leftOffline = [...lastState.values()].filter((state) => state === 'offline').length;
  wallLat.sort((a, b) => a - b);
  wall.close();
  await db.end();

  console.log(
    `\nCluster: ${HUBS} hubs + Redis + PostgreSQL (embedded), ${UNITS} units × ${RATE}/s for ${SECONDS} s, ${WORKERS} load processes, ${args['via-haproxy'] ? 'through HAProxy' : 'straight to the hubs, round robin'}`,
  );
  console.log(`  connected units              ${s.connected}`);
  console.log(`  positions sent / acked       ${s.sent} / ${s.acked}`);
  console.log(`  stored (committed)           ${storedTotal}  (a position is stored once by its key; a resend after a kill is not stored twice)`);
  console.log(`  acked but not stored (lost)  ${lost}`);
  console.log(`  durable rate                 ${fmt(s.acked / ((s.lastAckAt - startAt) / 1000))} positions/s acked (offered ${fmt(UNITS * RATE)}/s)`);
  console.log(`  publish → PUBACK (commit)    p50 ${fmt(pct(s.lat, 50))} ms  p99 ${fmt(pct(s.lat, 99))} ms`);
  console.log(
    `  publish → wall on ${state.hubs[0]!.name}     p50 ${fmt(pct(wallLat, 50))} ms  p99 ${fmt(pct(wallLat, 99))} ms  (${wallPositions} positions; ${fmt(((HUBS - 1) / HUBS) * 100)}% of units on other hubs)`,
  );
  console.log(`  CPU (% of one core)          ${state.hubs.map((h, i) => `${h.name} ${fmt((cpu.hubs[i]! / SECONDS) * 100)}%`).join(', ')}, PostgreSQL ${fmt((cpu.pg / SECONDS) * 100)}%`);
  const others = cpu.machine - cpu.hubs.reduce((a, b) => a + b, 0) - cpu.pg;
  console.log(
    `  machine CPU                  ${fmt((cpu.machine / (cpu.machine + cpu.machineIdle)) * 100)}% busy of ${cpus().length} cores; besides the hubs and PostgreSQL ${fmt((others / SECONDS) * 100)}% of one core (load processes, Redis, HAProxy, this bench's wall)`,
  );
  for (const [i, h] of state.hubs.entries()) {
    const l = [...loopMaxMs[i]!].sort((a, b) => a - b);
    const c = counters[i];
    console.log(
      `  ${h.name} event-loop delay        worst second ${fmt(l.at(-1) ?? 0)} ms, p90 of seconds ${fmt(pct(l, 90))} ms${c ? `; lease lapsed ${c.lapsed}×, units it took offline for another hub ${c.unitsLost}` : ''}`,
    );
  }
  if (KILL_AT > 0) {
    const twice = [...offline.values()].filter((n) => n > 1).length;
    console.log(`  kill at ${fmt((killedAt - startAt) / 1000)} s: units said offline ${offline.size} (twice or more: ${twice}), still offline when the run ended ${leftOffline}`);
  } else {
    console.log(`  units said offline while reporting ${offline.size}`);
  }
  console.log(`  longest gap in the wall's feed ${fmt(longestGap)} ms`);
} finally {
  const exited = new Promise((r) => launcher.once('exit', r));
  launcher.kill('SIGTERM');
  await exited;
  await database.stop();
  rmSync(data, { recursive: true, force: true });
}
process.exit(0);
