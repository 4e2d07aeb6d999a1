// Cameras on demand: a wall asks for a unit's camera, the hub tells the unit to publish
// (stream.start on its command topic) and answers once the stream is live; a stream that
// nobody has watched for `idleStopSeconds` is stopped (stream.stop), so a vehicle on a
// metered link streams only while someone watches. An SOS starts the unit's stream at
// once and keeps it until the SOS is acknowledged. A unit may have several cameras (a JT/T 808
// terminal's logical channels): each channel is a stream of its own, started and stopped alone;
// an SOS starts and pins channel 1. In a cluster the camera may go live on another hub (its
// publisher lands where the load balancer sends it): start() answers once it is live on any
// hub, and the idle stop and the SOS pin act on the hub that hosts the producer.
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
  /** the other hubs of a cluster (hub/src/cluster/streams.ts); default none: this hub alone */
  cluster?: OtherHubs;
}

/** What the other hubs of a cluster hold: a stream's producer, a unit's connection. */
export interface OtherHubs {
  hostedElsewhere(streamId: string): Promise<boolean>;
  unitConnected(unitId: string): Promise<boolean>;
}

/** how often a camera being started is looked for on the other hubs (every Nth local look, 50 ms apart) */
const LOOK_ELSEWHERE_EVERY = 4;

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
    // an SOS raised on another hub (`clusterAlarm`) pins the stream here too, as this hub may
    // host its producer; that hub starts the camera, so it is not started twice
    const pin = (a: Alarm) => {
      if (a.kind !== 'sos') return false;
      if (a.acknowledgedAt) this.pinned.delete(a.unitId);
      else this.pinned.add(a.unitId);
      return !a.acknowledgedAt;
    };
    const onAlarm = (a: Alarm) => {
      if (!pin(a)) return;
      this.start(a.unitId).catch((err: unknown) => opts.log.warn({ err, unitId: a.unitId }, 'SOS: the unit’s camera did not start'));
    };
    const onClusterAlarm = (a: Alarm) => void pin(a);
    opts.telemetry.bus.on('alarm', onAlarm);
    opts.telemetry.bus.on('clusterAlarm', onClusterAlarm);
    this.offAlarm = () => {
      opts.telemetry.bus.off('alarm', onAlarm);
      opts.telemetry.bus.off('clusterAlarm', onClusterAlarm);
    };
  }

  /** Resolves with the stream id of the unit's camera `channel` (default 1) when it is live: at once if it is, else after the unit has started it. */
  async start(unitId: string, channel = 1): Promise<{ streamId: string; state: 'live' | 'started' }> {
    const { router, commands } = this.opts;
    const streamId = await this.opts.streamIds.forUnit(unitId, channel);
    if (!streamId) throw new StreamStartError('HUB_ERR_UNIT_NOT_FOUND', 404, `unit ${unitId} does not exist`);
    if (router.producers.has(streamId) || (await this.elsewhere(streamId))) return { streamId, state: 'live' };
    if (!(await this.connected(unitId))) {
      throw new StreamStartError('HUB_ERR_UNIT_OFFLINE', 409, `unit ${unitId} is not connected, so its camera cannot be started`);
    }
    // channel 1 goes without the field: an MQTT unit's command stays as it was
    await commands.sendCommand(unitId, { id: randomUUID(), type: 'stream.start', streamId, ...channelField(channel), ts: Date.now() });
    const deadline = Date.now() + this.opts.startTimeoutSeconds * 1000;
    for (let look = 1; !router.producers.has(streamId); look++) {
      if (Date.now() > deadline) {
        throw new StreamStartError('HUB_ERR_STREAM_START_TIMEOUT', 504, `unit ${unitId} did not start its camera within ${this.opts.startTimeoutSeconds} s`);
      }
      if (look % LOOK_ELSEWHERE_EVERY === 0 && (await this.elsewhere(streamId))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { streamId, state: 'started' };
  }

  /** Live on another hub of the cluster (false alone, or while Redis is down). */
  private async elsewhere(streamId: string): Promise<boolean> {
    return (await this.opts.cluster?.hostedElsewhere(streamId).catch(() => false)) ?? false;
  }

  /** Connected here, or to another hub of the cluster. */
  private async connected(unitId: string): Promise<boolean> {
    return this.opts.commands.isConnected(unitId) || ((await this.opts.cluster?.unitConnected(unitId).catch(() => false)) ?? false);
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
      this.stopping.add(streamId);
      void this.stop(unitId, camera.channel, streamId);
    }
    for (const id of this.idleSince.keys()) if (!this.opts.router.producers.has(id)) this.idleSince.delete(id);
    // a stopped stream may start again later, and must then be stoppable again
    for (const id of this.stopping) if (!this.opts.router.producers.has(id)) this.stopping.delete(id);
  }

  /** stream.stop to the unit, wherever it is connected; a unit connected nowhere is tried again next round */
  private async stop(unitId: string, channel: number, streamId: string): Promise<void> {
    if (!(await this.connected(unitId))) {
      this.stopping.delete(streamId);
      return;
    }
    this.opts.log.info({ unitId, channel, streamId }, 'nobody watches: stopping the unit’s camera');
    await this.opts.commands
      .sendCommand(unitId, { id: randomUUID(), type: 'stream.stop', ...channelField(channel), ts: Date.now() })
      .catch((err: unknown) => this.opts.log.warn({ err, unitId }, 'stream.stop not sent'));
  }

  close(): void {
    clearInterval(this.timer);
    this.offAlarm();
  }
}

/** A camera channel as a command carries it: absent for channel 1, so MQTT units' commands are unchanged. */
const channelField = (channel: number): { channel?: number } => (channel === 1 ? {} : { channel });
