// Departments as a named Fastify plugin (after `incidents`, whose opening, closing and evidence
// pack it hooks, and `alarms`, whose store takes the overdue escalations), decorated as `departments`.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import { insertAlarm } from '@hub/alarms';
import type { Queryable } from '@hub/platform';
import { DepartmentDesk } from './desk';
import { CloseOverrides, evidencePart, verificationCheck } from './verification';

export interface DepartmentsPluginOptions {
  config: HubConfig;
  db: Queryable;
  log: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** routing, transfers and deadlines of the departments' cases (the `departments` plugin) */
    departments: DepartmentDesk;
    /** an admin's close of a case without its scene photo, applied in the close's transaction */
    closeOverrides: CloseOverrides;
  }
}

export const departmentsPlugin = fp<DepartmentsPluginOptions>(
  async (app, { config, db, log }) => {
    const { telemetry, incidents } = app;
    const desk = await DepartmentDesk.start({
      db,
      incidents,
      settings: config.departments,
      log: log.child({ module: 'departments' }),
      // the overdue case's alarm, written with its claim; the wall hears of it after the commit
      raiseAlarm: async (tx, incident, details) => {
        const alarm = await insertAlarm(tx, { unitId: incident.unitId ?? 'hub', kind: 'escalation', ts: new Date(), lat: incident.lat, lon: incident.lon, details });
        return () => telemetry.bus.emit('alarm', alarm);
      },
    });
    const overrides = new CloseOverrides();
    const check = verificationCheck(config.departments, overrides);
    const part = evidencePart(db);
    incidents.closeChecks.add(check);
    incidents.evidenceParts.add(part);
    app.decorate('departments', desk);
    app.decorate('closeOverrides', overrides);
    app.addHook('onClose', async () => {
      incidents.closeChecks.delete(check);
      incidents.evidenceParts.delete(part);
      await desk.close();
    });
  },
  { name: 'departments', dependencies: ['telemetry', 'alarms', 'incidents'] },
);
