// A load generator process for bench/jt808.ts: one TCP connection per JT/T 808 terminal (the
// hub's own terminal client), each authenticated with its code and reporting 0x0200 once a
// second at its own phase in the second; reports 0x0200 → 0x8001 latencies (the answer comes
// after the commit). Report times are whole seconds (BCD): the k-th report is dated startAt + k s.
import { GeneralResult, Jt808Terminal, locationReport, MessageId, StatusBit } from '@hub/jt808';
import { connectInSlices, newReport, type WorkerReport } from './worker-report';
import { paceUnits } from './pacing';

export interface Jt808WorkerJob {
  host: string;
  port: number;
  /** `secret` is the terminal's authentication code */
  units: { id: string; secret: string; phone: string }[];
  seconds: number;
  /** a whole second: every worker starts reporting then */
  startAt: number;
}

async function run(job: Jt808WorkerJob): Promise<WorkerReport> {
  const report = newReport();
  const terminals = await connectInSlices(job.units, report, async (u) => {
    const terminal = await Jt808Terminal.connect({ host: job.host, port: job.port, phone: u.phone, record: false });
    if ((await terminal.authenticate(u.secret)).result !== GeneralResult.ok) throw new Error(`${u.id}: authentication refused`);
    return { id: u.id, terminal };
  });
  const reportsMade = new Array<number>(terminals.length).fill(0);
  const pending: Promise<void>[] = [];
  await paceUnits(terminals.length, { startAt: job.startAt, seconds: job.seconds, rate: 1, tickMs: 5, catchUp: true }, (i) => {
    const { id, terminal } = terminals[i]!;
    const time = new Date(job.startAt + reportsMade[i]! * 1000);
    reportsMade[i]!++;
    const sentAt = performance.now();
    const serial = terminal.send(
      MessageId.Location,
      locationReport({ latitude: 22.5 + (i % 1000) / 10_000, longitude: 114.0 + Math.floor(i / 1000) / 1000, time, status: StatusBit.fix | StatusBit.acc }),
    );
    report.sent++;
    pending.push(
      terminal.response(serial, 60_000).then(
        (answer) => {
          if (answer.result === GeneralResult.ok) report.ack(id, performance.now() - sentAt);
        },
        () => undefined,
      ),
    );
  });
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30_000))]);
  await Promise.all(terminals.map(({ terminal }) => terminal.close().catch(() => {})));
  return report;
}

process.on('message', (job: Jt808WorkerJob) => {
  run(job).then(
    (report) => process.send!({ type: 'report', report }, () => process.exit(0)),
    (err: unknown) => process.send!({ type: 'error', error: String(err) }, () => process.exit(1)),
  );
});
