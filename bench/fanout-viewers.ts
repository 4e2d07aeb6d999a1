// A process of WebRTC viewers (werift) for bench/fanout.ts: each viewer POSTs a WHEP offer,
// counts what arrives (packets, bytes, sequence gaps, frames with a missing packet) and times
// its first complete keyframe. Talks to the bench over IPC.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loopDelay, RESOLUTION_MS, type LoopDelay } from './loop-delay';
import type { Phases } from './fanout-phases';
import { RTCPeerConnection, RTCSessionDescription, useVP8, useNACK, usePLI, type RtpPacket } from 'werift';
import { isVp8KeyFrame } from '@hub/media-server';
// the load generators run werift on the same starved machine: the SFU's fixes for stalls apply to them too
import '@hub/werift-patches';

export type ViewerJob =
  | { kind: 'join'; base: string; token: string; streams: string[]; count: number; parallel: number; janus?: boolean }
  | { kind: 'probe'; base: string; token: string; streamId: string; count: number; janus?: boolean; waitForStream?: boolean }
  | { kind: 'report' }
  | { kind: 'mark' }
  | { kind: 'close' };

export interface ViewerReport {
  viewers: number;
  failed: number;
  packets: number;
  bytes: number;
  /** packets the sequence numbers say were sent, up to the newest seen */
  expected: number;
  frames: number;
  framesLost: number;
  /** where each joining viewer's time to first frame went */
  phases: Phases[];
  /** this process's event-loop delay since the mark, ms */
  loopDelay: LoopDelay;
  /** CPU seconds of this process since the mark */
  cpuSeconds: number;
  /** the same figures since the last mark */
  sinceMark: { packets: number; bytes: number; expected: number; frames: number; framesLost: number; seconds: number };
}

class ViewerStats {
  packets = 0;
  /** distinct sequence numbers received (a retransmission that fills a gap counts once) */
  unique = 0;
  bytes = 0;
  baseSeq = -1;
  maxSeq = -1;
  seen = new Set<number>();
  /** per RTP timestamp: lowest and highest sequence, count, marker */
  frames = new Map<number, { min: number; max: number; n: number; marker: boolean }>();
  framesDone = 0;
  framesLost = 0;
  lastTs: number | undefined;
  firstKeyAt: number | undefined;
  keyTs: number | undefined;

  onRtp(rtp: RtpPacket, startedAt: number): number | undefined {
    const { sequenceNumber: s, timestamp: ts, marker } = rtp.header;
    this.packets++;
    this.bytes += rtp.payload.length;
    // extended sequence numbers
    let ext = s;
    if (this.maxSeq >= 0) {
      const cycle = this.maxSeq - (this.maxSeq & 0xffff);
      ext = cycle + s;
      if (ext - this.maxSeq > 0x8000) ext -= 0x10000;
      else if (this.maxSeq - ext > 0x8000) ext += 0x10000;
    } else this.baseSeq = ext;
    if (ext > this.maxSeq) this.maxSeq = ext;
    let f = this.frames.get(ts);
    if (!f) {
      f = { min: ext, max: ext, n: 0, marker: false };
      this.frames.set(ts, f);
    }
    if (!this.seen.has(ext)) {
      this.unique++;
      this.seen.add(ext);
      f.n++;
      f.min = Math.min(f.min, ext);
      f.max = Math.max(f.max, ext);
    }
    if (marker) f.marker = true;
    this.#settle();
    let ttff: number | undefined;
    if (this.firstKeyAt === undefined) {
      if (this.keyTs === undefined && isVp8KeyFrame(rtp.payload)) this.keyTs = ts;
      if (this.keyTs === ts && marker) {
        this.firstKeyAt = Date.now();
        ttff = this.firstKeyAt - startedAt;
      }
    }
    return ttff;
  }

  /** frames older than the newest 30 are final: complete, or lost */
  #settle(): void {
    if (this.frames.size <= 30) return;
    const [ts, f] = this.frames.entries().next().value as [number, { min: number; max: number; n: number; marker: boolean }];
    this.frames.delete(ts);
    this.framesDone++;
    if (!f.marker || f.max - f.min + 1 !== f.n) this.framesLost++;
    // forget old sequence numbers
    for (const s of this.seen) {
      if (s >= f.min) break;
      this.seen.delete(s);
    }
    this.seenFloor = f.max;
  }
  seenFloor = -1;
  get expected(): number {
    return this.maxSeq < 0 ? 0 : this.maxSeq - this.baseSeq + 1;
  }
}

const viewers: { pc: RTCPeerConnection; stats: ViewerStats }[] = [];
let failed = 0;
let lastError = '';
const joinPhases: Phases[] = [];
const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loop.enable();
let markCpu = process.cpuUsage();
let mark = { at: Date.now(), packets: 0, bytes: 0, expected: 0, frames: 0, framesLost: 0 };

/**
 * A cheap viewer: SRTP keeps the RTP header in the clear, and what the bench counts (sequence
 * numbers, timestamps, markers) is in it. So a viewer decrypts its packets only until its first
 * complete keyframe (the keyframe bit is in the encrypted VP8 payload); after that the payload
 * is passed on as it came, without its authentication tag. Decrypting every packet made a
 * viewer cost the load generator about as much CPU as the SFU spends on it.
 */
function decryptUntilFirstKeyFrame(pc: RTCPeerConnection, stats: ViewerStats): void {
  if (process.env.BENCH_FULL_DECRYPT) return;
  for (const dtls of pc.dtlsTransports) {
    const srtp = (dtls as unknown as { srtp?: { decrypt: (b: Buffer) => Buffer; remoteContext: { rtpAuthTagLength: number } } }).srtp;
    if (!srtp) continue;
    const full = srtp.decrypt;
    const tag = srtp.remoteContext.rtpAuthTagLength;
    srtp.decrypt = (buf: Buffer) => (stats.firstKeyAt === undefined ? full(buf) : buf.subarray(0, buf.length - tag));
  }
}

function watchPhases(pc: RTCPeerConnection, stats: ViewerStats, startedAt: number) {
  const phases: Partial<Phases> = {};
  pc.iceConnectionStateChange.subscribe((s) => {
    if (s === 'connected') phases.ice ??= Date.now() - startedAt;
  });
  pc.connectionStateChange.subscribe((s) => {
    if (s !== 'connected' || phases.dtls !== undefined) return;
    phases.dtls = Date.now() - startedAt;
    decryptUntilFirstKeyFrame(pc, stats);
  });
  const first = new Promise<Phases>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first frame in 20 s (${JSON.stringify(phases)})`)), 20_000);
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        phases.rtp ??= Date.now() - startedAt;
        const t = stats.onRtp(rtp, startedAt);
        if (t !== undefined) {
          clearTimeout(timer);
          phases.key = t;
          resolve({ answer: NaN, ice: NaN, dtls: NaN, rtp: NaN, ...phases } as Phases);
        }
      }),
    );
  });
  first.catch(() => {});
  return { phases, first };
}

async function view(base: string, token: string, streamId: string, keep: boolean, waitForStream = false): Promise<Phases> {
  const pc = new RTCPeerConnection({ codecs: { video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] })], audio: [] }, iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  const stats = new ViewerStats();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const startedAt = Date.now();
  const { phases, first } = watchPhases(pc, stats, startedAt);
  await pc.setLocalDescription(await pc.createOffer());
  const post = () => fetch(`${base}/whep/${streamId}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
  let res = await post();
  // a camera started on demand: its stream appears when the agent's publisher is in
  while (waitForStream && res.status === 404 && Date.now() - startedAt < 20_000) {
    await new Promise((r) => setTimeout(r, 50));
    res = await post();
  }
  if (res.status !== 201) {
    await pc.close();
    throw new Error(`WHEP ${res.status}: ${await res.text()}`);
  }
  const location = res.headers.get('location');
  const answer = await res.text();
  phases.answer = Date.now() - startedAt;
  await pc.setRemoteDescription(new RTCSessionDescription(answer, 'answer'));
  try {
    return await first;
  } finally {
    if (keep) viewers.push({ pc, stats });
    else {
      if (location) await fetch(base + location, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => {});
      await pc.close();
    }
  }
}

/**
 * A viewer of Janus's streaming plugin (the reference): Janus offers, the viewer answers
 * (Janus HTTP API: create, attach, watch, start), with a keepalive so the session lives.
 */
async function viewJanus(base: string, mountpoint: string, keep: boolean): Promise<Phases> {
  const call = async (url: string, body: object) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, transaction: randomUUID() }) });
    return (await r.json()) as { janus: string; data?: { id: number }; jsep?: { type: string; sdp: string }; plugindata?: unknown; error?: unknown };
  };
  const startedAt = Date.now();
  const session = (await call(base, { janus: 'create' })).data!.id;
  const handle = (await call(`${base}/${session}`, { janus: 'attach', plugin: 'janus.plugin.streaming' })).data!.id;
  await call(`${base}/${session}/${handle}`, { janus: 'message', body: { request: 'watch', id: Number(mountpoint) } });
  let offer: { type: string; sdp: string } | undefined;
  for (let i = 0; i < 20 && !offer; i++) {
    const events = (await (await fetch(`${base}/${session}?maxev=5&rid=${Date.now()}`)).json()) as { jsep?: { type: string; sdp: string } } | { jsep?: { type: string; sdp: string } }[];
    for (const e of Array.isArray(events) ? events : [events]) if (e.jsep?.type === 'offer') offer = e.jsep;
  }
  if (!offer) throw new Error('no offer from Janus');
  const pc = new RTCPeerConnection({ codecs: { video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] })], audio: [] }, iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  const stats = new ViewerStats();
  const { phases, first } = watchPhases(pc, stats, startedAt);
  phases.answer = Date.now() - startedAt; // Janus offers: its offer is the signalling's end
  await pc.setRemoteDescription(new RTCSessionDescription(offer.sdp, 'offer'));
  await pc.setLocalDescription(await pc.createAnswer());
  await call(`${base}/${session}/${handle}`, { janus: 'message', body: { request: 'start' }, jsep: { type: 'answer', sdp: pc.localDescription!.sdp } });
  const keepalive = setInterval(() => void call(`${base}/${session}`, { janus: 'keepalive' }).catch(() => {}), 20_000);
  try {
    return await first;
  } finally {
    if (keep) viewers.push({ pc, stats });
    else {
      clearInterval(keepalive);
      await call(`${base}/${session}`, { janus: 'destroy' }).catch(() => {});
      await pc.close();
    }
  }
}

function totals() {
  let packets = 0,
    bytes = 0,
    expected = 0,
    frames = 0,
    framesLost = 0;
  for (const { stats } of viewers) {
    packets += stats.unique;
    bytes += stats.bytes;
    expected += stats.expected;
    frames += stats.framesDone;
    framesLost += stats.framesLost;
  }
  return { packets, bytes, expected, frames, framesLost };
}

process.on('message', async (job: ViewerJob) => {
  try {
    if (job.kind === 'join') {
      let next = 0;
      const lane = async () => {
        while (next < job.count) {
          const k = next++;
          try {
            const stream = job.streams[k % job.streams.length]!;
            joinPhases.push(await (job.janus ? viewJanus(job.base, stream, true) : view(job.base, job.token, stream, true)));
          } catch (err) {
            failed++;
            lastError = (err as Error).message;
          }
        }
      };
      await Promise.all(Array.from({ length: job.parallel }, lane));
      process.send!({ kind: 'joined', viewers: viewers.length, failed, lastError });
    } else if (job.kind === 'probe') {
      const probe: Phases[] = [];
      for (let i = 0; i < job.count; i++) {
        try {
          probe.push(await (job.janus ? viewJanus(job.base, job.streamId, false) : view(job.base, job.token, job.streamId, false, job.waitForStream)));
        } catch (err) {
          failed++;
          lastError = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      process.send!({ kind: 'probed', phases: probe, lastError });
    } else if (job.kind === 'mark') {
      mark = { at: Date.now(), ...totals() };
      loop.reset();
      markCpu = process.cpuUsage();
      process.send!({ kind: 'marked' });
    } else if (job.kind === 'report') {
      const t = totals();
      const report: ViewerReport = {
        viewers: viewers.length,
        failed,
        ...t,
        phases: joinPhases,
        loopDelay: loopDelay(loop),
        cpuSeconds: (() => {
          const u = process.cpuUsage(markCpu);
          return (u.user + u.system) / 1e6;
        })(),
        sinceMark: {
          packets: t.packets - mark.packets,
          bytes: t.bytes - mark.bytes,
          expected: t.expected - mark.expected,
          frames: t.frames - mark.frames,
          framesLost: t.framesLost - mark.framesLost,
          seconds: (Date.now() - mark.at) / 1000,
        },
      };
      process.send!({ kind: 'report', report });
    } else if (job.kind === 'close') {
      await Promise.all(viewers.map((v) => v.pc.close().catch(() => {})));
      process.exit(0);
    }
  } catch (err) {
    process.send!({ kind: 'error', message: (err as Error).message });
  }
});
process.send!({ kind: 'ready' });
