// The body cam as a unit on the hub's MQTT broker, over WebSocket (path /mqtt on the HTTP
// port): positions on units/{id}/gps, SOS on units/{id}/alarm (QoS 1, the same wire
// shapes as the edge agent, config/src/wire.ts), commands from units/{id}/cmd.
import mqtt, { type MqttClient } from 'mqtt';
import { AlarmMessageSchema, CommandMessageSchema, PositionMessageSchema, type AlarmMessage, type Command, type PositionMessage } from '@hub/config';
import { topics } from '@hub/config';

export type LinkState = 'connecting' | 'online' | 'offline' | 'refused';

export interface UnitLinkOptions {
  unitId: string;
  secret: string;
  /** ws(s)://host:port/mqtt; default the page's origin */
  url?: string;
  onState(state: LinkState): void;
  onCommand?(cmd: Command): Promise<string> | string;
}

export function brokerUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/mqtt`;
}

export class UnitLink {
  readonly client: MqttClient;

  constructor(private readonly opts: UnitLinkOptions) {
    const { unitId, secret } = opts;
    opts.onState('connecting');
    this.client = mqtt.connect(opts.url ?? brokerUrl(), {
      username: unitId,
      password: secret,
      clientId: `${unitId}-bodycam-${Math.random().toString(36).slice(2, 8)}`,
      protocolVersion: 4,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      clean: true,
      will: { topic: topics.status(unitId), payload: JSON.stringify({ unitId, state: 'offline' }), qos: 1, retain: true },
    });
    this.client.on('connect', () => {
      opts.onState('online');
      this.client.publish(topics.status(unitId), JSON.stringify({ unitId, state: 'online', ts: Date.now() }), { qos: 1, retain: true });
      this.client.subscribe(topics.cmd(unitId), { qos: 1 });
    });
    this.client.on('error', (err: Error & { code?: number }) => {
      // CONNACK 4 (bad user name or password) or 5 (not authorized, e.g. a disabled unit)
      if (err.code === 4 || err.code === 5) {
        this.client.end(true);
        opts.onState('refused');
      }
    });
    this.client.on('offline', () => opts.onState('offline'));
    this.client.on('message', (topic, payload) => void this.#onCommand(topic, payload));
  }

  async #onCommand(topic: string, payload: Uint8Array): Promise<void> {
    if (topic !== topics.cmd(this.opts.unitId)) return;
    let cmd: Command;
    try {
      cmd = CommandMessageSchema.parse(JSON.parse(new TextDecoder().decode(payload)));
    } catch {
      return; // not a command this page understands
    }
    let ok = true;
    let message: string;
    try {
      message = (await this.opts.onCommand?.(cmd)) ?? 'ignored';
    } catch (err) {
      ok = false;
      message = (err as Error).message;
    }
    this.client.publish(topics.cmdAck(this.opts.unitId), JSON.stringify({ id: cmd.id, ok, message, ts: Date.now() }), { qos: 1 });
  }

  #publish(topic: string, msg: unknown): Promise<void> {
    return new Promise((resolve, reject) => this.client.publish(topic, JSON.stringify(msg), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
  }

  /** Sends a position; resolves on the broker's PUBACK (the hub has stored it). */
  sendPosition(pos: GeolocationPosition): Promise<void> {
    const c = pos.coords;
    const msg: PositionMessage = {
      unitId: this.opts.unitId,
      ts: Math.round(pos.timestamp),
      lat: c.latitude,
      lon: c.longitude,
      accuracy: c.accuracy,
      ...(c.speed !== null && Number.isFinite(c.speed) ? { speed: Math.min(150, Math.max(0, c.speed)) } : {}),
      ...(c.heading !== null && Number.isFinite(c.heading) ? { heading: c.heading % 360 } : {}),
      ...(c.altitude !== null && Number.isFinite(c.altitude) ? { alt: c.altitude } : {}),
    };
    PositionMessageSchema.parse(msg); // a fix the hub would refuse is not sent
    return this.#publish(topics.gps(this.opts.unitId), msg);
  }

  /** Raises an SOS (QoS 1); resolves once the hub has taken it. */
  sendSos(last?: GeolocationPosition): Promise<void> {
    const msg: AlarmMessage = {
      unitId: this.opts.unitId,
      ts: Date.now(),
      type: 'sos',
      ...(last ? { lat: last.coords.latitude, lon: last.coords.longitude } : {}),
    };
    AlarmMessageSchema.parse(msg);
    return this.#publish(topics.alarm(this.opts.unitId), msg);
  }

  close(): void {
    this.client.publish(topics.status(this.opts.unitId), JSON.stringify({ unitId: this.opts.unitId, state: 'offline', ts: Date.now() }), { qos: 1, retain: true });
    this.client.end();
  }
}
