// The notice loop end to end: a real hub (PostgreSQL, broker, HTTP), a real SMPP server peer,
// a real unit on MQTT for the nearest-units proposal, intake over HTTP as analytics post it.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, IncidentDetail, IntakeEventResult, KpiResponse, LinkageEvent, NoticeCase, Subject, SubjectImportReport } from '@hub/config';
import { eventually, positionPayload, withTestHub, type TestHub } from '../../test-support/test-hub';
import { startSmsc } from '../../test-support/smsc';

const smsc = await startSmsc({ receipt: 'DELIVRD' });
let t: TestHub;
const closers = withTestHub(
  {
    'notices.smpp': { host: '127.0.0.1', port: smsc.port, system_id: 'hubtest', password: 'secret1' },
    'notices.grace': {
      illegal_parking: { graceSeconds: 3, recheckSeconds: 3 },
      street_occupation: { graceSeconds: 5, recheckSeconds: 0.5 },
    },
    'notices.language': 'zh-CN',
  },
  (h) => (t = h),
);
afterAll(() => smsc.close());

let intakeToken = '';
const linkages: LinkageEvent[] = [];

const CSV = [
  'kind,id,name,phone',
  'plate,粤B12345,张三,13812341234',
  'plate,粤B 54321,李四,+86 139 0000 5678',
  'shop,SZ-0001,好运便利店,0755-83001234',
  'car,粤B00000,王五,13700000000',
  'plate,粤B11111,,13700000001',
  'plate,粤B22222,赵六,12345',
  'plate,粤B77777,钱七,13511112222',
].join('\r\n');

async function post(body: Record<string, unknown>): Promise<{ status: number; body: IntakeEventResult }> {
  const res = await fetch(`${t.http}/api/intake/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${intakeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'camera-ai', ts: new Date().toISOString(), ...body }),
  });
  return { status: res.status, body: (await res.json()) as IntakeEventResult };
}

const incident = async (id: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${id}`)).body;
const kinds = async (id: number) => (await incident(id)).timeline.map((e) => e.kind);
const escalations = async (id: number) => (await t.api<Alarm[]>('GET', '/api/alarms?kind=escalation&limit=500')).body.filter((a) => a.details.incidentId === id);

beforeAll(async () => {
  intakeToken = (await t.api<{ token: string }>('POST', '/api/intake/clients', { name: 'camera-ai' })).body.token;
  t.hub.incidents.events.on('linkage', (e) => linkages.push(e));
  // an enforcement car near the places below, online, for the nearest-units proposal
  const cred = await t.createUnit('enf-1', 'vehicle');
  const car = await mqtt.connectAsync(t.mqtt, { username: cred.username, password: cred.secret, clientId: 'enf-1', reconnectPeriod: 0 });
  closers.push(() => car.endAsync());
  await car.publishAsync('units/enf-1/gps', positionPayload('enf-1', new Date(), 22.5431, 114.0579), { qos: 1 });
});

describe('subjects', () => {
  it('imports a CSV: good rows upserted, each bad row reported with its line and reason', async () => {
    const res = await fetch(`${t.http}/api/subjects/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await t.createOperator('csvadmin', 'admin')).token}`, 'content-type': 'text/csv' },
      body: CSV,
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as SubjectImportReport;
    expect(report).toMatchObject({ rows: 7, accepted: 4 });
    expect(report.rejected.map((r) => r.line)).toEqual([5, 6, 7]);
    expect(report.rejected[0]!.reason).toMatch(/kind "car"/);
    expect(report.rejected[1]!.reason).toMatch(/name is empty/);
    expect(report.rejected[2]!.reason).toMatch(/phone/);
    const subjects = (await t.api<Subject[]>('GET', '/api/subjects')).body;
    // spaces in a plate do not matter; +86 and spaces in a phone neither
    expect(subjects.map((s) => `${s.kind}:${s.id}`).sort()).toEqual(['plate:粤B12345', 'plate:粤B54321', 'plate:粤B77777', 'shop:SZ-0001']);
    expect(subjects.find((s) => s.id === '粤B54321')!.phone).toBe('139****5678');
  });

  it('refuses a file without the documented header, and a coordinator', async () => {
    const coordinator = await t.createOperator('csvcoord', 'coordinator');
    const res = await fetch(`${t.http}/api/subjects/import`, { method: 'POST', headers: { authorization: `Bearer ${coordinator.token}`, 'content-type': 'text/csv' }, body: CSV });
    expect(res.status).toBe(403);
    const noHeader = await fetch(`${t.http}/api/subjects/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await t.createOperator('csvadmin2', 'admin')).token}`, 'content-type': 'text/csv' },
      body: 'plate,粤B1,x,13800000000',
    });
    expect(noHeader.status).toBe(400);
    expect(((await noHeader.json()) as { code: string }).code).toBe('HUB_ERR_SUBJECT_IMPORT');
  });
});

describe('notice, grace, re-check, escalation', () => {
  it('a known plate: the SMSC receives the owner’s text in the template’s words, and its receipt lands in the trail', async () => {
    const before = smsc.received.length;
    const r = await post({ type: 'illegal_parking', lat: 22.5431, lon: 114.0579, subject: { kind: 'plate', id: '粤B12345' }, cameraId: 'cam-7', description: '深南大道100号' });
    expect(r.status).toBe(201);
    const id = r.body.incidentId!;
    const text = await eventually(async () => smsc.received[before], 10_000, 'submit_sm at the SMSC');
    expect(text.destination).toBe('13812341234');
    expect(text.registeredDelivery).toBe(1);
    expect(text.text).toBe('【城市管理】张三您好，您的车辆粤B12345在深南大道100号违法停放，请于1分钟内驶离，逾期将依法处理。');
    expect(smsc.binds[0]).toEqual({ command: 'bind_transceiver', systemId: 'hubtest', password: 'secret1' });
    await eventually(async () => (await kinds(id)).includes('notice_delivered'), 10_000, 'receipt in the trail');
    const detail = await incident(id);
    expect(detail.timeline.find((e) => e.kind === 'notice_submitted')!.detail).toMatchObject({ channel: 'smpp', messageId: text.messageId });
    expect(detail.timeline.find((e) => e.kind === 'notice_delivered')!.detail).toMatchObject({ messageId: text.messageId, status: 'DELIVRD' });
    // within grace: no alarm, no linkage
    expect(detail.state).toBe('reported');
    expect(linkages.some((l) => l.incidentId === id)).toBe(false);
    expect(await escalations(id)).toEqual([]);
    // then, cleared: resolved by notice (the next test's subject)
    const cleared = await post({ type: 'illegal_parking', lat: 22.5431, lon: 114.0579, subject: { kind: 'plate', id: '粤B 12345' }, cleared: true });
    expect(cleared.body.incidentId).toBe(id);
    await eventually(async () => (await incident(id)).state === 'resolved', 10_000, 'resolved by notice');
  });

  it('cleared within grace: resolved by notice, counted as such by the KPIs, never escalated', async () => {
    const [resolved] = (await t.api<IncidentDetail[]>('GET', '/api/incidents?type=illegal_parking&state=resolved')).body;
    expect(resolved).toBeDefined();
    const detail = await incident(resolved!.id);
    expect(detail.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['noticed', 'subject_cleared', 'resolved_by_notice', 'transition']));
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const k = (await t.api<KpiResponse>('GET', `/api/kpis?from=${from}&to=${to}`)).body;
    expect(k.incidents.find((i) => i.incidentId === resolved!.id)).toMatchObject({ resolvedByNotice: true });
    expect(k.groups.reduce((n, g) => n + g.resolvedByNotice, 0)).toBe(1);
    const csv = await (await fetch(`${t.http}/api/kpis?from=${from}&to=${to}&format=csv`, { headers: { authorization: `Bearer ${(await t.createOperator('kpiv', 'viewer')).token}` } })).text();
    expect(csv.split('\r\n')[0]).toMatch(/,resolved_by_notice$/);
    // past the grace period it stays resolved: nothing escalates it
    await new Promise((r) => setTimeout(r, 3500));
    expect(await escalations(resolved!.id)).toEqual([]);
    expect((await incident(resolved!.id)).state).toBe('resolved');
  });

  it('grace ends with the plate re-detected: escalated, an alarm, and the nearest units proposed', async () => {
    const r = await post({ type: 'illegal_parking', lat: 22.5433, lon: 114.0581, subject: { kind: 'plate', id: '粤B54321' }, cameraId: 'cam-8' });
    const id = r.body.incidentId!;
    // still there a moment later: the same case, one more report
    const again = await post({ type: 'illegal_parking', lat: 22.5433, lon: 114.0581, subject: { kind: 'plate', id: '粤B54321' } });
    expect(again.body).toMatchObject({ incidentId: id, merged: true, reportCount: 2 });
    const [alarm] = await eventually(
      async () => {
        const found = await escalations(id);
        return found.length > 0 && found;
      },
      15_000,
      'escalation alarm',
    );
    expect(alarm!.details).toMatchObject({ incidentId: id, reason: 'notice_ignored', by: 'redetected' });
    const linkage = await eventually(async () => linkages.find((l) => l.incidentId === id), 10_000, 'linkage');
    expect(linkage.nearest.map((u) => u.unitId)).toContain('enf-1');
    const tl = await kinds(id);
    expect(tl.filter((k) => k === 'notice_escalated')).toHaveLength(1);
    expect((await t.api<NoticeCase>('GET', `/api/notices/cases/${id}`)).body.phase).toBe('escalated');
  });

  it('grace ends unseen: left for a re-check; the operator’s confirmation escalates', async () => {
    const r = await post({ type: 'street_occupation', lat: 22.56, lon: 114.07, subject: { kind: 'shop', id: 'SZ-0001' } });
    const id = r.body.incidentId!;
    const coordinator = await t.createOperator('confirmer', 'coordinator');
    const confirm = () => fetch(`${t.http}/api/notices/cases/${id}/confirm`, { method: 'POST', headers: { authorization: `Bearer ${coordinator.token}` } });
    const early = await confirm();
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe('HUB_ERR_NOTICE_CASE_PHASE');
    await eventually(async () => (await kinds(id)).includes('grace_ended'), 10_000, 'grace ended');
    expect(await escalations(id)).toEqual([]);
    expect((await confirm()).status).toBe(200);
    expect((await escalations(id))[0]!.details).toMatchObject({ by: 'operator', operator: 'confirmer' });
    await eventually(async () => linkages.find((l) => l.incidentId === id), 10_000, 'linkage');
  });

  it('an unknown plate: the incident opens as today, no text, said in the trail', async () => {
    const before = smsc.received.length;
    const r = await post({ type: 'illegal_parking', lat: 22.58, lon: 114.09, subject: { kind: 'plate', id: '粤Z99999' } });
    const id = r.body.incidentId!;
    await eventually(async () => linkages.find((l) => l.incidentId === id), 10_000, 'linkage at once');
    const skipped = (await incident(id)).timeline.find((e) => e.kind === 'notice_skipped');
    expect(skipped!.detail).toMatchObject({ reason: 'unknown_subject', subject: { kind: 'plate', id: '粤Z99999' } });
    expect(smsc.received.length).toBe(before);
    expect((await t.api('GET', `/api/notices/cases/${id}`)).status).toBe(404);
  });

  it('a cleared event that matches nothing opens nothing', async () => {
    const r = await post({ type: 'illegal_parking', lat: 22.7, lon: 114.2, subject: { kind: 'plate', id: '粤B77777' }, cleared: true });
    expect(r).toMatchObject({ status: 200, body: { incidentId: null, merged: false } });
  });
});

describe('phone numbers', () => {
  it('are masked in every response; the full number goes to an admin only, and the view is audited', async () => {
    const [c] = (await t.api<IncidentDetail[]>('GET', '/api/incidents?type=illegal_parking&limit=1000')).body.filter((i) => i.reportCount === 2);
    const body = JSON.stringify([await incident(c!.id), (await t.api('GET', `/api/notices/cases/${c!.id}`)).body, (await t.api('GET', '/api/subjects')).body]);
    expect(body).not.toMatch(/13900005678|13812341234/);
    expect(body).toContain('139****5678');
    const viewer = await t.createOperator('phoneviewer', 'coordinator');
    const refused = await fetch(`${t.http}/api/subjects/plate/${encodeURIComponent('粤B54321')}/contact`, { headers: { authorization: `Bearer ${viewer.token}` } });
    expect(refused.status).toBe(403);
    const admin = await t.createOperator('phoneadmin', 'admin');
    const full = await fetch(`${t.http}/api/subjects/plate/${encodeURIComponent('粤B54321')}/contact`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(await full.json()).toMatchObject({ phone: '13900005678', name: '李四' });
    const { rows } = await t.hub.db.query<{ actor: string; target: string }>(`SELECT actor, target FROM audit_log WHERE action = 'subject_phone_viewed'`);
    expect(rows).toEqual([{ actor: 'phoneadmin', target: 'subject:plate:粤B54321' }]);
  });
});
