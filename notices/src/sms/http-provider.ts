// An HTTP SMS provider shaped like the mainstream Chinese APIs (Alibaba Cloud SendSms, Tencent
// Cloud SendSms): the approved template's id, the signature and the parameters as JSON; the
// provider fills in its own copy of the text. Answer {Code: "OK", BizId} or {Code, Message}.
import { EventEmitter } from 'node:events';
import type { NoticesConfig } from '@hub/config';
import { SmsSendError } from '../errors';
import type { SmsMessage, SmsSender, SmsSenderEvents } from './sender';

type HttpSettings = NonNullable<NoticesConfig['http']>;

export class HttpSmsSender extends EventEmitter<SmsSenderEvents> implements SmsSender {
  readonly channel = 'http';

  constructor(private readonly settings: HttpSettings) {
    super();
  }

  async send(m: SmsMessage): Promise<{ messageId: string }> {
    const templateCode = this.settings.templateIds[m.type];
    if (!templateCode) throw new SmsSendError('HUB_ERR_SMS_TEMPLATE', `no provider template for ${m.type}: set notices.http.templateIds.${m.type}`);
    let res: Response;
    try {
      res = await fetch(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.settings.apiKey}` },
        body: JSON.stringify({ PhoneNumbers: m.to, SignName: this.settings.signName, TemplateCode: templateCode, TemplateParam: JSON.stringify(m.params) }),
        signal: AbortSignal.timeout(this.settings.timeoutSeconds * 1000),
      });
    } catch (err) {
      throw new SmsSendError('HUB_ERR_SMS_PROVIDER_UNREACHABLE', `the SMS provider cannot be reached: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as { Code?: string; Message?: string; BizId?: string };
    if (res.ok && answer.Code === 'OK' && answer.BizId) return { messageId: answer.BizId };
    throw new SmsSendError('HUB_ERR_SMS_PROVIDER_REFUSED', `the SMS provider refused the text (HTTP ${res.status}, ${answer.Code ?? 'no code'}: ${answer.Message ?? 'no message'})`);
  }

  async close(): Promise<void> {}
}
