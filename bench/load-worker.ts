// A load generator process for bench/ingest.ts: one MQTT connection per unit, each
// publishing its position at a fixed rate at QoS 1; reports PUBACK latencies.
import { paceUnits } from './pacing';
import mqtt from 'mqtt';
import { connectInSlices, newReport, type WorkerReport } from './worker-report';

export interface WorkerJob {
  broker: string;
  units: { id: string; secret: string }[];
  /** positions per second per unit */
  rate: number;
  seconds: number;
  /** epoch ms at which every worker starts publishing */
  startAt: number;
}

export type { WorkerReport } from './worker-report';

async function run(job: WorkerJob): Promise<WorkerReport> {
  const report = newReport();
  const clients = await connectInSlices(job.units, report, async (u) => {
    const client = await mqtt.connectAsync(job.broker, {
      username: u.id,
      password: u.secret,
      clientId: `bench-${u.id}`,
      reconnectPeriod: 0,
      keepalive: 60,
      connectTimeout: 30_000,
    });
    client.on('error', () => {});
    return { id: u.id, client };
  });
  process.send!({ type: 'connected', connected: report.connected });
  const pending: Promise<void>[] = [];
  let lastTs = new Map<string, number>();
  // catch up: the ingest bench measures the hub at the rate asked for, not at the rate a busy worker manages
  await paceUnits(clients.length, { startAt: job.startAt, seconds: job.seconds, rate: job.rate, tickMs: 5, catchUp: true }, (i) => {
    const { id, client } = clients[i]!;
    // unique timestamp per unit (a unit at > 1 kHz would repeat one)
    let ts = Date.now();
    const prev = lastTs.get(id) ?? 0;
    if (ts <= prev) ts = prev + 1;
    lastTs.set(id, ts);
    const sentAt = performance.now();
    const payload = `{"unitId":"${id}","ts":${ts},"lat":${(22.5 + Math.random() * 0.1).toFixed(6)},"lon":${(114.0 + Math.random() * 0.1).toFixed(6)},"speed":8.3,"heading":90,"accuracy":5}`;
    report.sent++;
    pending.push(
      new Promise<void>((done) =>
        client.publish(`units/${id}/gps`, payload, { qos: 1 }, (err) => {
          if (!err) report.ack(id, performance.now() - sentAt);
          done();
        }),
      ),
    );
  });
  // wait for the last acknowledgements (bounded)
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30_000))]);
  await Promise.all(clients.map(({ client }) => client.endAsync().catch(() => {})));
  lastTs = new Map();
  return report;
}

process.on('message', (job: WorkerJob) => {
  run(job).then(
    (report) => process.send!({ type: 'report', report }, () => process.exit(0)),
    (err: unknown) => {
      process.send!({ type: 'error', error: String(err) }, () => process.exit(1));
    },
  );
});
