// An HTTP SMS provider shaped like the mainstream Chinese APIs (Alibaba Cloud SendSms, Tencent
// Cloud SendSms): the approved template's id, the signature and the parameters as JSON; the
// provider fills in its own copy of the text. Answer {Code: "OK", BizId} or {Code, Message}.
// Each request is signed with Alibaba Cloud's V3 scheme (acs3.ts). The provider's delivery
// reports come back as a signed POST (readReceipts): verified here, so the scheme stays behind
// this adapter.
import { EventEmitter } from 'node:events';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpSmsReceiptsSchema, type NoticesConfig } from '@hub/config';
import { ReceiptRefusedError, SmsSendError } from '../errors';
import { signAcs3 } from './acs3';
import type { DeliveryReceipt, SmsMessage, SmsSender, SmsSenderEvents } from './sender';

type HttpSettings = NonNullable<NoticesConfig['http']>;

/** The receipt's headers: when the provider signed it, and the signature. */
export const RECEIPT_TIMESTAMP_HEADER = 'x-sms-timestamp';
export const RECEIPT_SIGNATURE_HEADER = 'x-sms-signature';

/** The receipt's signature: hex HMAC-SHA256 of "{timestamp}\n{body}" with the shared secret (the timestamp bound in, so a replay is stale). */
export function receiptSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${body}`).digest('hex');
}

export class HttpSmsSender extends EventEmitter<SmsSenderEvents> implements SmsSender {
  readonly channel = 'http';

  constructor(private readonly settings: HttpSettings) {
    super();
  }

  async send(m: SmsMessage): Promise<{ messageId: string }> {
    const templateCode = this.settings.templateIds[m.type];
    if (!templateCode) throw new SmsSendError('HUB_ERR_SMS_TEMPLATE', `no provider template for ${m.type}: set notices.http.templateIds.${m.type}`);
    const { url, accessKeyId, accessKeySecret, action, version } = this.settings;
    const body = JSON.stringify({ PhoneNumbers: m.to, SignName: this.settings.signName, TemplateCode: templateCode, TemplateParam: JSON.stringify(m.params) });
    // host is signed; fetch sends the same value from the URL itself
    const { host: _host, ...headers } = signAcs3({ method: 'POST', url: new URL(url), body, contentType: 'application/json', action, version }, { id: accessKeyId, secret: accessKeySecret });
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.settings.timeoutSeconds * 1000) });
    } catch (err) {
      throw new SmsSendError('HUB_ERR_SMS_PROVIDER_UNREACHABLE', `the SMS provider cannot be reached: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as { Code?: string; Message?: string; BizId?: string };
    if (res.ok && answer.Code === 'OK' && answer.BizId) return { messageId: answer.BizId };
    throw new SmsSendError('HUB_ERR_SMS_PROVIDER_REFUSED', `the SMS provider refused the text (HTTP ${res.status}, ${answer.Code ?? 'no code'}: ${answer.Message ?? 'no message'})`);
  }

  /**
   * The receipts in a delivery-report post, once its signature and timestamp are checked; throws
   * ReceiptRefusedError (401) for a post the provider did not sign, or a stale one.
   */
  readReceipts(rawBody: string, headers: Record<string, string | string[] | undefined>, now = Date.now()): DeliveryReceipt[] {
    const config = this.settings.receipts;
    if (!config) throw new ReceiptRefusedError('off', 'delivery receipts are not configured on this hub (notices.http.receipts.secret)');
    const timestamp = String(headers[RECEIPT_TIMESTAMP_HEADER] ?? '');
    const given = Buffer.from(String(headers[RECEIPT_SIGNATURE_HEADER] ?? ''), 'hex');
    const expected = Buffer.from(receiptSignature(config.secret, timestamp, rawBody), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ReceiptRefusedError('signature', 'the receipt’s signature does not match the shared secret');
    const at = Date.parse(timestamp);
    if (!Number.isFinite(at) || Math.abs(now - at) > config.maxSkewSeconds * 1000)
      throw new ReceiptRefusedError('stale', `the receipt was signed at "${timestamp}", more than ${config.maxSkewSeconds} s from the hub’s clock: a replay, or a clock to set right`);
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new ReceiptRefusedError('body', 'the receipt is not JSON', 400);
    }
    const parsed = HttpSmsReceiptsSchema.safeParse(json);
    if (!parsed.success) throw new ReceiptRefusedError('body', `the receipt is not a list of reports: ${parsed.error.issues[0]?.message ?? ''}`, 400);
    return parsed.data.map((r) => ({
      messageId: r.biz_id,
      delivered: r.success,
      status: r.success ? 'DELIVERED' : r.err_code || 'FAILED',
      ...(!r.success && r.err_msg ? { error: r.err_msg } : {}),
    }));
  }

  async close(): Promise<void> {}
}
