// Typed events inside the telemetry plugin: ingest and the API emit, live feed and alarm rules listen.
import { EventEmitter } from 'node:events';
import type { Alarm, CommandAckMessage, DispatchAnswerMessage, Position, PositionOut, UnitStatusOut } from '@hub/config';

export type TelemetryEvents = {
  /**
   * a valid position just accepted from a unit, before its batch commits: the live feed
   * shows it at once (a resend after a failed write is a duplicate the feed ignores)
   */
  positionAccepted: [Position];
  /** positions just committed to the database (duplicates already removed) */
  positions: [Position[]];
  /** an alarm just stored, or one just acknowledged */
  alarm: [Alarm];
  /** a unit went online or offline */
  status: [UnitStatusOut];
  /**
   * positions and statuses of units connected to another hub of the cluster: for what needs
   * the whole fleet (the nearest-units index), never for alarm rules or ingest, which run on
   * the unit's own hub
   */
  clusterPositions: [PositionOut[]];
  clusterStatus: [UnitStatusOut];
  /** an alarm stored or acknowledged on another hub: for what acts on the unit's own connection (a JT/T 808 terminal's 0x8203 confirmation) */
  clusterAlarm: [Alarm];
  /** a unit answered a command on units/{id}/cmd/ack */
  commandAck: [{ unitId: string; ack: CommandAckMessage }];
  /** a unit's person accepted or refused a dispatch on units/{id}/cmd/answer */
  dispatchAnswer: [{ unitId: string; answer: DispatchAnswerMessage }];
  /** geofences were created, changed or deleted */
  geofencesChanged: [];
  /** a unit was created, changed or disabled */
  unitChanged: [string];
  /** a unit was issued a new credential: the old secret no longer works */
  credentialIssued: [string];
};

export class TelemetryBus extends EventEmitter<TelemetryEvents> {}
