// The load side the ingest benches share: load processes (one connection per unit), each given
// a slice of the units and one start time, and what their reports add up to.
import { fork } from 'node:child_process';
import path from 'node:path';
import type pg from 'pg';
import { hashSecret } from '@hub/telemetry';
import type { WorkerJob, WorkerReport } from './load-worker';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
export const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

export interface LoadOptions<J> {
  /** the load process's script under bench/ (load-worker.ts for MQTT, jt808-worker.ts for terminals) */
  worker: string;
  workers: number;
  seconds: number;
  /** the job of the worker that gets `units` from a start time */
  job(units: { id: string; secret: string }[], startAt: number): J;
  /** start on a whole second (JT/T 808 times are whole seconds); default false */
  wholeSecond?: boolean;
}

/** Every worker connects first; sending starts together at `startAt`, with `onStart`/`onEnd` around it. */
export async function runLoad<J = WorkerJob>(
  units: { id: string; secret: string }[],
  opts: LoadOptions<J>,
  onStart: () => void,
  onEnd: () => void,
): Promise<{ reports: WorkerReport[]; startAt: number; slices: { id: string; secret: string }[][] }> {
  const workers = Array.from({ length: opts.workers }, () => fork(path.join(root, 'bench', opts.worker), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const per = Math.ceil(units.length / opts.workers);
  const slices = workers.map((_, i) => units.slice(i * per, (i + 1) * per));
  let startAt = Date.now() + 5_000 + units.length * 3;
  if (opts.wholeSecond) startAt = Math.ceil(startAt / 1000) * 1000;
  const startTimer = setTimeout(onStart, startAt - Date.now());
  const endTimer = setTimeout(onEnd, startAt + opts.seconds * 1000 - Date.now());
  const reports = workers.map(
    (w, i) =>
      new Promise<WorkerReport>((resolve, reject) => {
        w.on('message', (m: { type: string; report?: WorkerReport; error?: string }) => {
          if (m.type === 'report') resolve(m.report!);
          if (m.type === 'error') reject(new Error(m.error));
        });
        w.send(opts.job(slices[i]!, startAt) as object);
      }),
  );
  const done = await Promise.all(reports);
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  return { reports: done, startAt, slices };
}

export function summarize(reports: WorkerReport[]) {
  const sent = reports.reduce((n, r) => n + r.sent, 0);
  const acked = reports.reduce((n, r) => n + r.acked, 0);
  const connected = reports.reduce((n, r) => n + r.connected, 0);
  const lat = reports.flatMap((r) => r.ackLatencies).sort((a, b) => a - b);
  const ackedByUnit: Record<string, number> = Object.assign({}, ...reports.map((r) => r.ackedByUnit));
  const lastAckAt = Math.max(...reports.map((r) => r.lastAckAt));
  return { sent, acked, connected, lat, ackedByUnit, lastAckAt };
}

/** Units made straight in the database (thousands of REST calls would only time the API), with their MQTT secrets hashed. */
export async function insertUnits(db: Pick<pg.Client, 'query'>, units: { id: string; secret: string }[], typeOf: (i: number) => string = () => 'vehicle'): Promise<void> {
  await db.query(`INSERT INTO units (id, name, type, secret_hash) SELECT * FROM unnest($1::text[], $1::text[], $2::text[], $3::text[])`, [
    units.map((u) => u.id),
    units.map((_, i) => typeOf(i)),
    units.map((u) => hashSecret(u.secret)),
  ]);
}
