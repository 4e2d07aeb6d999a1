// The HTTP provider adapter against a real local Fastify server standing in for the provider.
import Fastify from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpSmsSender, SmsSendError } from '@hub/notices';

const seen: { auth: string | undefined; body: Record<string, string> }[] = [];
const provider = Fastify();
provider.post('/send', async (req) => {
  const body = req.body as Record<string, string>;
  seen.push({ auth: req.headers.authorization, body });
  return body.PhoneNumbers === '13800000000' ? { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'invalid number' } : { Code: 'OK', BizId: `biz-${seen.length}`, Message: 'OK' };
});
let url = '';
beforeAll(async () => {
  url = `${await provider.listen({ port: 0, host: '127.0.0.1' })}/send`;
});
afterAll(() => provider.close());

const sender = () => new HttpSmsSender({ url, apiKey: 'k-123', signName: '城市管理', templateIds: { illegal_parking: 'SMS_001' }, timeoutSeconds: 5 });

it('sends the template id and its parameters as JSON, and keeps the provider’s id', async () => {
  const out = await sender().send({ to: '13812341234', text: 'ignored by the provider', type: 'illegal_parking', params: { subject: '粤B12345', minutes: '10' } });
  expect(out.messageId).toBe('biz-1');
  expect(seen[0]).toEqual({
    auth: 'Bearer k-123',
    body: { PhoneNumbers: '13812341234', SignName: '城市管理', TemplateCode: 'SMS_001', TemplateParam: JSON.stringify({ subject: '粤B12345', minutes: '10' }) },
  });
});

it('a refusal, a type without a template and an unreachable provider are errors with codes', async () => {
  await expect(sender().send({ to: '13800000000', text: '', type: 'illegal_parking', params: {} })).rejects.toMatchObject({
    code: 'HUB_ERR_SMS_PROVIDER_REFUSED',
    message: expect.stringContaining('isv.MOBILE_NUMBER_ILLEGAL'),
  });
  await expect(sender().send({ to: '13812341234', text: '', type: 'street_occupation', params: {} })).rejects.toBeInstanceOf(SmsSendError);
  const gone = new HttpSmsSender({ url: 'http://127.0.0.1:1/send', apiKey: 'k', signName: 's', templateIds: { illegal_parking: 'x' }, timeoutSeconds: 5 });
  await expect(gone.send({ to: '13812341234', text: '', type: 'illegal_parking', params: {} })).rejects.toMatchObject({ code: 'HUB_ERR_SMS_PROVIDER_UNREACHABLE' });
});
