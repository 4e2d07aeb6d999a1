// What a load process (load-worker.ts, jt808-worker.ts) counts and how: connections made in
// slices, each acknowledgement with its latency in a uniform sample.
export interface WorkerReport {
  connected: number;
  connectErrors: number;
  sent: number;
  acked: number;
  /** a uniform sample of send → acknowledgement latencies, ms */
  ackLatencies: number[];
  /** epoch ms of the last acknowledgement */
  lastAckAt: number;
  /** unit id → acknowledged positions (for the lost check) */
  ackedByUnit: Record<string, number>;
}

const SAMPLE = 50_000;

export function newReport(): WorkerReport & { ack(unitId: string, latencyMs: number): void } {
  let seen = 0;
  const report: WorkerReport = { connected: 0, connectErrors: 0, sent: 0, acked: 0, lastAckAt: 0, ackLatencies: [], ackedByUnit: {} };
  return Object.assign(report, {
    /** one acknowledgement: counted, and its latency kept by reservoir sampling */
    ack(unitId: string, latencyMs: number) {
      report.acked++;
      report.lastAckAt = Date.now();
      report.ackedByUnit[unitId] = (report.ackedByUnit[unitId] ?? 0) + 1;
      seen++;
      if (report.ackLatencies.length < SAMPLE) report.ackLatencies.push(latencyMs);
      else {
        const j = Math.floor(Math.random() * seen);
        if (j < SAMPLE) report.ackLatencies[j] = latencyMs;
      }
    },
  });
}

/** Connects every unit, 200 at a time so that the hub's connection handling is not one burst; a failure is counted and left out. */
export async function connectInSlices<U, C>(units: U[], report: WorkerReport, connect: (unit: U) => Promise<C>): Promise<C[]> {
  const out: C[] = [];
  for (let i = 0; i < units.length; i += 200) {
    const made = await Promise.all(
      units.slice(i, i + 200).map(async (u) => {
        try {
          const c = await connect(u);
          report.connected++;
          return c;
        } catch {
          report.connectErrors++;
          return undefined;
        }
      }),
    );
    for (const m of made) if (m !== undefined) out.push(m);
  }
  return out;
}
