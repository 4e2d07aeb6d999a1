// The HTTP provider adapter against a real provider peer (test-support/sms-provider.ts) that checks
// each request's ACS3-HMAC-SHA256 signature on its own and posts delivery reports back, signed;
// then end to end through a real hub: the owner's text over HTTP, its receipt in the trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDetail, IntakeEventResult, NoticeCase } from '@hub/config';
import { HttpSmsSender, SmsSendError } from '@hub/notices';
import { eventually, withTestHub, type TestHub } from '../../test-support/test-hub';
import { startSmsProvider } from '../../test-support/sms-provider';

const KEY = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'the-access-key-secret' };
const RECEIPT_SECRET = 'shared-receipt-secret-0123';
const provider = await startSmsProvider({ keys: { [KEY.accessKeyId]: KEY.accessKeySecret }, receiptSecret: RECEIPT_SECRET, failPhones: ['13900009999'] });
afterAll(() => provider.close());
const url = `http://127.0.0.1:${provider.port}/?Format=json&RegionId=cn-hangzhou`;
const settings = { url, ...KEY, action: 'SendSms', version: '2017-05-25', signName: '城市管理', templateIds: { illegal_parking: 'SMS_001' }, timeoutSeconds: 5 };

describe('the adapter', () => {
  it('signs each request (ACS3-HMAC-SHA256) and sends the template id and its parameters as JSON; the provider’s BizId is kept', async () => {
    const before = provider.requests.length;
    const out = await new HttpSmsSender(settings).send({ to: '13812341234', text: 'ignored by the provider', type: 'illegal_parking', params: { subject: '粤B12345', minutes: '10' } });
    const req = provider.requests[before]!;
    expect(req.why).toBeUndefined();
    expect(req.signed).toBe(true);
    expect(out.messageId).toBe(req.bizId);
    expect(req.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI-test-key,SignedHeaders=content-type;host;x-acs-action;/);
    expect(req.headers['x-acs-action']).toBe('SendSms');
    expect(req.body).toEqual({ PhoneNumbers: '13812341234', SignName: '城市管理', TemplateCode: 'SMS_001', TemplateParam: JSON.stringify({ subject: '粤B12345', minutes: '10' }) });
  });

  it('a wrong secret is refused by the provider; a type without a template and an unreachable provider are errors with codes', async () => {
    const wrong = new HttpSmsSender({ ...settings, accessKeySecret: 'not-the-secret' });
    await expect(wrong.send({ to: '13812341234', text: '', type: 'illegal_parking', params: {} })).rejects.toMatchObject({
      code: 'HUB_ERR_SMS_PROVIDER_REFUSED',
      message: expect.stringContaining('SignatureDoesNotMatch'),
    });
    expect(provider.requests.at(-1)!.why).toBe('signature differs');
    await expect(new HttpSmsSender(settings).send({ to: '13812341234', text: '', type: 'street_occupation', params: {} })).rejects.toBeInstanceOf(SmsSendError);
    const gone = new HttpSmsSender({ ...settings, url: 'http://127.0.0.1:1/send' });
    await expect(gone.send({ to: '13812341234', text: '', type: 'illegal_parking', params: {} })).rejects.toMatchObject({ code: 'HUB_ERR_SMS_PROVIDER_UNREACHABLE' });
  });
});

describe('receipts through a hub', () => {
  let t: TestHub;
  withTestHub(
    {
      'notices.http': { ...settings, receipts: { secret: RECEIPT_SECRET, maxSkewSeconds: 60 } },
      'notices.grace': { illegal_parking: { graceSeconds: 600, recheckSeconds: 60 } },
    },
    (h) => (t = h),
  );
  let intakeToken = '';
  const incident = async (id: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${id}`)).body;
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${t.http}/api/intake/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'camera-ai', ts: new Date().toISOString(), type: 'illegal_parking', ...body }),
    });
    return ((await res.json()) as IntakeEventResult).incidentId!;
  };

  beforeAll(async () => {
    provider.callback = `${t.http}/api/notices/receipts/http`;
    intakeToken = (await t.api<{ token: string }>('POST', '/api/intake/clients', { name: 'camera-ai' })).body.token;
    const csv = 'kind,id,name,phone\r\nplate,粤B12345,张三,13812341234\r\nplate,粤B99999,孙九,13900009999\r\n';
    const res = await fetch(`${t.http}/api/subjects/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await t.createOperator('rcpt-admin', 'admin')).token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(200);
  });

  it('the provider’s signed report puts delivered, or failed with its code, into the incident’s trail', async () => {
    const delivered = await post({ lat: 22.5431, lon: 114.0579, subject: { kind: 'plate', id: '粤B12345' } });
    const failed = await post({ lat: 22.55, lon: 114.07, subject: { kind: 'plate', id: '粤B99999' } });
    const entry = async (id: number, kind: string) => eventually(async () => (await incident(id)).timeline.find((e) => e.kind === kind), 10_000, `${kind} in the trail of ${id}`);
    expect((await entry(delivered, 'notice_delivered')).detail).toMatchObject({ channel: 'http', messageId: (await entry(delivered, 'notice_submitted')).detail.messageId, status: 'DELIVERED' });
    expect((await entry(failed, 'notice_failed')).detail).toMatchObject({ channel: 'http', status: 'MOBILE_NOT_ON_SERVICE', error: '停机' });
    const c = (await t.api<NoticeCase>('GET', `/api/notices/cases/${failed}`)).body;
    expect(c.notices[0]).toMatchObject({ state: 'failed', error: 'MOBILE_NOT_ON_SERVICE err:停机' });
    expect((await t.api<NoticeCase>('GET', `/api/notices/cases/${delivered}`)).body.notices[0]!.state).toBe('delivered');
    await eventually(async () => provider.receipts.length >= 2, 10_000, 'the hub’s answers');
    expect(provider.receipts.slice(-2).map((r) => r.status)).toEqual([200, 200]);
    // the same report again: nothing changes, said as unknown
    const again = await provider.report([{ biz_id: (await entry(delivered, 'notice_submitted')).detail.messageId, success: false, err_code: 'LATE' }]);
    expect(again).toEqual({ status: 200, body: { code: 0, msg: 'OK', recorded: 0, unknown: 1 } });
    expect((await incident(delivered)).timeline.filter((e) => e.kind === 'notice_delivered' || e.kind === 'notice_failed')).toHaveLength(1);
    expect(await t.metric('hub_sms_receipts_total', 'result="recorded"')).toBe(2);
  });

  it('a report not signed with the shared secret, or signed long ago, is refused with 401 and counted; its notice untouched', async () => {
    const id = await post({ lat: 22.53, lon: 114.04, subject: { kind: 'plate', id: '粤B12345' }, description: 'a third place' });
    const submitted = await eventually(async () => (await incident(id)).timeline.find((e) => e.kind === 'notice_submitted'), 10_000, 'submitted');
    // the peer's own (true) report arrives too, before or after: the forged ones change nothing either way
    const forged = await provider.report([{ biz_id: String(submitted.detail.messageId), success: false, err_code: 'FORGED' }], 'not-the-shared-secret-at-all');
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: 'HUB_ERR_SMS_RECEIPT_REFUSED' });
    const stale = await provider.report([{ biz_id: String(submitted.detail.messageId), success: false, err_code: 'REPLAYED' }], RECEIPT_SECRET, new Date(Date.now() - 3600_000).toISOString());
    expect(stale).toMatchObject({ status: 401, body: { code: 'HUB_ERR_SMS_RECEIPT_REFUSED', message: expect.stringContaining('replay') } });
    const unsigned = await fetch(`${t.http}/api/notices/receipts/http`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(unsigned.status).toBe(401);
    expect(await t.metric('hub_sms_receipts_total', 'result="refused_signature"')).toBe(2);
    expect(await t.metric('hub_sms_receipts_total', 'result="refused_stale"')).toBe(1);
    const trail = (await incident(id)).timeline.map((e) => JSON.stringify(e.detail));
    expect(trail.some((d) => d.includes('FORGED') || d.includes('REPLAYED'))).toBe(false);
  });
});
