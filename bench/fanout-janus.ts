// Janus's streaming plugin (Debian's janus 1.1) as the reference figure for bench/fanout.ts:
// the same ffmpeg test pattern as plain RTP into an RTP mountpoint, the same werift viewers
// (signalled over Janus's HTTP API), the same measurements.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnFfmpeg, spawnTied } from '@hub/config/node';
import { ffmpegSourceArgs } from '@hub/edge-agent';
import { freePort } from '../test-support/ports';
import { cpuSeconds } from './processes';
import { measureFanout, printFanout, startViewerWorker, type FanoutFigures } from './fanout';
import { makeClip } from './clip';
import type { Phases } from './fanout-phases';

export interface JanusReferenceOptions {
  consumers: number;
  seconds: number;
  bitrateKbps: number;
  probes: number;
  workers: number;
  joinParallel: number;
}

const LIB = '/usr/lib/x86_64-linux-gnu/janus';

/** Janus's figures, or undefined when it is not installed. */
export async function runJanusReference(opts: JanusReferenceOptions): Promise<FanoutFigures | undefined> {
  if (!existsSync('/usr/bin/janus')) {
    console.log('\nJanus reference: /usr/bin/janus not installed (apt-get install janus)');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'janus-bench-'));
  const [httpPort, rtpPort] = [await freePort(), await freePort()];
  const others = (kind: string, keep: string) =>
    [
      'audiobridge',
      'duktape',
      'echotest',
      'lua',
      'nosip',
      'recordplay',
      'sip',
      'streaming',
      'textroom',
      'videocall',
      'videoroom',
      'voicemail',
      'http',
      'mqtt',
      'nanomsg',
      'pfunix',
      'rabbitmq',
      'websockets',
    ]
      .filter((n) => n !== keep)
      .map((n) => `libjanus_${n}.so`)
      .join(',');
  writeFileSync(
    path.join(dir, 'janus.jcfg'),
    `general: { configs_folder = "${dir}" plugins_folder = "${LIB}/plugins" transports_folder = "${LIB}/transports" events_folder = "${LIB}/events" loggers_folder = "${LIB}/loggers" debug_level = 2 }
media: { rtp_port_range = "30000-39999" }
nat: { ice_enforce_list = "127.0.0.1" }
plugins: { disable = "${others('plugin', 'streaming')}" }
transports: { disable = "${others('transport', 'http')}" }
events: { broadcast = false }
`,
  );
  writeFileSync(path.join(dir, 'janus.transport.http.jcfg'), `general: { json = "indented" base_path = "/janus" http = true port = ${httpPort} ip = "127.0.0.1" }\nadmin: { admin_http = false }\n`);
  writeFileSync(
    path.join(dir, 'janus.plugin.streaming.jcfg'),
    `general: { }\nbench: { type = "rtp" id = 1 description = "bench" media = ({ type = "video" mid = "v" port = ${rtpPort} pt = 96 codec = "vp8" }) }\n`,
  );
  const janus = spawnTied('/usr/bin/janus', ['-C', path.join(dir, 'janus.jcfg'), '-F', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  janus.stdout?.on('data', (d) => (log = (log + d).slice(-4000)));
  janus.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  // the same clip, the same ffmpeg arguments as the agent's publisher, into Janus's RTP port
  const clip = await makeClip(dir, opts.bitrateKbps);
  const ffmpeg = spawnFfmpeg(ffmpegSourceArgs({ kind: 'file', path: clip }, { codec: 'vp8' }, `rtp://127.0.0.1:${rtpPort}`), { stdio: 'ignore' });
  const base = `http://127.0.0.1:${httpPort}/janus`;
  const workers = [] as Awaited<ReturnType<typeof startViewerWorker>>[];
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/info`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error(`Janus did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < opts.workers; i++) workers.push(await startViewerWorker());
    const figures = await measureFanout(workers, base, '', ['1'], () => cpuSeconds(janus.pid!), opts.seconds, true, undefined, opts.joinParallel);
    const probeWorker = await startViewerWorker();
    workers.push(probeWorker);
    const probes = (await probeWorker.ask<{ phases: Phases[] }>({ kind: 'probe', base, token: '', streamId: '1', count: opts.probes, janus: true }, 'probed')).phases;
    printFanout(`Janus 1.1 streaming plugin (reference, pid ${janus.pid})`, figures, probes);
    return figures;
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    ffmpeg.kill('SIGKILL');
    janus.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (janus.exitCode === null) janus.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
