// The notice-and-escalation loop (issue 16): subjects and their contacts, SMS notices over SMPP
// or an HTTP provider, the grace period, the re-check, and escalation to an alarm and linkage.
import type { ApiRoutes } from '@hub/telemetry';
import type { Registry } from 'prom-client';
import { receiptMetrics, receiptRoutes } from './api/receipts';
import { noticeRoutes } from './api/routes';
import type { NoticeLoop } from './loop';

export { NoticeLoop, type EscalationAlarm, type NoticeLoopOptions } from './loop';
export { importSubjects, listSubjects, subjectKey, TableSubjectDirectory, SUBJECT_CSV_COLUMNS, type SubjectContact, type SubjectDirectory } from './subjects';
export { maskPhone, normalizePhone } from './phone';
export { parseCsv } from './csv';
export { SmppSender, receiptOf } from './sms/smpp';
export { HttpSmsSender, receiptSignature, RECEIPT_SIGNATURE_HEADER, RECEIPT_TIMESTAMP_HEADER } from './sms/http-provider';
export { signAcs3, canonicalRequest, ACS3_ALGORITHM } from './sms/acs3';
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

/** The HTTP provider's delivery reports, outside the operator scope (the provider signs them); counted in `registry`. */
export function noticeReceiptApiRoutes(loop: NoticeLoop, registry: Registry): ApiRoutes[] {
  const counted = receiptMetrics(registry);
  return [
    async (api, { db, bus }) => {
      await api.register(receiptRoutes, { db, bus, loop, counted });
    },
  ];
}
