// Departments (issue 16, second step): the city's units and cooperating agencies; a case routed to
// one by type and district when it opens, transferred with a reason, with a deadline per type and
// one overdue escalation; their assessment; the 12319 hotline; verification by a scene photo.
import type { HubConfig } from '@hub/config';
import type { IncidentService } from '@hub/incidents';
import type { ApiRoutes } from '@hub/telemetry';
import { departmentRoutes, evidenceUploadRoutes } from './api/routes';
import type { DepartmentDesk } from './desk';
import type { CloseOverrides } from './verification';

export { DepartmentDesk, type DepartmentDeskOptions, type OverdueAlarm } from './desk';
export { assessment, assessmentCsv } from './assessment';
export { takeComplaint, HOTLINE_SOURCE, HotlinePhoneError } from './hotline';
export { listEvidence, storeEvidence, verificationCheck, evidencePart, CloseOverrides, type CloseOverride } from './verification';
export { departmentFor, listDepartments } from './store';
export { departmentMigrations } from './migrations';
export { departmentsPlugin, type DepartmentsPluginOptions } from './plugin';
export * from './errors';

interface Deps {
  desk: DepartmentDesk;
  overrides: CloseOverrides;
  incidents: IncidentService;
  config: HubConfig;
}

/** The departments' routes in telemetry's operator scope. */
export function departmentApiRoutes({ desk, overrides, incidents, config }: Deps): ApiRoutes[] {
  return [
    async (api, { db, bus }) => {
      await api.register(departmentRoutes, { db, bus, desk, overrides, incidents, settings: config.departments, dataDir: config.dataDir });
    },
  ];
}

/** The unit's evidence upload, which checks the unit's own credential (not an operator's). */
export function evidenceApiRoutes({ desk, overrides, incidents, config }: Deps): ApiRoutes[] {
  return [
    async (api, { db, bus }) => {
      await api.register(evidenceUploadRoutes, { db, bus, desk, overrides, incidents, settings: config.departments, dataDir: config.dataDir });
    },
  ];
}
