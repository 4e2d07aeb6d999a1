// Viewer churn: 1,000 WebRTC viewers (werift peers) join and leave one live producer in the
// SFU, half by going away, half closed by the SFU. Prints the heap after GC every 100 cycles,
// open UDP sockets, and what the router still holds at the end; on mediasoup also the
// transports its workers hold and their resident memory. Prints figures; asserts nothing.
//
//   npm run bench:churn -- --cycles 1000 --parallel 8
//   npm run bench:churn -- --engine mediasoup --cycles 1000 --parallel 16
//
// A viewer that goes away is noticed when its ICE consent expires: 3 s on werift here
// (--peer-timeout-ms), at least 12 s on mediasoup (its shortest consent timeout), hence more
// viewers at once there.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { createRouter, MediasoupRouter, type EngineName } from '@hub/media-server';
import { publishToRouter } from '../media-server/test/support/rtp-peers';
import { churnViewers, collectGarbage, udpSockets } from '../media-server/test/support/churn';

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '8' },
    'peer-timeout-ms': { type: 'string', default: '3000' },
    engine: { type: 'string', default: 'werift' },
  },
});
const CYCLES = Number(args.cycles);
const STEP = Math.max(1, Math.round(CYCLES / 10));
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const engine = args.engine as EngineName;
  const router = await createRouter(engine, { additionalHostAddresses: ['127.0.0.1'], peerTimeoutMs: Number(args['peer-timeout-ms']), workers: 1 });
  const ms = router instanceof MediasoupRouter ? router : undefined;
  /** the workers' transports and resident memory (MB), on mediasoup */
  const workerFigures = async () => {
    if (!ms) return '';
    const rss = ms.workers.reduce((n, w) => n + residentMb(w.worker.pid), 0);
    return ` | worker transports ${await ms.workerTransports()}, worker rss ${rss.toFixed(1)} MB`;
  };
  const streamId = 'churn';
  const pub = await publishToRouter(router, streamId, { fps: 15 });
  while (((await router.producers.get(streamId)?.stats())?.packets ?? 0) === 0) await new Promise((r) => setTimeout(r, 50));
  const producer = router.producers.get(streamId)!;
  await collectGarbage();
  const base = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, sockets: udpSockets() };
  console.log(`viewer churn on ${engine}: ${CYCLES} cycles, ${args.parallel} at once, peer timeout ${args['peer-timeout-ms']} ms`);
  console.log(`start: heap ${mb(base.heap)} MB, rss ${mb(base.rss)} MB, UDP sockets ${base.sockets}${await workerFigures()}`);
  console.log('cycles | heap after GC MB | Δ heap MB | rss MB | UDP sockets | transports | s');
  const t0 = Date.now();
  for (let done = 0; done < CYCLES; done += STEP) {
    await churnViewers({ router, streamId, cycles: Math.min(STEP, CYCLES - done), parallel: Number(args.parallel) });
    await collectGarbage();
    const m = process.memoryUsage();
    console.log(
      `${String(done + STEP).padStart(6)} | ${mb(m.heapUsed).padStart(16)} | ${mb(m.heapUsed - base.heap).padStart(9)} | ${mb(m.rss).padStart(6)} | ${String(udpSockets()).padStart(11)} | ${String(router.transports.size).padStart(10)} | ${((Date.now() - t0) / 1000).toFixed(0)}${await workerFigures()}`,
    );
  }
  const end = process.memoryUsage().heapUsed;
  const figures = await producer.stats();
  console.log(
    `end: heap ${mb(end)} MB (${((end - base.heap) / CYCLES / 1024).toFixed(1)} kB per cycle), UDP sockets ${udpSockets()} (start ${base.sockets}), ` +
      `router transports ${router.transports.size} (the publisher's), viewer records ${(router as unknown as { viewers: ReadonlyMap<string, unknown> }).viewers.size}, producer consumers ${producer.consumers.size}, ` +
      `NACKs answered ${figures.nacksAnswered}, keyframe requests ${figures.keyFrameRequests}${await workerFigures()}`,
  );
  await pub.close();
  router.close();
}

/** A process's resident memory, MB (/proc/<pid>/status VmRSS). */
function residentMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
