// A load generator process for bench/ingest.ts: one MQTT connection per unit, each
// publishing its position at a fixed rate at QoS 1; reports PUBACK latencies.
import { paceUnits } from './pacing';
import mqtt from 'mqtt';
import { connectInSlices, newReport, type WorkerReport } from './worker-report';

export interface WorkerJob {
  broker: string;
  /** brokers to spread the units over (unit i of the whole fleet to brokers[i % n]), as DNS round robin would; default `broker` */
  brokers?: string[];
  /** the index in the whole fleet of this worker's first unit (for `brokers`); default 0 */
  firstIndex?: number;
  /** reconnect after a lost connection (a killed hub behind a load balancer), resending what was not acknowledged; default false */
  reconnect?: boolean;
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
  const index = new Map(job.units.map((u, i) => [u.id, (job.firstIndex ?? 0) + i]));
  const brokerOf = (id: string) => (job.brokers ? job.brokers[index.get(id)! % job.brokers.length]! : job.broker);
  const clients = await connectInSlices(job.units, report, async (u) => {
    const client = await mqtt.connectAsync(brokerOf(u.id), {
      username: u.id,
      password: u.secret,
      clientId: `bench-${u.id}`,
      // mqtt.js resends unacknowledged QoS 1 messages when it reconnects
      reconnectPeriod: job.reconnect ? 500 : 0,
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
