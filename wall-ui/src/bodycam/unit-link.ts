// The body cam as a unit on the hub's MQTT broker, over WebSocket (path /mqtt on the HTTP
// port): positions on units/{id}/gps, SOS on units/{id}/alarm (QoS 1, the same wire
// shapes as the edge agent, config/src/wire.ts), commands from units/{id}/cmd, acknowledged on
// cmd/ack (received: for a dispatch, "delivered"), and the wearer's answer to a dispatch on
// cmd/answer.
import mqtt, { type MqttClient } from 'mqtt';
import {
  AlarmMessageSchema,
  CommandMessageSchema,
  DispatchAnswerSchema,
  PositionMessageSchema,
  type AlarmMessage,
  type Command,
  type CommandAck,
  type CommandAckCode,
  type DispatchAnswer,
  type PositionMessage,
} from '@hub/config';
import { topics } from '@hub/config';

export type LinkState = 'connecting' | 'online' | 'offline' | 'refused';

/** Thrown by `onCommand` for a command this page does not take: the ack says ok: false, unsupported_command. */
export class UnsupportedCommand extends Error {}

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
    let raw: { id?: unknown; type?: unknown } | null;
    try {
      raw = JSON.parse(new TextDecoder().decode(payload)) as typeof raw;
    } catch {
      return; // not JSON: no id to answer
    }
    const id = typeof raw?.id === 'string' && raw.id.length >= 1 && raw.id.length <= 64 ? raw.id : undefined;
    const parsed = CommandMessageSchema.safeParse(raw);
    if (!parsed.success) {
      // never "ok" for what this page did not do (issue 12 §1): a newer hub's command, or a malformed one
      const known = CommandMessageSchema.options.some((o) => o.shape.type.value === raw?.type);
      if (id) this.#ack({ id, ok: false, code: known ? 'invalid_command' : 'unsupported_command', message: `${known ? 'invalid' : 'unknown'} command ${JSON.stringify(raw?.type)}` });
      return;
    }
    const cmd = parsed.data;
    try {
      if (!this.opts.onCommand) throw new UnsupportedCommand(`this page does not handle ${cmd.type} commands`);
      this.#ack({ id: cmd.id, ok: true, message: await this.opts.onCommand(cmd) });
    } catch (err) {
      const code: CommandAckCode = err instanceof UnsupportedCommand ? 'unsupported_command' : 'failed';
      this.#ack({ id: cmd.id, ok: false, code, message: (err as Error).message });
    }
  }

  #ack(ack: CommandAck): void {
    this.client.publish(topics.cmdAck(this.opts.unitId), JSON.stringify({ ...ack, message: ack.message?.slice(0, 500), ts: Date.now() }), { qos: 1 });
  }

  /** The wearer's answer to a dispatch (QoS 1); resolves once the hub has it. */
  answerDispatch(commandId: string, accepted: boolean, reason?: string): Promise<void> {
    const msg: DispatchAnswer = { id: commandId, accepted, ts: Date.now(), ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    DispatchAnswerSchema.parse(msg);
    return this.#publish(topics.cmdAnswer(this.opts.unitId), msg);
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
