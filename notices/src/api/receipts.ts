// POST /api/notices/receipts/http: the HTTP SMS provider's delivery reports, outside the operator
// scope (the provider signs them with the shared secret, notices.http.receipts). The adapter checks
// the signature on the raw body (so the body is kept as it came), maps each BizId to its notice,
// and the loop writes delivered/failed into the incident's trail as SMPP receipts are. Refusals
// answer 401 HUB_ERR_SMS_RECEIPT_REFUSED and are counted at /metrics.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { ApiErrorSchema, HttpSmsReceiptAnswerSchema } from '@hub/config';
import type { ApiContext } from '@hub/telemetry';
import { ReceiptRefusedError } from '../errors';
import type { NoticeLoop } from '../loop';
import { HttpSmsSender } from '../sms/http-provider';

/** a provider batches up to a few hundred reports in one post */
const RECEIPTS_MAX_BYTES = 1024 * 1024;

export function receiptMetrics(registry: Registry) {
  return new Counter({
    name: 'hub_sms_receipts_total',
    help: 'HTTP SMS provider delivery reports, by result: recorded, unknown (no notice waits for that id), refused_signature, refused_stale, refused_off, refused_body',
    labelNames: ['result'] as const,
    registers: [registry],
  });
}

export interface ReceiptRoutesContext extends ApiContext {
  loop: NoticeLoop;
  counted: ReturnType<typeof receiptMetrics>;
}

export const receiptRoutes: FastifyPluginAsyncZod<ReceiptRoutesContext> = async (app, { loop, counted }) => {
  // the signature is over the bytes as sent: keep them, and parse after the check
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: RECEIPTS_MAX_BYTES }, (_req, body, done) => done(null, body));
  app.post(
    '/notices/receipts/http',
    {
      bodyLimit: RECEIPTS_MAX_BYTES,
      schema: {
        tags: ['notices'],
        summary: 'The HTTP SMS provider’s delivery reports (JSON array of {biz_id, success, err_code, …}), signed: x-sms-timestamp and x-sms-signature = hex HMAC-SHA256 of "{timestamp}\\n{body}"',
        body: z.string(),
        response: { 200: HttpSmsReceiptAnswerSchema, 400: ApiErrorSchema, 401: ApiErrorSchema },
      },
    },
    async (request) => {
      const sender = loop.gateway;
      try {
        if (!(sender instanceof HttpSmsSender)) throw new ReceiptRefusedError('off', 'this hub sends no texts through an HTTP provider (notices.http): it takes no receipts from one');
        const receipts = sender.readReceipts(request.body, request.headers);
        let recorded = 0;
        for (const r of receipts) if (await loop.recordReceipt(r)) recorded++;
        counted.inc({ result: 'recorded' }, recorded);
        counted.inc({ result: 'unknown' }, receipts.length - recorded);
        return { code: 0 as const, msg: 'OK', recorded, unknown: receipts.length - recorded };
      } catch (err) {
        if (err instanceof ReceiptRefusedError) {
          counted.inc({ result: `refused_${err.reason}` });
          request.log.warn({ reason: err.reason, ip: request.ip }, 'SMS receipt refused');
        }
        throw err;
      }
    },
  );
};
