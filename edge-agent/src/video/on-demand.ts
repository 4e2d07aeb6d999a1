// The unit's camera on demand: `stream.start` from the hub publishes over WHIP,
// `stream.stop` ends it. The command carries the stream id the hub issued to the unit; it
// is acknowledged once the hub has taken the stream.
import type { UnitAgent } from '../agent/unit-agent';
import { WhipPublisher, type VideoCodec } from './whip-publisher';

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
}

export function attachOnDemandVideo(agent: UnitAgent, opts: OnDemandVideoOptions): { publisher(): WhipPublisher | undefined; close(): Promise<void> } {
  let publisher: WhipPublisher | undefined;
  let starting: Promise<WhipPublisher> | undefined;
  const stop = async () => {
    const p = publisher ?? (await starting?.catch(() => undefined));
    publisher = undefined;
    starting = undefined;
    await p?.close();
  };
  const offStart = agent.handleCommand('stream.start', async (cmd) => {
    if (publisher && !publisher.closed) return 'already publishing';
    // the hub names the stream: an opaque id it issued to this unit (not the unit id)
    if (!cmd.streamId) throw new Error('stream.start without a stream id: the hub is older than this agent');
    starting ??= WhipPublisher.start({
      whipUrl: new URL(`/whip/${encodeURIComponent(cmd.streamId)}`, opts.hubUrl).toString(),
      token: `${opts.unitId}:${opts.secret}`,
      codec: opts.codec,
      size: opts.size,
      fps: opts.fps,
      additionalHostAddresses: opts.additionalHostAddresses,
    });
    try {
      publisher = await starting;
    } finally {
      starting = undefined;
    }
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
