// `npm run agent -- --unit-id car-7 --secret … --broker mqtt://hub:1883 --gps nmea:/dev/ttyUSB0`
// One unit's agent on a vehicle gateway or body cam. Type "sos [message]" + Enter to raise an SOS;
// a dispatch is printed and answered with "accept" or "refuse <reason>".
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AgentOptionsSchema, AgentVideoOptionsSchema, type AgentOptions, type AgentVideoOptions } from '@hub/config';
import { UnitAgent } from './agent/unit-agent';
import { onDispatch } from './agent/commands';
import { DispatchPrompt } from './agent/dispatch-prompt';
import { parseFlags } from './cli-flags';
import { AgentOptionsError } from './errors';
import { openGpsSource } from './gps/open-source';
import { createLogger } from './log';
import { attachOnDemandVideo } from './video/on-demand';

export const USAGE = `usage: npm run agent -- --unit-id ID --secret SECRET [options]

  --unit-id ID        the unit's id, also its MQTT username          (env UNIT_ID)
  --secret SECRET     the unit's secret issued by the hub             (env UNIT_SECRET)
  --broker URL        mqtt://, mqtts://, ws:// or wss:// (default mqtt://127.0.0.1:1883)  (env BROKER_URL)
  --gps SOURCE        nmea:/dev/ttyUSB0          serial receiver (set its baud rate first: stty -F DEV 9600 raw)
                      nmea-file:PATH[:RATE]      replay a recorded log at RATE fixes/s (default 1, 0 = fast),
                                                 its times moved to now: at RATE > 0 each fix is stamped
                                                 as it is replayed; at 0 the log is shifted to end now
                      gpsd:HOST:PORT             gpsd's JSON protocol (default gpsd:127.0.0.1:2947)
                      sim[:ROUTE.geojson]        a simulated drive (default)
  --queue-dir DIR     store-and-forward queue folder (default ./agent-queue/ID)  (env QUEUE_DIR)
  --queue-max N       most queued positions; the oldest are dropped beyond (default 100000)
  --max-in-flight N   positions awaiting the hub's acknowledgement at once (default 100)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info)  (env LOG_LEVEL)

 Video (published over WHIP while the hub asks for it: stream.start / stream.stop, and on SOS)
  --hub URL           the hub's HTTP base URL, e.g. http://hub:8080; enables video  (env HUB_URL)
  --video SOURCE      testsrc                    test pattern with the unit id and a clock (default)
                      v4l2:/dev/video0           a V4L2 camera, encoded by ffmpeg
                      rtsp://user:pass@cam/path  an RTSP camera's H.264, passed through (-c:v copy)
  --video-codec C     vp8|h264 (default vp8; always h264 for RTSP)
  --video-bitrate K   encoder target in kbit/s (default 800; not for RTSP)
  --video-size WxH    picture size (default 640x480; not for RTSP)
  --video-fps N       frames per second (default 15; not for RTSP)
  --help

While running, type "sos [message]" and Enter to raise an SOS, "stats" for counters.
A dispatch from the hub is printed; answer it with "accept" or "refuse <reason>" and Enter.`;

/** Exit codes: 2 bad arguments, 3 credential refused, 1 anything else. */
export const EXIT = { usage: 2, auth: 3, failure: 1 } as const;

/** Command line + environment → validated options; throws AgentOptionsError naming the flag. */
export function parseAgentArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AgentCliOptions | 'help' {
  const values = parseFlags(argv, {
    'unit-id': { type: 'string' },
    secret: { type: 'string' },
    broker: { type: 'string' },
    gps: { type: 'string' },
    'queue-dir': { type: 'string' },
    'queue-max': { type: 'string' },
    'max-in-flight': { type: 'string' },
    'log-level': { type: 'string' },
    hub: { type: 'string' },
    video: { type: 'string' },
    'video-codec': { type: 'string' },
    'video-bitrate': { type: 'string' },
    'video-size': { type: 'string' },
    'video-fps': { type: 'string' },
  });
  if (values.help) return 'help';
  const video = parseVideoFlags(values, env);
  const raw = {
    unitId: values['unit-id'] ?? env.UNIT_ID,
    secret: values.secret ?? env.UNIT_SECRET,
    broker: values.broker ?? env.BROKER_URL,
    gps: values.gps ?? env.GPS,
    queueDir: values['queue-dir'] ?? env.QUEUE_DIR,
    queueMax: values['queue-max'],
    maxInFlight: values['max-in-flight'],
    logLevel: values['log-level'] ?? env.LOG_LEVEL,
  };
  const parsed = AgentOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const flag: Record<string, string> = {
      unitId: '--unit-id (or UNIT_ID)',
      secret: '--secret (or UNIT_SECRET)',
      broker: '--broker (or BROKER_URL)',
      gps: '--gps',
      queueDir: '--queue-dir',
      queueMax: '--queue-max',
      maxInFlight: '--max-in-flight',
      logLevel: '--log-level',
    };
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      const missing = raw[key as keyof typeof raw] === undefined;
      return `  ${flag[key] ?? key}: ${missing ? 'is required' : i.message}`;
    });
    throw new AgentOptionsError(`invalid arguments:\n${lines.join('\n')}`);
  }
  return video ? { ...parsed.data, video } : parsed.data;
}

/** The agent's options with its camera, when --hub (or HUB_URL) is given. */
export type AgentCliOptions = AgentOptions & { video?: AgentVideoOptions };

const VIDEO_FLAGS: Record<string, string> = {
  hubUrl: '--hub (or HUB_URL)',
  source: '--video',
  codec: '--video-codec',
  bitrateKbps: '--video-bitrate',
  size: '--video-size',
  fps: '--video-fps',
};

function parseVideoFlags(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): AgentVideoOptions | undefined {
  const raw = {
    hubUrl: (values.hub as string | undefined) ?? env.HUB_URL,
    source: values.video,
    codec: values['video-codec'],
    bitrateKbps: values['video-bitrate'],
    size: values['video-size'],
    fps: values['video-fps'],
  };
  const given = Object.entries(raw).filter(([k, v]) => k !== 'hubUrl' && v !== undefined);
  if (raw.hubUrl === undefined) {
    if (given.length) throw new AgentOptionsError(`invalid arguments:\n  ${VIDEO_FLAGS[given[0]![0]]}: needs --hub (or HUB_URL), the hub's URL to publish to`);
    return undefined;
  }
  const parsed = AgentVideoOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${VIDEO_FLAGS[String(i.path[0] ?? '')] ?? String(i.path[0])}: ${i.message}`);
    throw new AgentOptionsError(`invalid arguments:\n${lines.join('\n')}`);
  }
  if (parsed.data.source.kind === 'rtsp' && parsed.data.codec === 'vp8') {
    throw new AgentOptionsError('invalid arguments:\n  --video-codec: an RTSP camera is passed through as H.264, without transcoding; leave out --video-codec or use h264');
  }
  return parsed.data;
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  let opts: AgentCliOptions | 'help';
  try {
    opts = parseAgentArgs(argv);
  } catch (err) {
    process.stderr.write(`edge-agent: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const log = createLogger(opts.logLevel);
  const gps = await openGpsSource(opts.gps, { logger: log });
  const queueDir = opts.queueDir ?? path.join('agent-queue', opts.unitId);
  const agent = await UnitAgent.start({
    unitId: opts.unitId,
    secret: opts.secret,
    broker: opts.broker,
    gps,
    queueDir,
    queueMax: opts.queueMax,
    maxInFlight: opts.maxInFlight,
    logger: log,
  });
  const video = opts.video?.hubUrl
    ? attachOnDemandVideo(agent, {
        hubUrl: opts.video.hubUrl,
        unitId: opts.unitId,
        secret: opts.secret,
        codec: opts.video.codec,
        video: { source: opts.video.source, size: opts.video.size, fps: opts.video.fps, bitrateKbps: opts.video.bitrateKbps },
        logger: log,
      })
    : undefined;
  log.info({ unitId: opts.unitId, broker: opts.broker, gps: gps.name, queueDir, video: opts.video ? describeVideo(opts.video) : 'off' }, 'agent started');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      clearInterval(statsTimer);
      rl?.close();
      void (video?.close() ?? Promise.resolve()).then(() => agent.close()).then(() => resolve(code));
    };
    agent.on('authError', (err) => {
      process.stderr.write(`edge-agent: ${err.message}\n`);
      stop(EXIT.auth);
    });
    const statsTimer = setInterval(() => log.info(agent.stats, 'stats'), 60_000);
    const rl = process.stdin.readable ? createInterface({ input: process.stdin, terminal: false }) : undefined;
    // a person at this terminal answers dispatches; without one (no stdin) the hub is told unsupported_command
    const prompt = new DispatchPrompt(
      (l) => process.stdout.write(l + '\n'),
      () => agent.lastFix,
    );
    if (rl) {
      onDispatch(agent, prompt.decide, log);
      // after this unit's SOS: what the centre did, printed for the person at the terminal
      agent.handleCommand('sos.status', (st) => {
        const coming = st.coming.map((c) => `${c.name}${c.etaSeconds !== undefined ? ` (ETA ${Math.max(1, Math.round(c.etaSeconds / 60))} min)` : ''} ${c.state.replace('_', ' ')}`);
        process.stdout.write(`SOS: received${st.acknowledged ? ', acknowledged by the centre' : ''}${coming.length ? `; coming: ${coming.join(', ')}` : ''}\n`);
        return 'shown';
      });
    }
    rl?.on('line', (line) => {
      const [word, ...rest] = line.trim().split(/\s+/);
      if (prompt.line(line)) return;
      if (word?.toLowerCase() === 'sos') {
        agent.sos(rest.join(' ') || undefined).then(
          () => process.stdout.write('SOS queued; it is sent as soon as the link allows\n'),
          (err: Error) => process.stderr.write(`SOS failed: ${err.message}\n`),
        );
      } else if (word === 'stats') {
        process.stdout.write(JSON.stringify(agent.stats) + '\n');
      } else if (word) {
        process.stdout.write('commands: sos [message] | stats | accept | refuse <reason>\n');
      }
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) process.exit(130); // a second ^C: leave now; the queue is on disk
        log.info({ signal }, 'stopping');
        stop(0);
      });
    }
  });
}

/** The camera in a log line, without an RTSP URL's password. */
function describeVideo(v: AgentVideoOptions): string {
  if (v.source.kind === 'rtsp') {
    const u = new URL(v.source.url);
    if (u.password) u.password = '***';
    return `rtsp ${u.toString()} (h264 passed through)`;
  }
  const src = v.source.kind === 'v4l2' ? `v4l2 ${v.source.device}` : 'test pattern';
  return `${src} ${v.codec ?? 'vp8'} ${v.size} ${v.fps} fps ${v.bitrateKbps} kbit/s`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: Error & { code?: string }) => {
      process.stderr.write(`edge-agent: ${err.message}${err.code ? ` (${err.code})` : ''}\n`);
      process.exit(EXIT.failure);
    },
  );
}
