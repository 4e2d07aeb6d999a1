// Video fan-out benchmark: the hub (its media role: the werift SFU, or mediasoup's workers)
// in its own process, P publishers (the edge agent's WHIP publisher: ffmpeg's test pattern,
// VP8 at ~1 Mbit/s) and C WHEP viewers (werift) in separate processes, so that the SFU's CPU
// can be read on its own. Prints the SFU's CPU (mediasoup: the hub and its workers), egress,
// loss and frames lost at the viewers, and time to first frame for a new viewer of a live
// stream and for a camera started on demand (the hub's on-demand path with real edge agents
// over MQTT); with several engines, one after the other on the same clip, a line each of CPU
// per packet sent at the end. Prints figures; asserts nothing.
//
//   npm run bench:fanout -- --engine mediasoup,werift --publishers 1 --viewers 100 --seconds 20 --janus
//
// Options: --engine E[,E…] (werift, mediasoup; default werift), --workers W (mediasoup
// workers; default the hub's, the core count), --viewers-per-worker N (mediasoup; default C / W,
// so that the viewers spread over the workers), --publishers P, --viewers C (or --consumers),
// --seconds S (measured window), --viewer-processes N (default one per 150 viewers),
// --probes N (live TTFF probes, default 20),
// --on-demand N (on-demand starts, default 6), --bitrate kbit/s (default 1000),
// --janus (also run Janus's streaming plugin as the reference, when installed), --join-parallel N
// (viewers joining at once per viewer process, default 8), --source clip|encoder (the
// publishers replay the clip as it is, default, or run the agent's live encoder on its test
// pattern, which answers keyframe requests: the TTFF figures that count for a unit).
// TTFF only, small:
//   npm run bench:fanout -- --engine mediasoup,werift --source encoder --viewers 5 --probes 5 --on-demand 5 --seconds 5
// BENCH_PROFILE=dir writes a V8 CPU profile of the hub (node --cpu-prof) there.
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UnitAgent, WhipPublisher, attachOnDemandVideo } from '@hub/edge-agent';
// the load generators run werift on the same starved machine: the SFU's fixes for stalls apply to them too
import '@hub/werift-patches';
import type { ViewerJob, ViewerReport } from './fanout-viewers';
import { PHASES, type Phases } from './fanout-phases';
import type { LoopDelay } from './loop-delay';
import { runJanusReference } from './fanout-janus';
import { cpuSeconds, spawnBenchHub, waitForOutput } from './processes';
import { makeClip } from './clip';

const { values: args } = parseArgs({
  options: {
    publishers: { type: 'string', default: '1' },
    consumers: { type: 'string' },
    viewers: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    'viewer-processes': { type: 'string' },
    engine: { type: 'string', default: 'werift' },
    workers: { type: 'string' },
    'viewers-per-worker': { type: 'string' },
    probes: { type: 'string', default: '20' },
    'on-demand': { type: 'string', default: '6' },
    bitrate: { type: 'string', default: '1000' },
    janus: { type: 'boolean', default: false },
    'join-parallel': { type: 'string', default: '8' },
    'janus-only': { type: 'boolean', default: false },
    source: { type: 'string', default: 'clip' },
  },
});
const P = Number(args.publishers);
const C = Number(args.viewers ?? args.consumers ?? 100);
const SECONDS = Number(args.seconds);
/** viewer processes */
const WORKERS = Number(args['viewer-processes'] ?? Math.max(1, Math.ceil(C / 150)));
const ENGINES = args.engine.split(',').map((e) => e.trim());
for (const e of ENGINES) if (e !== 'werift' && e !== 'mediasoup') throw new Error(`--engine ${e}: werift or mediasoup`);
const BITRATE = Number(args.bitrate);
if (args.source !== 'clip' && args.source !== 'encoder') throw new Error(`--source ${args.source}: clip or encoder`);
const LIVE_ENCODER = args.source === 'encoder';
/** viewers joining at once, per viewer process */
const JOIN_PARALLEL = Number(args['join-parallel']);
const TOKEN = 'bench-admin-token-0000000000';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a');

/** A viewer process and a request/answer helper over its IPC channel. */
export interface ViewerWorker {
  child: ChildProcess;
  ask<T>(job: ViewerJob, answer: string): Promise<T>;
}
export async function startViewerWorker(): Promise<ViewerWorker> {
  const child = fork(path.join(root, 'bench/fanout-viewers.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((r) => child.once('message', () => r()));
  return {
    child,
    ask<T>(job: ViewerJob, answer: string) {
      return new Promise<T>((resolve, reject) => {
        const on = (m: { kind: string; message?: string }) => {
          if (m.kind === 'error') {
            child.off('message', on);
            reject(new Error(m.message));
          } else if (m.kind === answer) {
            child.off('message', on);
            resolve(m as T);
          }
        };
        child.on('message', on);
        child.send(job);
      });
    },
  };
}

export interface FanoutFigures {
  viewers: number;
  failed: number;
  cpuPercent: number;
  egressMbps: number;
  packetsPerSecond: number;
  /** packets/s the SFU sent (werift: its own count; Janus: the viewers' sequence numbers) */
  sentPerSecond: number;
  lossPercent: number;
  framesLostPercent: number;
  framesLost: number;
  joinPhases: Phases[];
  /** CPU of the viewer processes (the load generator), % of one core */
  viewerCpuPercent: number;
  /** the viewer processes' event-loop delay over the window, worst of them */
  viewerLoop: LoopDelay;
  /** the SFU's event-loop delay over the window (worst second), when recorded */
  sfuLoop?: LoopDelay;
}

/** Joins C viewers spread over workers, then measures a window of `seconds`. */
export async function measureFanout(
  workers: ViewerWorker[],
  base: string,
  token: string,
  streams: string[],
  /** CPU seconds the SFU has used so far (its processes) */
  sfuCpu: () => number,
  seconds: number,
  janus = false,
  sfuLoopFile?: string,
  joinParallel = JOIN_PARALLEL,
): Promise<FanoutFigures> {
  const per = Math.ceil(C / workers.length);
  const joined = await Promise.all(
    workers.map((w, i) =>
      w.ask<{ viewers: number; failed: number; lastError: string }>({ kind: 'join', base, token, streams, count: Math.min(per, C - i * per), parallel: joinParallel, janus }, 'joined'),
    ),
  );
  for (const j of joined) if (j.failed) console.log(`  (${j.failed} viewers failed; the last: ${j.lastError})`);
  await new Promise((r) => setTimeout(r, 2000)); // settle after the joins
  await Promise.all(workers.map((w) => w.ask({ kind: 'mark' }, 'marked')));
  // the SFU's own count: packets in from each publisher × its viewers = packets it sent
  const sfuCount = async () => {
    if (janus) return NaN;
    const live = (await (await fetch(`${base}/api/streams`, { headers: { authorization: `Bearer ${token}` } })).json()) as { packets: number; viewers: number }[];
    return live.reduce((n, l) => n + l.packets * l.viewers, 0);
  };
  const sfu0 = await sfuCount();
  const cpu0 = sfuCpu();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu1 = sfuCpu();
  const wall = (Date.now() - t0) / 1000;
  const sfuSent = ((await sfuCount()) - sfu0) / wall;
  const reports = (await Promise.all(workers.map((w) => w.ask<{ report: ViewerReport }>({ kind: 'report' }, 'report')))).map((r) => r.report);
  const sum = (f: (r: ViewerReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const packets = sum((r) => r.sinceMark.packets);
  const expected = sum((r) => r.sinceMark.expected);
  const frames = sum((r) => r.sinceMark.frames);
  const framesLost = sum((r) => r.sinceMark.framesLost);
  const span = Math.max(...reports.map((r) => r.sinceMark.seconds));
  const worst = (l: LoopDelay[]): LoopDelay => ({ p50: Math.max(...l.map((d) => d.p50)), p99: Math.max(...l.map((d) => d.p99)), max: Math.max(...l.map((d) => d.max)) });
  let sfuLoop: LoopDelay | undefined;
  if (sfuLoopFile && existsSync(sfuLoopFile)) {
    const seconds = readFileSync(sfuLoopFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LoopDelay & { at: number })
      .filter((l) => l.at > t0 && l.at <= t0 + wall * 1000 + 500);
    if (seconds.length) sfuLoop = worst(seconds);
  }
  return {
    viewers: joined.reduce((n, j) => n + j.viewers, 0),
    failed: joined.reduce((n, j) => n + j.failed, 0),
    cpuPercent: ((cpu1 - cpu0) / wall) * 100,
    egressMbps: (sum((r) => r.sinceMark.bytes) * 8) / span / 1e6,
    packetsPerSecond: packets / span,
    sentPerSecond: Number.isFinite(sfuSent) ? sfuSent : expected / span,
    lossPercent: expected > 0 ? (Math.max(0, expected - packets) / expected) * 100 : NaN,
    framesLostPercent: frames > 0 ? (framesLost / frames) * 100 : NaN,
    framesLost,
    joinPhases: reports.flatMap((r) => r.phases),
    viewerCpuPercent: (sum((r) => r.cpuSeconds) / span) * 100,
    viewerLoop: worst(reports.map((r) => r.loopDelay)),
    sfuLoop,
  };
}

/** p50 / p95 of each phase of the viewers' time to first frame */
export function phaseLine(phases: Phases[]): string {
  if (!phases.length) return 'none';
  return PHASES.map((k) => {
    const v = phases
      .map((p) => p[k])
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return `${k} ${Math.round(pct(v, 50))}/${Math.round(pct(v, 95))}`;
  }).join(', ');
}
const loopLine = (l: LoopDelay) => `p50 ${l.p50} ms / p99 ${l.p99} ms / max ${l.max} ms`;

export function printFanout(title: string, f: FanoutFigures, probePhases: Phases[]): void {
  const probes = probePhases.map((p) => p.key).sort((a, b) => a - b);
  console.log(`\n${title}`);
  console.log(
    `  load average             ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`  viewers connected        ${f.viewers} of ${C} (${f.failed} failed)`);
  console.log(`  SFU CPU                  ${f.cpuPercent.toFixed(0)} % of one core`);
  if (f.sfuLoop) console.log(`  SFU event-loop delay     ${loopLine(f.sfuLoop)} (worst second of the window)`);
  console.log(`  viewers' CPU (load gen.) ${f.viewerCpuPercent.toFixed(0)} % of one core; their event-loop delay ${loopLine(f.viewerLoop)}`);
  console.log(`  egress (payload)         ${f.egressMbps.toFixed(1)} Mbit/s, ${Math.round(f.packetsPerSecond)} packets/s received (${Math.round(f.sentPerSecond)} sent)`);
  console.log(`  SFU CPU per packet sent  ${perPacketUs(f).toFixed(1)} µs`);
  console.log(`  packet loss at viewers   ${f.lossPercent.toFixed(3)} %`);
  console.log(`  frames lost at viewers   ${f.framesLost} (${f.framesLostPercent.toFixed(3)} %)`);
  const join = f.joinPhases.map((p) => p.key).sort((a, b) => a - b);
  console.log(`  TTFF while C joined      p50 ${ms(pct(join, 50))} / p95 ${ms(pct(join, 95))}`);
  console.log(`    phases p50/p95 ms      ${phaseLine(f.joinPhases)}`);
  console.log(`  TTFF new live viewer     p50 ${ms(pct(probes, 50))} / p95 ${ms(pct(probes, 95))} (${probes.length} probes, one at a time)`);
  console.log(`    phases p50/p95 ms      ${phaseLine(probePhases)}`);
}

/** The mediasoup workers among a process's children (the hub's; its embedded PostgreSQL is not the SFU). */
function mediasoupWorkers(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.filter((c) => readFileSync(`/proc/${c}/comm`, 'utf8').startsWith('mediasoup'));
  } catch {
    return [];
  }
}

/** The SFU's CPU seconds: the hub's process, and its mediasoup workers (C++ processes) on that engine. */
const sfuCpu = (hubPid: number) => () => cpuSeconds(hubPid) + mediasoupWorkers(hubPid).reduce((n, w) => n + cpuSeconds(w), 0);

/** One engine's figures for the closing comparison. */
interface EngineLine {
  name: string;
  figures: FanoutFigures;
}

const perPacketUs = (f: FanoutFigures) => (f.cpuPercent / 100 / f.sentPerSecond) * 1e6;

async function main(): Promise<void> {
  const janusOpts = { consumers: C, seconds: SECONDS, bitrateKbps: BITRATE, probes: Number(args.probes), workers: WORKERS, joinParallel: JOIN_PARALLEL };
  if (args['janus-only']) {
    console.log(
      `Janus reference only: 1 stream × ${C} viewers; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    await runJanusReference(janusOpts);
    return;
  }
  const lines: EngineLine[] = [];
  for (const engine of ENGINES) lines.push(await runEngine(engine as 'werift' | 'mediasoup'));
  if (args.janus) {
    const janus = await runJanusReference(janusOpts);
    if (janus) lines.push({ name: 'Janus 1.1 streaming', figures: janus });
  }
  if (lines.length > 1) {
    console.log(`
Side by side (${P} × ${C}, the same clip; load average now ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`);
    for (const l of lines)
      console.log(
        `  ${l.name.padEnd(28)} CPU ${l.figures.cpuPercent.toFixed(1).padStart(5)} % of one core, ${perPacketUs(l.figures).toFixed(1).padStart(5)} µs per packet sent, loss ${l.figures.lossPercent.toFixed(3)} %`,
      );
  }
}

/** The hub on `engine`: its fan-out, live probes and on-demand starts; its figures. */
async function runEngine(engine: 'werift' | 'mediasoup'): Promise<EngineLine> {
  const mediasoupWorkerCount = args.workers ? Number(args.workers) : undefined;
  const perWorker = args['viewers-per-worker'] ?? (mediasoupWorkerCount ? String(Math.ceil(C / mediasoupWorkerCount)) : undefined);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-fanout-'));
  chmodSync(dataDir, 0o755);
  const loopFile = path.join(dataDir, 'hub-loop-delay.jsonl');
  const { hub, httpPort, mqttPort } = await spawnBenchHub({
    dataDir,
    token: TOKEN,
    imports: ['./bench/loop-delay.ts'],
    env: {
      HUB_MEDIA__ADDITIONAL_HOST_ADDRESSES: '["127.0.0.1"]',
      HUB_MEDIA__IDLE_STOP_SECONDS: '2',
      // the bench measures how many viewers the SFU carries: no viewer limit
      HUB_MEDIA__MAX_VIEWERS: '0',
      HUB_MEDIA__ENGINE: engine,
      HUB_MEDIA__RTC_PORT: '0',
      ...(mediasoupWorkerCount ? { HUB_MEDIA__WORKERS: String(mediasoupWorkerCount) } : {}),
      // spread the viewers over the workers (the hub's default, 500 a worker, keeps 100 on one)
      ...(perWorker ? { HUB_MEDIA__VIEWERS_PER_WORKER: perWorker } : {}),
      BENCH_LOOP_DELAY_FILE: loopFile,
    },
  });
  const closers: (() => Promise<unknown> | unknown)[] = [];
  try {
    const clip = await makeClip(dataDir, BITRATE);
    await waitForOutput(hub, 'Hub ready', 120_000);
    // the hub's warnings and errors (HUB_LOG__LEVEL=warn) say why a peer was closed
    const hubLog = (d: Buffer) => process.stderr.write(d.toString().replace(/^(?=.)/gm, '  [hub] '));
    hub.stdout!.on('data', hubLog);
    hub.stderr!.on('data', hubLog);
    const base = `http://127.0.0.1:${httpPort}`;
    const workerPids = mediasoupWorkers(hub.pid!);
    const sfuName =
      engine === 'mediasoup' ? `mediasoup SFU (the hub, pid ${hub.pid}, and ${workerPids.length} worker(s), pids ${workerPids.join(' ')})` : `werift SFU (the hub's media role, pid ${hub.pid})`;
    console.log(
      `\n${engine}: video fan-out: ${P} publisher(s) × ${C} viewers, ${SECONDS} s measured, ${WORKERS} viewer process(es); load average at start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );

    // publishers: the agent's own WHIP publisher, replaying the clip as it is or encoding its test pattern live
    const streams = Array.from({ length: P }, (_, i) => `bench-${i}`);
    const source = LIVE_ENCODER ? ({ kind: 'testsrc' } as const) : ({ kind: 'file', path: clip } as const);
    const publishers = await Promise.all(
      streams.map((s) => WhipPublisher.start({ whipUrl: `${base}/whip/${s}`, token: TOKEN, codec: 'vp8', source, bitrateKbps: BITRATE, label: s, additionalHostAddresses: ['127.0.0.1'] })),
    );
    closers.push(() => Promise.all(publishers.map((p) => p.close())));
    // a publisher that stops is the first thing to know when viewers get nothing
    const benchStart = Date.now();
    publishers.forEach((p, i) => {
      const say = (what: string) => console.log(`  publisher ${streams[i]} ${what} at +${((Date.now() - benchStart) / 1000).toFixed(1)} s`);
      p.pc.connectionStateChange.subscribe((st) => say(`connection ${st}`));
      // its consent checks (RFC 7675): ICE fails 30 s after the SFU's last answer to one
      const consent = () => {
        const pair = p.pc.iceTransports[0]?.connection.nominated;
        return pair ? `consent requests ${pair.consentRequestsSent}, answers ${pair.responsesReceived}, rtt ${Math.round((pair.rtt ?? 0) * 1000)} ms` : 'no pair';
      };
      p.pc.iceConnectionStateChange.subscribe((st) => say(`ICE ${st} (${consent()})`));
      p.onSourceEnd = (why) => say(why);
      // a second in which ffmpeg gave the publisher nothing, or the publisher sent nothing
      const sender = p.pc.getTransceivers()[0]!.sender;
      const sent = () => (sender as unknown as { packetCount: number }).packetCount;
      let fromSource = 0;
      sender.track?.onReceiveRtp.subscribe(() => fromSource++);
      let last = { fromSource: 0, sent: 0 };
      const watch = setInterval(() => {
        if (p.closed) return clearInterval(watch);
        const now = { fromSource, sent: sent() };
        if (now.fromSource === last.fromSource || now.sent === last.sent)
          say(`idle for a second: ${now.fromSource - last.fromSource} packets from ffmpeg, ${now.sent - last.sent} sent (ICE ${p.pc.iceConnectionState}, DTLS ${sender.dtlsTransport.state})`);
        last = now;
      }, 1000);
      closers.push(() => clearInterval(watch));
    });
    // every stream live at the SFU before viewers come
    for (let i = 0; ; i++) {
      const live = (await (await fetch(`${base}/api/streams`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { streamId: string; packets?: number }[];
      if (streams.every((s) => live.some((l) => l.streamId === s && (l.packets ?? 1) > 0))) break;
      if (i === 150) throw new Error(`publishers not live after 30 s: ${JSON.stringify(live)}; ${publishers.map((p) => p.sourceError ?? p.pc.connectionState).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const workers = await Promise.all(Array.from({ length: WORKERS }, () => startViewerWorker()));
    closers.push(() => workers.forEach((w) => w.child.kill('SIGKILL')));
    const figures = await measureFanout(workers, base, TOKEN, streams, sfuCpu(hub.pid!), SECONDS, false, loopFile);
    // what the SFU says of the stream after the window (viewers, packets, loss)
    const after = await (await fetch(`${base}/api/streams`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    console.log(`  the SFU's /api/streams after the window: ${JSON.stringify(after).slice(0, 400)}`);
    // the SFU's event loop from the publishers' start to now, in 5 s steps: a stall during the
    // joins delays every peer's ICE and DTLS answers
    if (existsSync(loopFile)) {
      const secs = readFileSync(loopFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as LoopDelay & { at: number; cpu: number })
        .filter((l) => l.at >= benchStart);
      const steps: string[] = [];
      for (let i = 0; i < secs.length; i += 5) {
        const g = secs.slice(i, i + 5);
        steps.push(`${Math.round((g[0]!.at - benchStart) / 1000)}s: max ${Math.round(Math.max(...g.map((x) => x.max)))} ms, cpu ${Math.round((g.reduce((n, x) => n + x.cpu, 0) / g.length) * 100)}%`);
      }
      console.log(`  SFU event loop over time (max delay, CPU of one core per 5 s): ${steps.join(' | ')}`);
    }
    // new viewers of a live stream, one at a time, while the fan-out runs
    const probeWorker = await startViewerWorker();
    closers.push(() => probeWorker.child.kill('SIGKILL'));
    const probes = (await probeWorker.ask<{ phases: Phases[] }>({ kind: 'probe', base, token: TOKEN, streamId: streams[0]!, count: Number(args.probes) }, 'probed')).phases;
    printFanout(`${sfuName}; publisher: ${LIVE_ENCODER ? 'the agent’s live encoder (test pattern)' : 'the clip, as it is'}`, figures, probes);
    const kf = publishers[0]!.liveEncoder?.counters;
    if (kf) console.log(`  the agent's encoder      ${kf.keyframeRequests} keyframe requests, ${kf.keyframesOnRequest} keyframes made for them, ${kf.framesDropped} frames dropped`);
    await Promise.all(workers.map((w) => w.child.kill('SIGKILL')));

    // on demand: the wall asks, the hub commands the agent over MQTT, the agent publishes, the viewer's first frame
    const onDemand: number[] = [];
    const onDemandPhases: Phases[] = [];
    const n = Number(args['on-demand']);
    for (let i = 0; i < n; i++) {
      const unitId = `od-${i}`;
      const api = (method: string, p: string, body?: unknown) =>
        fetch(base + p, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      await api('POST', '/api/units', { id: unitId, name: unitId, type: 'vehicle' });
      const { secret } = (await (await api('POST', `/api/units/${unitId}/credential`)).json()) as { secret: string };
      const agent = await UnitAgent.start({ unitId, secret, broker: `mqtt://127.0.0.1:${mqttPort}`, queueDir: path.join(dataDir, `q-${unitId}`) });
      const video = attachOnDemandVideo(agent, { hubUrl: base, unitId, secret, additionalHostAddresses: ['127.0.0.1'], video: { bitrateKbps: BITRATE } });
      while (!agent.stats.connected) await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      const start = await api('POST', `/api/streams/${unitId}/start`);
      if (start.status !== 200) {
        console.log(`  on-demand ${unitId}: ${start.status} ${await start.text()}`);
      } else {
        const viewAt = Date.now();
        // the unit's stream id is not its unit id (opaque per unit): the start answer says it
        const { streamId } = (await start.json()) as { streamId: string };
        const ttff = await probeWorker.ask<{ phases: Phases[]; lastError: string }>({ kind: 'probe', base, token: TOKEN, streamId, count: 1, waitForStream: true }, 'probed');
        if (ttff.phases[0] !== undefined) {
          onDemand.push(viewAt - t0 + ttff.phases[0].key);
          onDemandPhases.push(ttff.phases[0]);
        } else console.log(`  on-demand ${unitId}: no frame (${ttff.lastError})`);
      }
      await video.close();
      await agent.close();
    }
    onDemand.sort((a, b) => a - b);
    console.log(
      `  TTFF on demand           p50 ${ms(pct(onDemand, 50))} / p95 ${ms(pct(onDemand, 95))} (${onDemand.length} starts: POST /api/streams/:unit/start → MQTT → agent's ffmpeg + WHIP → WHEP viewer's first keyframe)`,
    );
    console.log(`    viewer's phases p50/p95 ${phaseLine(onDemandPhases)} (from its WHEP POST, made when the start answered)`);
    probeWorker.child.kill('SIGKILL');
    await Promise.all(publishers.map((p) => p.close()));
    return { name: engine === 'mediasoup' ? `mediasoup (${workerPids.length} worker(s))` : 'werift', figures };
  } finally {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => {});
    hub.kill('SIGINT');
    await new Promise((r) => hub.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
