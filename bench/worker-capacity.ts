// How many viewers of one 1 Mbit/s VP8 stream mediasoup's workers carry (issue 13). WebRTC
// viewers cost the load generator as much as the SFU, so the viewers here are cheap: each is a
// PlainTransport consumer with SRTP (AEAD_AES_128_GCM: the worker encrypts every copy, as for
// a browser) sending to ONE counting UDP socket in this process, which reads each packet's
// SSRC and sequence number (SRTP leaves the RTP header in the clear) to count loss per viewer.
// The stream: a VP8 clip (ffmpeg's test pattern with noise, a keyframe a second) replayed by
// ffmpeg into a PlainTransport producer on worker 0, piped to the other workers (pipeToRouter),
// viewers spread evenly. Prints figures; asserts nothing.
//
//   npm run bench:workers -- --viewers 600 --workers 2 --seconds 20
//   npm run bench:workers -- --workers 1 --find-max        (200, 400, … until loss ≥ 0.5 %)
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorker, type types } from 'mediasoup';
import { spawnFfmpeg } from '@hub/config/node';
import { workerBin } from '@hub/mediasoup-worker';
import { makeClip } from './clip';
import { cpuSeconds } from './processes';
import { fmt } from './load';

const { values: args } = parseArgs({
  options: {
    viewers: { type: 'string', default: '600' },
    workers: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    kbps: { type: 'string', default: '1000' },
    'find-max': { type: 'boolean', default: false },
    step: { type: 'string', default: '200' },
  },
});
const WORKERS = Number(args.workers);
const SECONDS = Number(args.seconds);
const KBPS = Number(args.kbps);
const SSRC = 0x1234_5678;
const VP8 = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 } as const;
// AEAD_AES_128_GCM, what Chromium and Firefox negotiate first (RFC 7714): 16-byte key + 12-byte salt
const SRTP_KEY = Buffer.alloc(28, 7).toString('base64');
const SUITE = 'AEAD_AES_128_GCM';

/** Per SSRC: packets received and the extended sequence numbers seen (RFC 3550 A.1), for loss = expected − received. */
class Counter {
  readonly bySsrc = new Map<number, { received: number; firstExt: number; maxExt: number; maxSeq: number; cycles: number }>();
  received = 0;
  add(packet: Buffer): void {
    if (packet.length < 12 || (packet[1]! >= 192 && packet[1]! <= 223)) return; // RTCP
    const seq = packet.readUInt16BE(2);
    const ssrc = packet.readUInt32BE(8);
    this.received++;
    const s = this.bySsrc.get(ssrc);
    if (!s) return void this.bySsrc.set(ssrc, { received: 1, firstExt: seq, maxExt: seq, maxSeq: seq, cycles: 0 });
    s.received++;
    let ext: number;
    if (seq < s.maxSeq && s.maxSeq - seq > 32768) {
      s.cycles += 65536; // wrapped
      ext = s.cycles + seq;
    } else if (seq > s.maxSeq && seq - s.maxSeq > 32768) {
      ext = s.cycles - 65536 + seq; // late, from before the wrap
    } else ext = s.cycles + seq;
    if (ext > s.maxExt) {
      s.maxExt = ext;
      s.maxSeq = seq;
    }
  }
  reset(): void {
    this.bySsrc.clear();
    this.received = 0;
  }
  /** packets lost over all viewers (expected − received), and the worst viewer's share */
  loss(): { lost: number; expected: number; worst: number } {
    let lost = 0;
    let expected = 0;
    let worst = 0;
    for (const s of this.bySsrc.values()) {
      const e = s.maxExt - s.firstExt + 1;
      expected += e;
      lost += Math.max(0, e - s.received);
      worst = Math.max(worst, e > 0 ? Math.max(0, e - s.received) / e : 0);
    }
    return { lost, expected, worst };
  }
}

async function run(viewers: number, clip: string): Promise<{ loss: number; perWorkerCpu: number[]; counterCpu: number }> {
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => createWorker({ workerBin: workerBin(), logLevel: 'error' })));
  const ffmpegs: ReturnType<typeof spawnFfmpeg>[] = [];
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 64 * 1024 * 1024 });
  const counter = new Counter();
  socket.on('message', (packet) => counter.add(packet));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  try {
    const routers = await Promise.all(workers.map((w) => w.createRouter({ mediaCodecs: [VP8] })));
    const input = await routers[0]!.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
    });
    for (const r of routers.slice(1)) await routers[0]!.pipeToRouter({ producerId: producer.id, router: r });
    const ffmpeg = spawnFfmpeg(
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        clip,
        '-c:v',
        'copy',
        '-f',
        'rtp',
        '-payload_type',
        '96',
        '-ssrc',
        String(SSRC),
        `rtp://127.0.0.1:${input.tuple.localPort}?pkt_size=1200`,
      ],
      { stdio: 'ignore' },
    );
    ffmpegs.push(ffmpeg);
    const consumers: types.Consumer[] = [];
    for (let i = 0; i < viewers; i++) {
      const router = routers[i % WORKERS]!;
      const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: SUITE });
      await t.connect({ ip: '127.0.0.1', port: socket.address().port, srtpParameters: { cryptoSuite: SUITE, keyBase64: SRTP_KEY } });
      consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: { codecs: [{ ...VP8, preferredPayloadType: 96, rtcpFeedback: [] }], headerExtensions: [] } }));
    }
    // warm up, then measure a window
    await new Promise((r) => setTimeout(r, 3000));
    counter.reset();
    const cpu0 = workers.map((w) => cpuSeconds(w.pid));
    const self0 = process.cpuUsage();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const elapsed = (Date.now() - t0) / 1000;
    const perWorkerCpu = workers.map((w, i) => ((cpuSeconds(w.pid) - cpu0[i]!) / elapsed) * 100);
    const self = process.cpuUsage(self0);
    const counterCpu = ((self.user + self.system) / 1e6 / elapsed) * 100;
    const { lost, expected, worst } = counter.loss();
    const loss = expected > 0 ? lost / expected : NaN;
    const perViewer = counter.received / Math.max(1, counter.bySsrc.size) / elapsed;
    const packetsSent = counter.received;
    const usPerPacket = ((perWorkerCpu.reduce((a, b) => a + b, 0) / 100) * elapsed * 1e6) / Math.max(1, packetsSent);
    console.log(
      `  ${String(viewers).padStart(5)} viewers on ${WORKERS} worker(s): loss ${fmt(loss * 100)} % (worst viewer ${fmt(worst * 100)} %), ${fmt(perViewer)} packets/s each, ` +
        `worker CPU ${perWorkerCpu.map((c) => `${fmt(c)} %`).join(' + ')} of a core (${fmt(usPerPacket)} µs per packet sent), counting socket ${fmt(counterCpu)} %; ${counter.bySsrc.size} viewers heard`,
    );
    return { loss, perWorkerCpu, counterCpu };
  } finally {
    for (const f of ffmpegs) f.kill('SIGKILL');
    for (const w of workers) w.close();
    socket.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'hub-bench-workers-'));
try {
  const clip = await makeClip(dir, KBPS);
  console.log(
    `mediasoup workers, one ${KBPS} kbit/s VP8 stream, SRTP viewers counted in one socket; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (args['find-max']) {
    for (let n = Number(args.step); ; n += Number(args.step)) {
      const { loss } = await run(n, clip);
      if (!(loss < 0.005)) break;
    }
  } else {
    await run(Number(args.viewers), clip);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
