// Typed events of the incident service: the live feed and the hub's linkage listen.
import { EventEmitter } from 'node:events';
import type { DispatchEvent, EscalationEvent, Incident, LinkageEvent } from '@hub/config';

export type IncidentEvents = {
  /** an incident was created or changed (state, units, merged reports) */
  incident: [Incident];
  /** a unit's dispatch moved on */
  dispatch: [DispatchEvent];
  /** an alarm set linkage in motion (emitted by the hub's linkage) */
  linkage: [LinkageEvent];
  /** nobody acknowledged in time */
  escalation: [EscalationEvent];
};

export class IncidentBus extends EventEmitter<IncidentEvents> {}
