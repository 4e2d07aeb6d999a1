// Cameras on demand: a wall asks for a unit's camera, the hub tells the unit to publish
// (stream.start on its command topic) and answers once the stream is live; a stream that
// nobody has watched for `idleStopSeconds` is stopped (stream.stop), so a vehicle on a
// metered link streams only while someone watches. An SOS starts the unit's stream at
// once and keeps it until the SOS is acknowledged. A unit may have several cameras (a JT/T 808
// terminal's logical channels): each channel is a stream of its own, started and stopped alone;
// an SOS starts and pins channel 1.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alarm } from '@hub/config';
import { HubError } from '@hub/platform';
import type { Router } from '@hub/media-server';
import type { Telemetry } from '@hub/telemetry';
import type { StreamIds } from './stream-ids';
import type { UnitCommandPort } from './unit-commands';

/** Why a camera could not be started on demand (409 offline, 504 no answer…). */
export class StreamStartError extends HubError {}

export interface StreamsOnDemandOptions {
  router: Router;
  telemetry: Telemetry;
  /** how stream.start/stop reach the unit (MQTT, or JT/T 1078 0x9101/0x9102 for a JT/T 808 terminal) */
  commands: UnitCommandPort;
  /** each unit's opaque stream id */
  streamIds: StreamIds;
  idleStopSeconds: number;
  startTimeoutSeconds: number;
  log: Logger;
}

export class StreamsOnDemand {
  /** by stream id */
  private readonly idleSince = new Map<string, number>();
  private readonly stopping = new Set<string>();
  /** units whose stream an unacknowledged SOS holds open */
  private readonly pinned = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly offAlarm: () => void;

  constructor(private readonly opts: StreamsOnDemandOptions) {
    this.timer = setInterval(() => this.stopIdle(), 1000);
    this.timer.unref();
    const onAlarm = (a: Alarm) => {
      if (a.kind !== 'sos') return;
      if (a.acknowledgedAt) {
        this.pinned.delete(a.unitId);
        return;
      }
      this.pinned.add(a.unitId);
      this.start(a.unitId).catch((err: unknown) => opts.log.warn({ err, unitId: a.unitId }, 'SOS: the unit’s camera did not start'));
    };
    opts.telemetry.bus.on('alarm', onAlarm);
    this.offAlarm = () => opts.telemetry.bus.off('alarm', onAlarm);
  }

  /** Resolves with the stream id of the unit's camera `channel` (default 1) when it is live: at once if it is, else after the unit has started it. */
  async start(unitId: string, channel = 1): Promise<{ streamId: string; state: 'live' | 'started' }> {
    const { router, commands } = this.opts;
    const streamId = await this.opts.streamIds.forUnit(unitId, channel);
    if (!streamId) throw new StreamStartError('HUB_ERR_UNIT_NOT_FOUND', 404, `unit ${unitId} does not exist`);
    if (router.producers.has(streamId)) return { streamId, state: 'live' };
    if (!commands.isConnected(unitId)) {
      throw new StreamStartError('HUB_ERR_UNIT_OFFLINE', 409, `unit ${unitId} is not connected, so its camera cannot be started`);
    }
    // channel 1 goes without the field: an MQTT unit's command stays as it was
    await commands.sendCommand(unitId, { id: randomUUID(), type: 'stream.start', streamId, ...channelField(channel), ts: Date.now() });
    const deadline = Date.now() + this.opts.startTimeoutSeconds * 1000;
    while (!router.producers.has(streamId)) {
      if (Date.now() > deadline) {
        throw new StreamStartError('HUB_ERR_STREAM_START_TIMEOUT', 504, `unit ${unitId} did not start its camera within ${this.opts.startTimeoutSeconds} s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { streamId, state: 'started' };
  }

  private stopIdle(): void {
    const now = Date.now();
    for (const [streamId, producer] of this.opts.router.producers) {
      // a stream an operator published under an id of its own has no unit to stop
      const camera = this.opts.streamIds.cachedCameraOf(streamId);
      if (!camera || producer.consumers.size > 0 || (camera.channel === 1 && this.pinned.has(camera.unitId))) {
        this.idleSince.delete(streamId);
        this.stopping.delete(streamId);
        continue;
      }
      const { unitId } = camera;
      const since = this.idleSince.get(streamId) ?? now;
      this.idleSince.set(streamId, since);
      if (now - since < this.opts.idleStopSeconds * 1000 || this.stopping.has(streamId)) continue;
      if (!this.opts.commands.isConnected(unitId)) continue;
      this.stopping.add(streamId);
      this.opts.log.info({ unitId, channel: camera.channel, streamId }, 'nobody watches: stopping the unit’s camera');
      this.opts.commands
        .sendCommand(unitId, { id: randomUUID(), type: 'stream.stop', ...channelField(camera.channel), ts: Date.now() })
        .catch((err: unknown) => this.opts.log.warn({ err, unitId }, 'stream.stop not sent'));
    }
    for (const id of this.idleSince.keys()) if (!this.opts.router.producers.has(id)) this.idleSince.delete(id);
    // a stopped stream may start again later, and must then be stoppable again
    for (const id of this.stopping) if (!this.opts.router.producers.has(id)) this.stopping.delete(id);
  }

  close(): void {
    clearInterval(this.timer);
    this.offAlarm();
  }
}

/** A camera channel as a command carries it: absent for channel 1, so MQTT units' commands are unchanged. */
const channelField = (channel: number): { channel?: number } => (channel === 1 ? {} : { channel });
