// Typed events of the incident service: the live feed and the hub's linkage listen.
import { EventEmitter } from 'node:events';
import type { IncidentEvents } from '@hub/config';

export type { IncidentEvents };

export class IncidentBus extends EventEmitter<IncidentEvents> {}
