// Departments against a real hub (PostgreSQL, the broker, HTTP): CRUD with audit, routing by type
// and district when a case opens, transfer with a reason, the deadline's one escalation with two
// desks awake on the database, verification's scene photo (uploaded by the unit sent, over real
// MQTT dispatch and answer), the hotline, and the assessment's figures against the trail.
import mqtt, { type MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { topics, type Alarm, type AssessmentResponse, type Department, type DepartmentCase, type EvidencePhoto, type Incident, type IncidentDetail } from '@hub/config';
import { DepartmentDesk } from '@hub/departments';
import { eventually, positionPayload, withTestHub, type TestHub } from '../../test-support/test-hub';
import { untar } from '../../test-support/untar';

let t: TestHub;
const closers = withTestHub({ 'departments.deadlines': { street_occupation: 2, illegal_parking: 3600, hotline: 3600 } }, (h) => (t = h));

const CENTRE = { lat: 22.54, lon: 114.05 }; // "Centre district (illustrative)" of the sample basemap
const EAST = { lat: 22.54, lon: 114.07 };
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a photo from the scene'), Buffer.from([0xff, 0xd9])]);

const detail = async (id: number) => (await t.api<IncidentDetail>('GET', `/api/incidents/${id}`)).body;
const kinds = async (id: number) => (await detail(id)).timeline.map((e) => e.kind);
const open = async (type: string, at: { lat: number; lon: number }) => (await t.api<Incident>('POST', '/api/incidents', { type, ...at })).body;
const overdueAlarms = async (id: number) => (await t.api<Alarm[]>('GET', '/api/alarms?kind=escalation&limit=500')).body.filter((a) => a.details.incidentId === id && a.details.reason === 'overdue');

const depts: Record<string, Department> = {};
async function addDepartment(key: string, body: Record<string, unknown>) {
  const res = await t.api<Department>('POST', '/api/departments', body);
  expect(res.status).toBe(201);
  depts[key] = res.body;
}

beforeAll(async () => {
  await addDepartment('centre', {
    name: 'Centre enforcement team',
    districts: ['Centre district (illustrative)'],
    caseTypes: ['illegal_parking', 'street_occupation'],
    quota: { month: { inTimeRate: 0.9, maxOverdue: 0 }, day: { inTimeRate: 0.5 } },
  });
  await addDepartment('city', { name: 'City enforcement brigade', caseTypes: ['illegal_parking', 'street_occupation'] });
  await addDepartment('env', { name: 'Environmental protection bureau', kind: 'agency', caseTypes: ['hotline:noise'] });
  await addDepartment('market', { name: 'Market supervision bureau', kind: 'agency', caseTypes: ['hotline'] });
});

describe('departments', () => {
  it('are kept by an admin, audited; names are unique; one with cases is not deleted', async () => {
    expect((await t.api<Department[]>('GET', '/api/departments')).body.map((d) => d.name)).toEqual([
      'Centre enforcement team',
      'City enforcement brigade',
      'Environmental protection bureau',
      'Market supervision bureau',
    ]);
    const dup = await t.api<{ code: string }>('POST', '/api/departments', { name: 'Centre enforcement team', caseTypes: ['x'] });
    expect(dup).toMatchObject({ status: 409, body: { code: 'HUB_ERR_DEPARTMENT_NAME_TAKEN' } });
    const coordinator = await t.createOperator('dept-coord', 'coordinator');
    const refused = await fetch(`${t.http}/api/departments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coordinator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Rogue', caseTypes: ['x'] }),
    });
    expect(refused.status).toBe(403);
    const temp = (await t.api<Department>('POST', '/api/departments', { name: 'Temporary', caseTypes: ['nothing'] })).body;
    expect((await t.api<Department>('PUT', `/api/departments/${temp.id}`, { name: 'Temporary 2', caseTypes: ['nothing'] })).body.name).toBe('Temporary 2');
    expect((await t.api('DELETE', `/api/departments/${temp.id}`)).status).toBe(200);
    const audit = (await t.api<{ action: string; target: string }[]>('GET', '/api/audit?limit=200')).body.filter((a) => a.target === `department:${temp.id}`).map((a) => a.action);
    expect(audit.sort()).toEqual(['department_changed', 'department_created', 'department_deleted']);
  });

  it('route a case by type and district when it opens, in the trail; a district’s team before the citywide one', async () => {
    const centre = await open('illegal_parking', CENTRE);
    const east = await open('illegal_parking', EAST);
    expect((await t.api<DepartmentCase>('GET', `/api/incidents/${centre.id}/department`)).body).toMatchObject({ departmentId: depts.centre!.id, routedBy: 'routing' });
    expect((await t.api<DepartmentCase>('GET', `/api/incidents/${east.id}/department`)).body).toMatchObject({ departmentId: depts.city!.id });
    const routed = (await detail(centre.id)).timeline.find((e) => e.kind === 'department_routed')!;
    expect(routed.detail).toMatchObject({ department: 'Centre enforcement team', caseType: 'illegal_parking', district: 'Centre district (illustrative)' });
    // the deadline per type, from the opening
    const c = (await t.api<DepartmentCase>('GET', `/api/incidents/${centre.id}/department`)).body;
    expect(Date.parse(c.dueAt) - Date.parse(centre.createdAt)).toBe(3600_000);
    // nobody answers for a fire: said in the trail
    const other = await open('fire', CENTRE);
    expect(await kinds(other.id)).toContain('department_unrouted');
    expect((await t.api('GET', `/api/incidents/${other.id}/department`)).body).toBeNull();
    // the centre's department is in use: not deleted
    expect((await t.api<{ code: string }>('DELETE', `/api/departments/${depts.centre!.id}`)).body.code).toBe('HUB_ERR_DEPARTMENT_IN_USE');
  });

  it('transfer a case with a reason, in the trail; without a reason it is refused', async () => {
    const i = await open('illegal_parking', EAST);
    expect((await t.api('POST', `/api/incidents/${i.id}/transfer`, { departmentId: depts.centre!.id })).status).toBe(400);
    const moved = await t.api<DepartmentCase>('POST', `/api/incidents/${i.id}/transfer`, { departmentId: depts.centre!.id, reason: 'on the district line: the centre team is closer' });
    expect(moved.body).toMatchObject({ departmentId: depts.centre!.id, routedBy: 'transfer' });
    const entry = (await detail(i.id)).timeline.find((e) => e.kind === 'department_transferred')!;
    expect(entry.detail).toMatchObject({ from: 'City enforcement brigade', department: 'Centre enforcement team', reason: 'on the district line: the centre team is closer' });
    const again = await t.api<{ code: string }>('POST', `/api/incidents/${i.id}/transfer`, { departmentId: depts.centre!.id, reason: 'again' });
    expect(again).toMatchObject({ status: 409, body: { code: 'HUB_ERR_TRANSFER' } });
  });

  it('an open case past its deadline raises one escalation to its department and the centre, with two desks awake', async () => {
    const i = await open('street_occupation', CENTRE);
    // a second hub's desk on the same database: it schedules the same deadline
    const second = await DepartmentDesk.start({
      db: t.hub.db,
      incidents: t.hub.incidents,
      settings: t.hub.config.departments,
      log: pino({ level: 'silent' }),
      raiseAlarm: async (tx, incident, details) => {
        await tx.query(`INSERT INTO alarms (unit_id, kind, ts, lat, lon, details) VALUES ('hub', 'escalation', now(), $1, $2, $3)`, [incident.lat, incident.lon, JSON.stringify(details)]);
        return () => undefined;
      },
    });
    closers.push(() => second.close());
    const [alarm] = await eventually(async () => (await overdueAlarms(i.id)).length > 0 && overdueAlarms(i.id), 15_000, 'the overdue alarm');
    expect(alarm!.details).toMatchObject({ reason: 'overdue', department: 'Centre enforcement team', to: [`department:${depts.centre!.id}`, 'centre'] });
    await new Promise((r) => setTimeout(r, 1500)); // both desks' timers have fired by now
    expect(await overdueAlarms(i.id)).toHaveLength(1);
    expect((await kinds(i.id)).filter((k) => k === 'department_overdue')).toHaveLength(1);
    expect((await t.api<DepartmentCase>('GET', `/api/incidents/${i.id}/department`)).body.overdueAt).not.toBeNull();
    await second.close();
  });
});

describe('verification and the unit sent', () => {
  let unit: MqttClient;
  let secret = '';
  let incident: Incident;
  let commandId = '';

  beforeAll(async () => {
    ({ secret } = await t.createUnit('cam-1', 'bodycam'));
    unit = await mqtt.connectAsync(t.mqtt, { username: 'cam-1', password: secret, clientId: 'cam-1', reconnectPeriod: 0 });
    closers.push(() => unit.endAsync());
    await unit.publishAsync(topics.gps('cam-1'), positionPayload('cam-1', new Date(), EAST.lat, EAST.lon), { qos: 1 });
    incident = await open('illegal_parking', CENTRE);
  });

  const upload = (id: number, token: string, body: Buffer = JPEG) =>
    fetch(`${t.http}/api/incidents/${id}/evidence`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: new Uint8Array(body) });

  it('refuses closing without a photo from the scene, with a sentence', async () => {
    const res = await t.api<{ code: string; message: string }>('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HUB_ERR_EVIDENCE_REQUIRED');
    expect(res.body.message).toMatch(/needs a photo from the scene.*Capture evidence/);
    expect((await detail(incident.id)).state).toBe('reported');
  });

  it('takes the photo only from the unit that accepted the dispatch, with its own credential', async () => {
    expect((await upload(incident.id, 'cam-1:wrong')).status).toBe(401);
    const early = await upload(incident.id, `cam-1:${secret}`);
    expect(early.status).toBe(403);
    expect(((await early.json()) as { code: string }).code).toBe('HUB_ERR_EVIDENCE_NOT_DISPATCHED');
    const sent = await t.api<{ dispatches: { commandId: string }[] }>('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: ['cam-1'] });
    commandId = sent.body.dispatches[0]!.commandId;
    await unit.publishAsync(topics.cmdAnswer('cam-1'), JSON.stringify({ ts: Date.now(), id: commandId, accepted: true }), { qos: 1 });
    await eventually(async () => (await detail(incident.id)).state === 'en_route', 10_000, 'en route');
    await unit.publishAsync(topics.gps('cam-1'), positionPayload('cam-1', new Date(), CENTRE.lat, CENTRE.lon), { qos: 1 });
    await eventually(async () => (await detail(incident.id)).state === 'on_scene', 10_000, 'on scene');
    const notJpeg = await upload(incident.id, `cam-1:${secret}`, Buffer.from('GIF89a'));
    expect(((await notJpeg.json()) as { code: string }).code).toBe('HUB_ERR_EVIDENCE_PHOTO');
    const ok = await upload(incident.id, `cam-1:${secret}`);
    expect(ok.status).toBe(201);
    const photo = (await ok.json()) as EvidencePhoto;
    expect(photo).toMatchObject({ unitId: 'cam-1', bytes: JPEG.length });
    expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.api<EvidencePhoto[]>('GET', `/api/incidents/${incident.id}/evidence/photos`)).body.map((p) => p.sha256)).toEqual([photo.sha256]);
    const bytes = await fetch(`${t.http}/api/incidents/${incident.id}/evidence/photos/${photo.sha256}`, {
      headers: { authorization: `Bearer ${(await t.createOperator('viewer-ev', 'viewer')).token}` },
    });
    expect(Buffer.from(await bytes.arrayBuffer()).equals(JPEG)).toBe(true);
    expect((await detail(incident.id)).timeline.find((e) => e.kind === 'evidence_captured')!.detail).toMatchObject({ unitId: 'cam-1', sha256: photo.sha256 });
  });

  it('closes with the photo, which the evidence pack carries with its hash', async () => {
    expect((await t.api('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' })).status).toBe(200);
    const [photo] = (await t.api<EvidencePhoto[]>('GET', `/api/incidents/${incident.id}/evidence/photos`)).body;
    const tar = Buffer.from(
      await (await fetch(`${t.http}/api/incidents/${incident.id}/evidence`, { headers: { authorization: `Bearer ${(await t.createOperator('packer', 'viewer')).token}` } })).arrayBuffer(),
    );
    expect(tar.includes(JPEG)).toBe(true);
    expect(tar.toString('latin1')).toContain(`${photo!.sha256}  evidence/${photo!.sha256}.jpg`);
    expect(tar.toString('latin1')).toContain(`incident-${incident.id}/evidence/index.json`);
  });

  it('the assessment’s figures are the trail’s times; CSV alike; the ranking puts the district team first', async () => {
    const tl = (await detail(incident.id)).timeline;
    const at = (pred: (e: (typeof tl)[number]) => boolean) => Date.parse(tl.find(pred)!.ts) / 1000;
    const created = at((e) => e.kind === 'created');
    const dispatched = at((e) => e.toState === 'dispatched');
    const onScene = at((e) => e.toState === 'on_scene');
    const resolved = at((e) => e.toState === 'resolved');
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const a = (await t.api<AssessmentResponse>('GET', `/api/departments/assessment?from=${from}&to=${to}&period=day`)).body;
    const centre = a.rows.filter((r) => r.departmentId === depts.centre!.id);
    const sum = (k: 'received' | 'resolvedInTime' | 'overdue' | 'resolvedByNotice') => centre.reduce((n, r) => n + r[k], 0);
    // centre: the two parking cases opened there, the one transferred to it, and the overdue shop
    expect(sum('received')).toBe(4);
    expect(sum('resolvedInTime')).toBe(1);
    expect(sum('overdue')).toBe(1);
    expect(sum('resolvedByNotice')).toBe(0);
    const row = centre.find((r) => r.stages.total.count === 1)!;
    // the trail's times are whole milliseconds, the database's microseconds: equal within 5 ms
    const close = (v: number | null, expected: number) => expect(v).toBeCloseTo(expected, 2);
    close(row.stages.dispatch.median, dispatched - created);
    close(row.stages.arrive.median, onScene - dispatched);
    close(row.stages.resolve.median, resolved - onScene);
    close(row.stages.total.p90, resolved - created);
    expect(row.quota.inTimeRate).toMatchObject({ target: 0.5, met: false });
    expect(row.quotaMet).toBe(false);
    expect(a.ranking[0]!.departmentId).toBe(depts.centre!.id);
    const csv = await (
      await fetch(`${t.http}/api/departments/assessment?from=${from}&to=${to}&period=day&format=csv`, { headers: { authorization: `Bearer ${(await t.createOperator('csvv', 'viewer')).token}` } })
    ).text();
    const [header, ...lines] = csv.trim().split('\r\n');
    expect(header!.split(',').slice(0, 7)).toEqual(['period', 'department', 'received', 'resolved_by_notice', 'resolved_in_time', 'overdue', 'in_time_rate']);
    expect(lines.find((l) => l.includes('Centre enforcement team'))).toContain(`,${row.received},0,1,1,`);
  });
});

describe('the 12319 hotline', () => {
  it('opens a hotline incident routed by its category; the caller’s phone masked', async () => {
    const noise = await t.api<{ incidentId: number; department: string; callerPhone: string }>('POST', '/api/hotline/complaints', {
      callerName: '王女士',
      callerPhone: '138 1234 5678',
      category: 'noise',
      description: '工地夜间施工噪音',
      ...CENTRE,
    });
    expect(noise.status).toBe(201);
    expect(noise.body).toMatchObject({ department: 'Environmental protection bureau', callerPhone: '138****5678' });
    const d = await detail(noise.body.incidentId);
    expect(d).toMatchObject({ type: 'hotline', externalSource: '12319', note: '工地夜间施工噪音' });
    expect(JSON.stringify(d)).not.toContain('13812345678');
    expect(d.timeline.find((e) => e.kind === 'hotline_complaint')!.detail).toMatchObject({ category: 'noise', callerPhone: '138****5678' });
    const other = await t.api<{ department: string }>('POST', '/api/hotline/complaints', { callerName: 'Li', callerPhone: '0755-83001234', category: 'other', description: 'a stall', ...EAST });
    expect(other.body.department).toBe('Market supervision bureau');
    const bad = await t.api<{ code: string }>('POST', '/api/hotline/complaints', { callerName: 'Li', callerPhone: '12345', category: 'other', description: 'x', ...EAST });
    expect(bad).toMatchObject({ status: 400, body: { code: 'HUB_ERR_HOTLINE_PHONE' } });
  });
});

describe('closing without the scene photo, by override', () => {
  const REASON = 'the body cam failed on scene; the officer saw the car towed';
  const pack = async (id: number) =>
    untar(Buffer.from(await (await fetch(`${t.http}/api/incidents/${id}/evidence`, { headers: { authorization: `Bearer ${(await t.createOperator(`pk-${id}`, 'viewer')).token}` } })).arrayBuffer()));

  it('an admin closes it with a reason; the trail, the evidence pack’s manifest and the assessment say so', async () => {
    const i = await open('illegal_parking', CENTRE);
    expect((await t.api<{ code: string }>('POST', `/api/incidents/${i.id}/transition`, { to: 'resolved' })).body.code).toBe('HUB_ERR_EVIDENCE_REQUIRED');
    const coordinator = await t.createOperator('ovr-coord', 'coordinator');
    const refused = await fetch(`${t.http}/api/incidents/${i.id}/close-override`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coordinator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: REASON }),
    });
    expect(refused.status).toBe(403);
    expect((await t.api('POST', `/api/incidents/${i.id}/close-override`, { reason: 'broken' })).status).toBe(400);
    expect((await detail(i.id)).state).toBe('reported');

    const res = await t.api<Incident>('POST', `/api/incidents/${i.id}/close-override`, { reason: REASON });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('resolved');
    const d = await detail(i.id);
    expect(d.timeline.find((e) => e.kind === 'evidence_overridden')).toMatchObject({ actor: 'admin', detail: { reason: REASON, to: 'resolved' } });
    // resolved by override, it closes as usual afterwards
    expect((await t.api('POST', `/api/incidents/${i.id}/transition`, { to: 'closed' })).status).toBe(200);
    const manifest = JSON.parse((await pack(i.id)).get(`incident-${i.id}/manifest.json`)!.toString('utf8')) as {
      verification?: { photos: number; closedByOverride: { by: string; reason: string }[] };
    };
    expect(manifest.verification).toMatchObject({ photos: 0, closedByOverride: [{ by: 'admin', reason: REASON, to: 'resolved' }] });
    const audit = (await t.api<{ action: string; target: string }[]>('GET', '/api/audit?limit=200')).body.filter((a) => a.target === `incident:${i.id}`).map((a) => a.action);
    expect(audit).toContain('case_closed_by_override');

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const a = (await t.api<AssessmentResponse>('GET', `/api/departments/assessment?from=${from}&to=${to}&period=month`)).body;
    const centre = a.rows.find((r) => r.departmentId === depts.centre!.id)!;
    const city = a.rows.find((r) => r.departmentId === depts.city!.id)!;
    expect(centre.closedByOverride).toBe(1);
    expect(city.closedByOverride).toBe(0);
    const csv = await (
      await fetch(`${t.http}/api/departments/assessment?from=${from}&to=${to}&period=month&format=csv`, { headers: { authorization: `Bearer ${(await t.createOperator('ovr-csv', 'viewer')).token}` } })
    ).text();
    const [header, ...lines] = csv.trim().split('\r\n');
    expect(header!.split(',').at(-1)).toBe('closed_by_override');
    expect(
      lines
        .find((l) => l.includes('Centre enforcement team'))!
        .split(',')
        .at(-1),
    ).toBe('1');
  });

  it('is refused where no photo is needed, and the case stays as it was', async () => {
    const fire = await open('fire', CENTRE);
    const res = await t.api<{ code: string }>('POST', `/api/incidents/${fire.id}/close-override`, { reason: REASON });
    expect(res).toMatchObject({ status: 409, body: { code: 'HUB_ERR_CLOSE_OVERRIDE' } });
    const d = await detail(fire.id);
    expect(d.state).toBe('reported');
    expect(d.timeline.map((e) => e.kind)).not.toContain('evidence_overridden');
  });
});

describe('transfer and overdue', () => {
  const month = async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const rows = (await t.api<AssessmentResponse>('GET', `/api/departments/assessment?from=${from}&to=${to}&period=month`)).body.rows;
    const of = (d: Department) => rows.filter((r) => r.departmentId === d.id).reduce((n, r) => ({ received: n.received + r.received, overdue: n.overdue + r.overdue }), { received: 0, overdue: 0 });
    return { centre: of(depts.centre!), city: of(depts.city!) };
  };

  it('the overdue stays charged to the department that held the case at its deadline; one transferred before it is the new one’s', async () => {
    const before = await month();
    const late = await open('street_occupation', CENTRE);
    const early = await open('street_occupation', CENTRE);
    // transferred before its deadline (2 s): the new department answers for it
    expect((await t.api('POST', `/api/incidents/${early.id}/transfer`, { departmentId: depts.city!.id, reason: 'the brigade has a team there' })).status).toBe(200);
    const [lateAlarm] = await eventually(async () => (await overdueAlarms(late.id)).length > 0 && overdueAlarms(late.id), 15_000, 'the late case’s overdue alarm');
    const [earlyAlarm] = await eventually(async () => (await overdueAlarms(early.id)).length > 0 && overdueAlarms(early.id), 15_000, 'the early case’s overdue alarm');
    expect(lateAlarm!.details).toMatchObject({ department: 'Centre enforcement team', to: [`department:${depts.centre!.id}`, 'centre'] });
    expect(earlyAlarm!.details).toMatchObject({ department: 'City enforcement brigade', to: [`department:${depts.city!.id}`, 'centre'] });
    // transferred after it went overdue: the case moves, the overdue stays where it happened
    expect((await t.api('POST', `/api/incidents/${late.id}/transfer`, { departmentId: depts.city!.id, reason: 'the centre team cannot go' })).status).toBe(200);
    expect((await t.api<DepartmentCase>('GET', `/api/incidents/${late.id}/department`)).body).toMatchObject({ departmentId: depts.city!.id, overdueDepartmentId: depts.centre!.id });
    expect((await t.api<DepartmentCase>('GET', `/api/incidents/${early.id}/department`)).body).toMatchObject({ departmentId: depts.city!.id, overdueDepartmentId: depts.city!.id });
    const after = await month();
    expect({ centre: after.centre.overdue - before.centre.overdue, city: after.city.overdue - before.city.overdue }).toEqual({ centre: 1, city: 1 });
    expect({ centre: after.centre.received - before.centre.received, city: after.city.received - before.city.received }).toEqual({ centre: 1, city: 1 });
    // still one escalation each: the transfer after the deadline raises none at the new department
    expect(await overdueAlarms(late.id)).toHaveLength(1);
    // a department an overdue is charged to stays (its assessment needs it)
    expect((await t.api<{ code: string }>('DELETE', `/api/departments/${depts.centre!.id}`)).body.code).toBe('HUB_ERR_DEPARTMENT_IN_USE');
  });
});
