// Routes what a unit publishes: positions to the batch writer, alarms, status and
// command acknowledgements to the bus. `handle()` resolves once the message is safe to
// acknowledge (for a position: committed); a malformed message is counted and resolves
// too, so that a device does not resend it forever (MQTT 3.1.1 has no negative PUBACK).
import type { Logger } from 'pino';
import {
  AlarmMessageSchema,
  CommandAckSchema,
  DispatchAnswerSchema,
  PositionMessageSchema,
  StatusMessageSchema,
  type DeviceAlarm,
  type Position,
  type PositionMessage,
  type UnitTopicKind,
} from '@hub/config';
import type { TelemetryBus } from '../events';
import type { TelemetryMetrics } from '../metrics';
import { parsePayload, parseValue } from './parse';
import { PositionRefusedError, type PositionWriter } from './position-writer';
import type { RejectionLog, RejectionReason } from './rejections';
import type { UnitStatusTracker } from './unit-status';

export interface UnitMessageRouterOptions {
  writer: PositionWriter;
  bus: TelemetryBus;
  status: UnitStatusTracker;
  rejections: RejectionLog;
  metrics: TelemetryMetrics;
  log: Logger;
  /** positions further ahead than this are refused, seconds */
  maxFutureSeconds: number;
  /** positions older than this (the retention window) are refused, days */
  retentionDays: number;
  /** stores a device alarm; resolves when it is durable */
  storeDeviceAlarm: (alarm: DeviceAlarm) => Promise<void>;
}

export class UnitMessageRouter {
  constructor(private readonly opts: UnitMessageRouterOptions) {}

  async handle(unitId: string, kind: UnitTopicKind, topic: string, payload: Buffer, qos: number, isWill = false): Promise<void> {
    switch (kind) {
      case 'gps':
        return this.position(unitId, topic, payload, qos);
      case 'alarm': {
        const parsed = parsePayload(AlarmMessageSchema, unitId, payload);
        if (!parsed.ok) return this.reject('alarm', unitId, topic, parsed);
        await this.opts.storeDeviceAlarm(parsed.value);
        return;
      }
      case 'status': {
        // An empty retained payload clears the retained status (MQTT-3.3.1-10): not an error.
        if (payload.length === 0) return;
        const parsed = parsePayload(StatusMessageSchema, unitId, payload);
        if (!parsed.ok) return this.reject('status', unitId, topic, parsed);
        this.opts.status.set(unitId, parsed.value.state, isWill ? 'last_will' : 'status_message', parsed.value.ts ?? new Date());
        return;
      }
      case 'cmd/ack': {
        const parsed = parsePayload(CommandAckSchema, unitId, payload);
        if (!parsed.ok) return this.reject('cmd_ack', unitId, topic, parsed);
        this.opts.bus.emit('commandAck', { unitId, ack: parsed.value });
        return;
      }
      case 'cmd/answer': {
        const parsed = parsePayload(DispatchAnswerSchema, unitId, payload);
        if (!parsed.ok) return this.reject('cmd_answer', unitId, topic, parsed);
        this.opts.bus.emit('dispatchAnswer', { unitId, answer: parsed.value });
        return;
      }
    }
  }

  private async position(unitId: string, topic: string, payload: Buffer, qos: number): Promise<void> {
    const parsed = parsePayload(PositionMessageSchema, unitId, payload);
    if (!parsed.ok) return this.reject('position', unitId, topic, parsed);
    await this.storePosition(unitId, topic, parsed.value, qos);
  }

  /**
   * A position that came another way than MQTT (the JT/T 808 gateway; `source` names it where
   * MQTT names the topic): the same checks, counting and durable write as a QoS 1 position.
   * Resolves true once committed, false when refused (counted, in the rejection log); rejects
   * when the database failed, so that the sender's answer says to send it again.
   */
  async ingestPosition(unitId: string, source: string, position: PositionMessage): Promise<boolean> {
    const parsed = parseValue(PositionMessageSchema, unitId, position);
    if (!parsed.ok) {
      this.reject('position', unitId, source, parsed);
      return false;
    }
    return this.storePosition(unitId, source, parsed.value, 1);
  }

  private async storePosition(unitId: string, topic: string, position: Position, qos: number): Promise<boolean> {
    const now = Date.now();
    const t = position.ts.getTime();
    if (t > now + this.opts.maxFutureSeconds * 1000) {
      this.reject('position', unitId, topic, {
        reason: 'ts_in_future',
        detail: `ts ${position.ts.toISOString()} is more than ${this.opts.maxFutureSeconds} s ahead of the hub's clock`,
      });
      return false;
    }
    if (t < now - this.opts.retentionDays * 86_400_000) {
      this.reject('position', unitId, topic, {
        reason: 'too_old',
        detail: `ts ${position.ts.toISOString()} is older than the ${this.opts.retentionDays}-day retention`,
      });
      return false;
    }
    this.opts.metrics.positionsReceived.inc();
    const written = this.opts.writer.write(position).then(
      () => true,
      (err: unknown) => {
        // Refused by the database for something in it: counted, and acknowledged like any other
        // malformed message so the unit stops resending it. Other failures reject: no PUBACK.
        if (!(err instanceof PositionRefusedError)) throw err;
        this.reject('position', unitId, topic, { reason: 'refused_by_database', detail: err.message });
        return false;
      },
    );
    this.opts.bus.emit('positionAccepted', position);
    // QoS 0 promises nothing, so it is not held up; QoS 1 is acknowledged after the commit.
    if (qos === 0) {
      written.catch(() => {});
      return true;
    }
    return written;
  }

  private reject(kind: string, unitId: string, topic: string, r: { reason: RejectionReason; detail: string }): void {
    const entry = this.opts.rejections.record(kind, { unitId, topic, reason: r.reason, detail: r.detail });
    this.opts.log.warn({ unitId, topic, reason: entry.reason, detail: entry.detail }, `${kind} message refused`);
  }
}
