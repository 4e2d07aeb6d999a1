// Incidents: from an alarm, a report or a coordinator's hand to resolved — the append-only
// trail, dispatch and the units' answers, nearest units with ETA, escalation, KPIs, replay and
// evidence packs, and external intake.
import type { ApiRoutes } from '@hub/telemetry';
import type { HubConfig } from '@hub/config';
import type { IncidentService } from './service';
import { incidentRoutes } from './api/incidents';
import { intakeClientRoutes, intakeEventRoutes } from './api/intake';
import { nearestRoutes } from './api/nearest';

export { IncidentService, type AuditEntry, type CloseCheck, type EvidencePart, type IncidentServiceOptions, type OpenHook, type RecordingSource } from './service';
export { IncidentBus, type IncidentEvents } from './events';
export type { FiledReport, IntakeHook } from './intake';
export { appendEvent, getIncident, listIncidents, timeline, withTransaction } from './store';
export { nearestUnits, nearestUnitsSql, type EtaSettings, type NearestRequest } from './nearest';
export { UnitIndex } from './unit-index';
export { WakeTimers } from './wake-timers';
export { kpis, kpisCsv } from './kpis';
export { incidentMigrations } from './migrations';
export { incidentsPlugin, type IncidentsPluginOptions } from './plugin';
export * from './errors';

/** The incidents' routes in telemetry's operator scope: nearest units, incidents, KPIs, replay, intake clients. */
export function incidentApiRoutes(incidents: IncidentService): ApiRoutes[] {
  return [
    async (api, { db, bus }) => {
      await api.register(nearestRoutes, { db, bus, incidents });
      await api.register(incidentRoutes, { db, bus, incidents });
      await api.register(intakeClientRoutes, { db, bus, incidents });
    },
  ];
}

/** External systems' intake, which checks its own token (not an operator's). */
export function intakeApiRoutes(incidents: IncidentService, settings: { intake: HubConfig['linkage']['intake']; dataDir: string }): ApiRoutes[] {
  return [
    async (api, { db, bus }) => {
      await api.register(intakeEventRoutes, { db, bus, incidents, settings });
    },
  ];
}
