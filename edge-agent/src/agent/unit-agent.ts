// One unit on the hub: positions from a GPS source through a durable queue to MQTT, SOS, status,
// and downlink commands with acknowledgements.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  AlarmMessageSchema,
  DispatchAnswerSchema,
  PositionMessageSchema,
  type DispatchAnswer,
  StatusMessageSchema,
  topics,
  type AlarmMessage,
  type Command,
  type PositionMessage,
  type StatusMessage,
} from '@hub/config';
import { AgentAuthError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { GpsFix, GpsSource } from '../gps/source';
import { Journal } from '../queue/journal';
import { MemoryQueue } from '../queue/memory-queue';
import type { OutboxQueue } from '../queue/queue';
import { Forwarder } from './forwarder';
import { CommandDesk, type CommandHandler, type CommandType } from './commands';

/** CONNACK codes that a retry with the same credential cannot cure: MQTT 3.1.1 §3.2.2.3 (4, 5), MQTT 5 §3.2.2.2 (134, 135). */
const AUTH_REFUSED = new Set([4, 5, 134, 135]);

export interface UnitAgentOptions {
  unitId: string;
  /** the unit's secret (MQTT password) */
  secret: string;
  /** mqtt://, mqtts://, ws:// or wss:// */
  broker: string;
  /** where fixes come from; default none (positions only through `report()`) */
  gps?: GpsSource;
  /** folder of the durable queue (subfolders gps/ and alarm/); default in memory (lost on exit) */
  queueDir?: string;
  /** most queued positions; beyond it the oldest are dropped and counted. Default 100000. */
  queueMax?: number;
  /** most queued alarms; default 1000 */
  alarmQueueMax?: number;
  /** QoS 1 messages awaiting PUBACK at once; default 100 */
  maxInFlight?: number;
  /** MQTT client id; default `unit-{unitId}`. Stable, so the broker keeps the session (clean false). */
  clientId?: string;
  /** wait between reconnects, ms; default 2000 */
  reconnectMs?: number;
  /** MQTT keepalive, s; default 30 (a cellular NAT forgets idle flows after a minute or two) */
  keepaliveS?: number;
  /** CONNACK wait, ms; default 15000 */
  connectTimeoutMs?: number;
  /** fdatasync queue appends; default true */
  fsync?: boolean;
  /** longest a command handler may take before the ack says it failed, ms; default 10000 */
  commandTimeoutMs?: number;
  logger?: Logger;
}

export interface UnitAgentStats {
  connected: boolean;
  /** positions and alarms waiting in the queues */
  queued: number;
  /** publishes handed to the MQTT client (resends included) */
  sent: number;
  /** PUBACKs received: durable at the hub */
  acked: number;
  /** dropped because the position queue was full */
  dropped: number;
  /** awaiting PUBACK now */
  inFlight: number;
  /** fixes that failed PositionMessageSchema and were not queued */
  invalidFixes: number;
  /** commands received (valid or not) */
  commands: number;
}

export type UnitAgentEvents = {
  /** CONNACK accepted and `online` published */
  online: [];
  /** the link dropped; positions wait in the queue */
  offline: [];
  /** a position was queued durably */
  position: [position: PositionMessage, seq: number];
  /** a PUBACK arrived for a queued position or alarm */
  acked: [kind: 'gps' | 'alarm', seq: number];
  /** a valid command arrived (after any registered handler was started) */
  command: [command: Command];
  /** a command was refused; `id` is set when the refusal could be acknowledged */
  commandRejected: [reason: string, id: string | undefined];
  /** the broker refused the credential: the agent stopped trying */
  authError: [error: AgentAuthError];
  /** a transient link problem (refused connection, timeout); the agent keeps retrying */
  linkError: [error: Error];
};

type QueuedPosition = PositionMessage & { ts: number };
type QueuedAlarm = AlarmMessage & { ts: number };

export class UnitAgent extends EventEmitter<UnitAgentEvents> {
  readonly unitId: string;
  readonly #opts: UnitAgentOptions;
  readonly #log: Logger;
  readonly #client: MqttClient;
  readonly #positions: OutboxQueue<QueuedPosition>;
  readonly #alarms: OutboxQueue<QueuedAlarm>;
  readonly #forwarder: Forwarder;
  readonly #commands: CommandDesk;
  #lastFix?: GpsFix;
  #connected = false;
  #invalidFixes = 0;
  #gpsLoop?: Promise<void>;
  #closing?: Promise<void>;
  #authError?: AgentAuthError;
  #linkErrorLogged = false;

  private constructor(opts: UnitAgentOptions, positions: OutboxQueue<QueuedPosition>, alarms: OutboxQueue<QueuedAlarm>) {
    super();
    this.unitId = opts.unitId;
    this.#opts = opts;
    this.#log = (opts.logger ?? silentLogger).child({ module: 'unit-agent', unitId: opts.unitId });
    this.#positions = positions;
    this.#alarms = alarms;
    const will: StatusMessage = { unitId: opts.unitId, state: 'offline' };
    this.#client = mqtt.connect(opts.broker, {
      clientId: opts.clientId ?? `unit-${opts.unitId}`,
      username: opts.unitId,
      password: opts.secret,
      clean: false,
      protocolVersion: 4,
      keepalive: opts.keepaliveS ?? 30,
      reconnectPeriod: opts.reconnectMs ?? 2000,
      connectTimeout: opts.connectTimeoutMs ?? 15_000,
      // refused CONNACKs other than auth (server unavailable…) are worth retrying; auth ones are stopped in #onError
      reconnectOnConnackError: true,
      resubscribe: false,
      // a will has no timestamp: it is sent whenever the link is found dead (MQTT-3.1.2-8)
      will: { topic: topics.status(opts.unitId), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    this.#forwarder = new Forwarder(
      this.#client,
      [
        { name: 'alarm', topic: topics.alarm(opts.unitId), queue: alarms },
        { name: 'gps', topic: topics.gps(opts.unitId), queue: positions },
      ],
      opts.maxInFlight ?? 100,
    );
    this.#forwarder.on('acked', (lane, seq) => this.emit('acked', lane as 'gps' | 'alarm', seq));
    this.#commands = new CommandDesk({
      unitId: opts.unitId,
      timeoutMs: opts.commandTimeoutMs ?? 10_000,
      logger: this.#log,
      sendAck: (ack) => {
        this.#client.publish(topics.cmdAck(opts.unitId), JSON.stringify(ack), { qos: 1 }, (err) => {
          if (err) this.#log.warn({ err: err.message, id: ack.id }, 'command ack not sent');
        });
      },
      onCommand: (cmd) => this.emit('command', cmd),
      onRejected: (reason, id) => this.emit('commandRejected', reason, id),
    });
    this.#client.on('connect', (connack) => this.#onConnect(connack.sessionPresent));
    this.#client.on('close', () => this.#onClose());
    this.#client.on('error', (err) => this.#onError(err));
    this.#client.on('message', (topic, payload) => {
      if (topic === topics.cmd(opts.unitId)) this.#commands.receive(payload);
    });
    if (opts.gps) this.#gpsLoop = this.#readGps(opts.gps);
  }

  /** Opens the queue (resending what an earlier run left unacknowledged) and starts connecting. */
  static async start(opts: UnitAgentOptions): Promise<UnitAgent> {
    // a full disk must not stop the agent: the queue keeps sending, and says it cannot save its progress
    const queueLog = (opts.logger ?? silentLogger).child({ module: 'queue', unitId: opts.unitId });
    const onProgressError = (err: Error) => queueLog.warn({ err: err.message }, 'queue progress not saved; retrying');
    const positions = opts.queueDir
      ? await Journal.open<QueuedPosition>({ dir: path.join(opts.queueDir, 'gps'), maxRecords: opts.queueMax, fsync: opts.fsync, onProgressError })
      : new MemoryQueue<QueuedPosition>(opts.queueMax);
    let alarms: OutboxQueue<QueuedAlarm>;
    try {
      alarms = opts.queueDir
        ? await Journal.open<QueuedAlarm>({ dir: path.join(opts.queueDir, 'alarm'), maxRecords: opts.alarmQueueMax ?? 1000, fsync: opts.fsync, onProgressError })
        : new MemoryQueue<QueuedAlarm>(opts.alarmQueueMax ?? 1000);
    } catch (err) {
      await positions.close();
      throw err;
    }
    return new UnitAgent(opts, positions, alarms);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** the broker refused the credential (the agent has stopped), else undefined */
  get authError(): AgentAuthError | undefined {
    return this.#authError;
  }

  get lastFix(): GpsFix | undefined {
    return this.#lastFix;
  }

  get stats(): UnitAgentStats {
    const p = this.#positions.stats;
    const a = this.#alarms.stats;
    return {
      connected: this.#connected,
      queued: p.queued + a.queued,
      sent: this.#forwarder.sent,
      acked: this.#forwarder.acked,
      dropped: p.dropped + a.dropped,
      inFlight: this.#forwarder.inFlight,
      invalidFixes: this.#invalidFixes,
      commands: this.#commands.received,
    };
  }

  /** Queues one fix as a position (durably) and sends it when the link allows. */
  async report(fix: GpsFix): Promise<void> {
    if (this.#closing) return;
    const msg: QueuedPosition = { unitId: this.unitId, ...fix };
    const valid = PositionMessageSchema.safeParse(msg);
    if (!valid.success) {
      this.#invalidFixes++;
      this.#log.debug({ issues: valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'fix refused');
      return;
    }
    this.#lastFix = fix;
    const before = this.#positions.stats.dropped;
    const seq = await this.#positions.append(msg);
    const dropped = this.#positions.stats.dropped - before;
    if (dropped > 0) this.#log.warn({ dropped, total: this.#positions.stats.dropped }, 'position queue full: oldest dropped');
    this.emit('position', msg, seq);
    this.#forwarder.pump();
  }

  /**
   * Raises an SOS with the last known position. It is queued durably ahead of positions and
   * resolves once on disk; delivery follows as soon as the link allows (see the `acked` event).
   */
  async sos(message?: string): Promise<number> {
    const alarm: QueuedAlarm = { unitId: this.unitId, ts: Date.now(), type: 'sos' };
    if (message) alarm.message = message.slice(0, 500);
    if (this.#lastFix) {
      alarm.lat = this.#lastFix.lat;
      alarm.lon = this.#lastFix.lon;
    }
    AlarmMessageSchema.parse(alarm);
    const seq = await this.#alarms.append(alarm);
    this.#log.warn({ seq }, 'SOS raised');
    this.#forwarder.pump();
    return seq;
  }

  /**
   * Runs `handler` for commands of `type` before acknowledging them: the ack says ok unless it
   * throws (its message goes into the ack). Without a handler, a valid command is acked ok on receipt.
   * Returns a function that removes the handler.
   */
  handleCommand<K extends CommandType>(type: K, handler: CommandHandler<K>): () => void {
    return this.#commands.handle(type, handler);
  }

  /**
   * The person's answer to a dispatch (`units/{id}/cmd/answer`, QoS 1): resolves on the hub's
   * PUBACK; while the link is down mqtt.js holds it and sends it on reconnect.
   */
  answerDispatch(commandId: string, accepted: boolean, reason?: string): Promise<void> {
    const answer: DispatchAnswer = { id: commandId, accepted, ts: Date.now(), ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    DispatchAnswerSchema.parse(answer);
    this.#log.info({ id: commandId, accepted }, accepted ? 'dispatch accepted' : 'dispatch refused');
    return this.#client.publishAsync(topics.cmdAnswer(this.unitId), JSON.stringify(answer), { qos: 1 }).then(() => undefined);
  }

  async #readGps(gps: GpsSource): Promise<void> {
    try {
      for await (const fix of gps) {
        if (this.#closing) break;
        await this.report(fix);
      }
    } catch (err) {
      if (!this.#closing) this.#log.error({ err: (err as Error).message, gps: gps.name }, 'GPS source failed');
    }
  }

  #onConnect(sessionPresent: boolean): void {
    this.#connected = true;
    this.#linkErrorLogged = false;
    this.#log.info({ sessionPresent }, 'connected');
    const online: StatusMessage = { unitId: this.unitId, state: 'online', ts: Date.now() };
    StatusMessageSchema.parse(online);
    this.#client.publish(topics.status(this.unitId), JSON.stringify(online), { qos: 1, retain: true });
    // the broker keeps our subscription in a resumed session; a new session needs it again
    if (!sessionPresent) {
      this.#client.subscribe(topics.cmd(this.unitId), { qos: 1 }, (err, granted) => {
        if (err || granted?.some((g) => g.qos === 128)) {
          this.#log.error({ err: err?.message }, `subscription to ${topics.cmd(this.unitId)} refused`);
        }
      });
    }
    this.#forwarder.setOnline(true);
    this.emit('online');
  }

  #onClose(): void {
    this.#forwarder.setOnline(false);
    if (!this.#connected) return;
    this.#connected = false;
    if (!this.#closing) this.#log.warn({ queued: this.stats.queued }, 'link lost; queueing');
    this.emit('offline');
  }

  #onError(err: Error & { code?: unknown }): void {
    const code = typeof err.code === 'number' ? err.code : undefined;
    if (code !== undefined && AUTH_REFUSED.has(code)) {
      if (this.#authError) return;
      this.#authError = new AgentAuthError(this.unitId, code);
      this.#log.error({ code }, this.#authError.message);
      // the same secret will be refused again: stop instead of hammering the broker
      this.#client.end(true);
      this.emit('authError', this.#authError);
      return;
    }
    // say it once per outage, not every reconnect period
    if (this.#linkErrorLogged) this.#log.debug({ err: err.message }, 'link error');
    else this.#log.warn({ err: err.message }, 'link error; retrying');
    this.#linkErrorLogged = true;
    this.emit('linkError', err);
  }

  /**
   * Publishes `offline` (a clean DISCONNECT suppresses the will), disconnects, and closes the
   * queues and the GPS source. Unacknowledged entries stay on disk for the next start. Safe to call twice.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#opts.gps?.close();
      await this.#gpsLoop;
      this.#forwarder.close();
      this.#commands.close();
      if (this.#client.connected) {
        const offline: StatusMessage = { unitId: this.unitId, state: 'offline', ts: Date.now() };
        await Promise.race([this.#client.publishAsync(topics.status(this.unitId), JSON.stringify(offline), { qos: 1, retain: true }).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      }
      // end(false) waits for in-flight PUBACKs; on a dead link that may never come: force after 3 s.
      // Unacknowledged entries stay in the queue either way.
      await new Promise<void>((resolve) => {
        if (!this.#client.connected) return this.#client.end(true, {}, () => resolve());
        const force = setTimeout(() => this.#client.end(true, {}, () => resolve()), 3000);
        this.#client.end(false, {}, () => {
          clearTimeout(force);
          resolve();
        });
      });
      this.#connected = false;
      await this.#positions.close();
      await this.#alarms.close();
    })();
    return this.#closing;
  }
}
