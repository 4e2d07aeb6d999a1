// The notice-and-escalation loop (issue 16): subjects and their contacts, SMS notices over SMPP
// or an HTTP provider, the grace period, the re-check, and escalation to an alarm and linkage.
import type { ApiRoutes } from '@hub/telemetry';
import { noticeRoutes } from './api/routes';
import type { NoticeLoop } from './loop';

export { NoticeLoop, type EscalationAlarm, type NoticeLoopOptions } from './loop';
export { importSubjects, listSubjects, subjectKey, TableSubjectDirectory, SUBJECT_CSV_COLUMNS, type SubjectContact, type SubjectDirectory } from './subjects';
export { maskPhone, normalizePhone } from './phone';
export { parseCsv } from './csv';
export { SmppSender, receiptOf } from './sms/smpp';
export { HttpSmsSender } from './sms/http-provider';
export type { DeliveryReceipt, SmsMessage, SmsSender, SmsSenderEvents } from './sms/sender';
export { noticeMigrations } from './migrations';
export { noticesPlugin, smsSender, type NoticesPluginOptions } from './plugin';
export * from './errors';

/** The loop's routes in telemetry's operator scope: subjects and notice cases. */
export function noticeApiRoutes(loop: NoticeLoop): ApiRoutes[] {
  return [
    async (api, { db, bus }) => {
      await api.register(noticeRoutes, { db, bus, loop });
    },
  ];
}
