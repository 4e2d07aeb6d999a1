// The unit's camera on demand: `stream.start` from the hub publishes over WHIP,
// `stream.stop` ends it. The command carries the stream id the hub issued to the unit; it
// is acknowledged once the hub has taken the stream.
//
// A publisher that stops reaching the hub is ended here at once (its WHIP session DELETEd, so
// the hub frees the stream and its viewers show "reconnecting" without waiting for the silence
// limit): its ffmpeg died, or its connection failed or was closed by the hub. The hub sends
// stream.start only for a stream it does not have, so a start that comes while this agent still
// believes it publishes (and not just after it began: a repeat of the start in flight) means
// the hub has lost the session (e.g. it took a starved publisher as silent): it is replaced.
import type { UnitAgent } from '../agent/unit-agent';
import { silentLogger, type Logger } from '../log';
import { WhipPublisher, type VideoCodec, type WhipPublisherOptions } from './whip-publisher';

export interface OnDemandVideoOptions {
  /** the hub's base URL, e.g. http://hub:8080 */
  hubUrl: string;
  unitId: string;
  secret: string;
  codec?: VideoCodec;
  /** test pattern size and rate, as WhipPublisher takes them; default its own */
  size?: string;
  fps?: number;
  additionalHostAddresses?: string[];
  /** the camera: source, size, rate, bitrate; default the test pattern labelled with the unit id */
  video?: Pick<WhipPublisherOptions, 'source' | 'size' | 'fps' | 'bitrateKbps' | 'label'>;
  logger?: Logger;
}

/** A stream.start this soon after the publisher began repeats the start that began it (two walls asked at once). */
const REPEAT_WINDOW_MS = 3000;

export function attachOnDemandVideo(agent: UnitAgent, opts: OnDemandVideoOptions): { publisher(): WhipPublisher | undefined; close(): Promise<void> } {
  const log = (opts.logger ?? silentLogger).child({ module: 'camera', unitId: opts.unitId });
  let publisher: WhipPublisher | undefined;
  let starting: Promise<WhipPublisher> | undefined;
  const stop = async () => {
    const p = publisher ?? (await starting?.catch(() => undefined));
    publisher = undefined;
    starting = undefined;
    await p?.close();
  };
  /** Ends `p` if it is still this camera's publisher (a newer one is left alone). */
  const retire = async (p: WhipPublisher) => {
    if (publisher === p) publisher = undefined;
    await p.close();
  };
  const offStart = agent.handleCommand('stream.start', async (cmd) => {
    if (publisher) {
      const p = publisher;
      if (p.endedWhy === undefined && Date.now() - p.startedAt < REPEAT_WINDOW_MS) return 'already publishing';
      log.warn({ why: p.endedWhy ?? 'the hub asked again: it no longer has the stream' }, 'camera publishing again');
      await retire(p);
    }
    // the hub names the stream: an opaque id it issued to this unit (not the unit id)
    if (!cmd.streamId) throw new Error('stream.start without a stream id: the hub is older than this agent');
    starting ??= WhipPublisher.start({
      whipUrl: new URL(`/whip/${encodeURIComponent(cmd.streamId)}`, opts.hubUrl).toString(),
      token: `${opts.unitId}:${opts.secret}`,
      codec: opts.codec,
      size: opts.size,
      fps: opts.fps,
      additionalHostAddresses: opts.additionalHostAddresses,
      label: opts.unitId,
      ...opts.video,
    });
    let started: WhipPublisher;
    try {
      started = await starting;
    } finally {
      starting = undefined;
    }
    publisher = started;
    started.onEnd = (why) => {
      log.warn({ why }, 'camera stopped reaching the hub: session ended, publishing again at the next start');
      void retire(started);
    };
    if (started.endedWhy !== undefined) started.onEnd(started.endedWhy);
    return 'publishing';
  });
  const offStop = agent.handleCommand('stream.stop', async () => {
    await stop();
    return 'stopped';
  });
  return {
    publisher: () => publisher,
    async close() {
      offStart();
      offStop();
      await stop();
    },
  };
}
