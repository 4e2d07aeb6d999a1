// The notice loop as a named Fastify plugin (after `incidents`, whose intake it hooks, and
// `alarms`, whose store takes its escalations), decorated as `notices`.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import { insertAlarm } from '@hub/alarms';
import { recordAudit } from '@hub/identity';
import type { Queryable } from '@hub/platform';
import { NoticeLoop } from './loop';
import { HttpSmsSender } from './sms/http-provider';
import type { SmsSender } from './sms/sender';
import { SmppSender } from './sms/smpp';
import { TableSubjectDirectory, type SubjectDirectory } from './subjects';

export interface NoticesPluginOptions {
  config: HubConfig;
  db: Queryable;
  log: Logger;
  /** who answers for a subject; default the `subjects` table (the CSV import) */
  directory?: SubjectDirectory;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the notice-and-escalation loop (the `notices` plugin) */
    notices: NoticeLoop;
  }
}

/** The configured gateway: SMPP when `notices.smpp` is set, else the HTTP provider, else none (the loop is off). */
export function smsSender(config: HubConfig['notices'], log: Logger): SmsSender | undefined {
  if (config.smpp) return new SmppSender(config.smpp, log);
  if (config.http) return new HttpSmsSender(config.http);
  return undefined;
}

export const noticesPlugin = fp<NoticesPluginOptions>(
  async (app, { config, db, log: parent, directory }) => {
    const log = parent.child({ module: 'notices' });
    const { telemetry, incidents } = app;
    const loop = await NoticeLoop.start({
      db,
      incidents,
      settings: config.notices,
      sender: smsSender(config.notices, log),
      directory: directory ?? new TableSubjectDirectory(db),
      mergeRadiusM: config.linkage.intake.mergeRadiusM,
      log,
      audit: (entry) => recordAudit(db, entry),
      // the supervisors' alarm, as for an incident nobody acknowledged: the wall shows it at once
      raiseAlarm: async (incident, details) => {
        const alarm = await insertAlarm(db, { unitId: incident.unitId ?? 'hub', kind: 'escalation', ts: new Date(), lat: incident.lat, lon: incident.lon, details });
        telemetry.bus.emit('alarm', alarm);
      },
    });
    app.decorate('notices', loop);
    app.addHook('onClose', () => loop.close());
  },
  { name: 'notices', dependencies: ['telemetry', 'alarms', 'incidents'] },
);
