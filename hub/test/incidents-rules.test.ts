// The rules around incidents, against a real hub: the lifecycle refuses invalid moves and
// records reopenings with their reason, the audit trail cannot be edited, roles apply, a
// unit can refuse a dispatch, an unacknowledged SOS escalates, and external systems report
// with their own tokens, their repeats merging into one incident.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UnitAgent, onDispatch } from '@hub/edge-agent';
import type { Alarm, DispatchEvent, EscalationEvent, Incident, IncidentDetail, IntakeEventResult, LinkageEvent } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
let wall: Socket;
const agents: UnitAgent[] = [];
const live = { dispatches: [] as DispatchEvent[], escalations: [] as EscalationEvent[], linkage: [] as LinkageEvent[] };

beforeAll(async () => {
  t = await startTestHub({
    'linkage.rules.sos.startStream': false,
    'linkage.rules.sos.record': false,
    'linkage.rules.sos.escalateAfterSeconds': 1,
    'linkage.intake.mergeRadiusM': 100,
    'linkage.intake.mergeWindowMinutes': 30,
    'linkage.intake.snapshotMaxBytes': 10_000,
  });
  wall = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('dispatch', (d: DispatchEvent) => live.dispatches.push(d));
  wall.on('escalation', (e: EscalationEvent) => live.escalations.push(e));
  wall.on('linkage', (l: LinkageEvent) => live.linkage.push(l));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
});

afterAll(async () => {
  wall?.close();
  await Promise.all(agents.map((a) => a.close()));
  await t?.close();
});

async function as(token: string, method: string, p: string, body?: unknown) {
  const res = await fetch(t.http + p, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('the incident lifecycle', () => {
  it('refuses an invalid move with a 409 naming the allowed ones, and records a reopening with its reason', async () => {
    const { body: inc } = await t.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.55, lon: 114.06, note: 'smoke' });
    const bad = await t.api<{ code: string; message: string; details: { allowed: string[] } }>('POST', `/api/incidents/${inc.id}/transition`, { to: 'on_scene' });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe('HUB_ERR_INCIDENT_TRANSITION');
    expect(bad.body.details.allowed).toEqual(['dispatched', 'resolved', 'closed']);
    expect(bad.body.message).toContain('dispatched, resolved, closed');

    expect((await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'resolved' })).status).toBe(200);
    const back = await t.api<{ code: string }>('POST', `/api/incidents/${inc.id}/transition`, { to: 'en_route' });
    expect(back.status).toBe(409);
    const noReason = await t.api<{ code: string; message: string }>('POST', `/api/incidents/${inc.id}/transition`, { to: 'reported' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('HUB_ERR_REASON_REQUIRED');
    expect(noReason.body.message).toContain('reason');

    const reopened = await t.api<Incident>('POST', `/api/incidents/${inc.id}/transition`, { to: 'reported', reason: 'the caller rang again' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.state).toBe('reported');
    await t.api('POST', `/api/incidents/${inc.id}/transition`, { to: 'closed' });
    const again = await t.api<Incident>('POST', `/api/incidents/${inc.id}/reopen`, { reason: 'closed by mistake' });
    expect(again.body.state).toBe('reported');

    const detail = (await t.api<IncidentDetail>('GET', `/api/incidents/${inc.id}`)).body;
    const reopenings = detail.timeline.filter((e) => e.kind === 'reopened');
    expect(reopenings.map((e) => [e.fromState, e.toState, e.detail.reason, e.actor])).toEqual([
      ['resolved', 'reported', 'the caller rang again', 'admin'],
      ['closed', 'reported', 'closed by mistake', 'admin'],
    ]);
    const audit = (await t.api<{ action: string; target: string; detail: { reason?: string } }[]>('GET', '/api/audit?limit=200')).body;
    expect(
      audit
        .filter((a) => a.action === 'incident_reopened' && a.target === `incident:${inc.id}`)
        .map((a) => a.detail.reason)
        .sort(),
    ).toEqual(['closed by mistake', 'the caller rang again']);
  });

  it('lets coordinators move incidents and viewers only look', async () => {
    const viewer = await t.createOperator('vera', 'viewer');
    const coord = await t.createOperator('cora', 'coordinator');
    const created = await as(coord.token, 'POST', '/api/incidents', { type: 'hotline', lat: 22.56, lon: 114.07 });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('cora');
    expect((await as(viewer.token, 'GET', `/api/incidents/${created.body.id}`)).status).toBe(200);
    const refused = await as(viewer.token, 'POST', `/api/incidents/${created.body.id}/transition`, { to: 'resolved' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('HUB_ERR_FORBIDDEN');
    expect((await as(coord.token, 'POST', `/api/incidents/${created.body.id}/transition`, { to: 'resolved' })).status).toBe(200);
    const detail = (await t.api<IncidentDetail>('GET', `/api/incidents/${created.body.id}`)).body;
    expect(detail.timeline.at(-1)).toMatchObject({ toState: 'resolved', actor: 'cora' });
  });

  it('keeps the audit trail as written: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const { body: inc } = await t.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.57, lon: 114.08 });
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      const before = (await client.query('SELECT * FROM incident_events WHERE incident_id = $1', [inc.id])).rows;
      expect(before).toHaveLength(1);
      await expect(client.query(`UPDATE incident_events SET actor = 'someone else' WHERE incident_id = $1`, [inc.id])).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM incident_events WHERE incident_id = $1`, [inc.id])).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE incident_events CASCADE`)).rejects.toThrow(/append-only/);
      const after = (await client.query('SELECT * FROM incident_events WHERE incident_id = $1', [inc.id])).rows;
      expect(after).toEqual(before);
    } finally {
      await client.end();
    }
  });
});

describe('dispatch and escalation', () => {
  it('records a unit’s refusal of a dispatch', async () => {
    const { secret } = await t.createUnit('r-1', 'vehicle');
    const agent = await UnitAgent.start({ unitId: 'r-1', secret, broker: t.mqtt, reconnectMs: 100 });
    agents.push(agent);
    await eventually(async () => agent.connected, 10_000, 'r-1 connected');
    onDispatch(agent, () => ({ accepted: false, reason: 'flat tyre' }));
    const { body: inc } = await t.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.58, lon: 114.09 });
    await t.api('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: ['r-1'] });
    await eventually(async () => live.dispatches.some((d) => d.incidentId === inc.id && d.state === 'refused'), 10_000, 'refusal');
    const detail = (await t.api<IncidentDetail>('GET', `/api/incidents/${inc.id}`)).body;
    expect(detail.state).toBe('dispatched');
    expect(detail.units[0]).toMatchObject({ unitId: 'r-1', state: 'refused', message: 'flat tyre' });
    expect(detail.timeline.some((e) => e.kind === 'unit_refused' && e.actor === 'unit:r-1')).toBe(true);
    const audit = (await t.api<{ action: string; target: string }[]>('GET', '/api/audit?limit=200')).body;
    expect(audit.some((a) => a.action === 'dispatch' && a.target === 'unit:r-1')).toBe(true);
    expect(audit.some((a) => a.action === 'dispatch_refused' && a.target === `incident:${inc.id}`)).toBe(true);

    const unknown = await t.api<{ code: string }>('POST', `/api/incidents/${inc.id}/dispatch`, { unitIds: ['nobody'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('HUB_ERR_UNIT_NOT_FOUND');
  });

  it('escalates an SOS nobody acknowledged within the configured time', async () => {
    const { secret } = await t.createUnit('cam-esc', 'bodycam');
    const agent = await UnitAgent.start({ unitId: 'cam-esc', secret, broker: t.mqtt, reconnectMs: 100 });
    agents.push(agent);
    await eventually(async () => agent.connected, 10_000, 'cam-esc connected');
    await agent.report({ ts: Date.now(), lat: 22.59, lon: 114.1, speed: 0, accuracy: 5 });
    await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'cam-esc'), 10_000, 'position');
    await agent.sos();
    const inc = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'cam-esc'), 10_000, 'incident');
    const esc = await eventually(async () => live.escalations.find((e) => e.incidentId === inc.id), 10_000, 'escalation event');
    expect(esc).toMatchObject({ alarmId: inc.alarmId, afterSeconds: 1 });
    const alarms = (await t.api<Alarm[]>('GET', '/api/alarms?kind=escalation')).body;
    expect(alarms.find((a) => a.details.incidentId === inc.id)).toMatchObject({ unitId: 'cam-esc', kind: 'escalation' });
    const detail = (await t.api<IncidentDetail>('GET', `/api/incidents/${inc.id}`)).body;
    expect(detail.timeline.some((e) => e.kind === 'escalated' && e.actor === 'linkage')).toBe(true);
    const audit = (await t.api<{ action: string; target: string }[]>('GET', '/api/audit?limit=200')).body;
    expect(audit.some((a) => a.action === 'incident_escalated' && a.target === `incident:${inc.id}`)).toBe(true);

    // a second SOS while the incident is open joins it
    await agent.sos('again');
    const merged = await eventually(
      async () => {
        const i = (await t.api<Incident>('GET', `/api/incidents/${inc.id}`)).body;
        return i.reportCount === 2 && i;
      },
      10_000,
      'second SOS merged',
    );
    expect(merged.state).toBe('reported');
    expect((await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.filter((i) => i.unitId === 'cam-esc')).toHaveLength(1);
  });
});

describe('external intake', () => {
  let token: string;
  const event = (over: Record<string, unknown> = {}) => ({
    source: 'camera-ai',
    type: 'illegal_parking',
    lat: 22.6,
    lon: 114.0,
    ts: new Date().toISOString(),
    description: 'car on the pavement',
    ...over,
  });
  const post = (body: unknown, auth?: string) =>
    fetch(`${t.http}/api/intake/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as IntakeEventResult & { code: string; message: string } }));

  it('creates an intake client whose token is shown once; only admins may', async () => {
    const res = await t.api<{ id: number; name: string; token: string }>('POST', '/api/intake/clients', { name: 'camera-ai' });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^itk_/);
    token = res.body.token;
    const list = (await t.api<Record<string, unknown>[]>('GET', '/api/intake/clients')).body;
    expect(list.find((c) => c.name === 'camera-ai')).not.toHaveProperty('token');
    const coord = await t.createOperator('cody', 'coordinator');
    expect((await as(coord.token, 'POST', '/api/intake/clients', { name: 'x' })).status).toBe(403);
    const stored = await t.hub.db.query('SELECT token_hash FROM intake_clients WHERE id = $1', [res.body.id]);
    expect(stored.rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it('refuses an event without a valid intake token (401), operator tokens included', async () => {
    for (const auth of [undefined, 'itk_not-a-token', ADMIN_TOKEN]) {
      const res = await post(event(), auth);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('HUB_ERR_INTAKE_AUTH');
    }
    expect((await t.api<Incident[]>('GET', '/api/incidents')).body.some((i) => i.source === 'external')).toBe(false);
  });

  it('answers a malformed event with a 400 naming the field', async () => {
    const res = await post(event({ lat: 'north' }), token);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('HUB_ERR_VALIDATION');
    expect(res.body.message).toContain('body.lat');
    const noType = await post(event({ type: undefined }), token);
    expect(noType.status).toBe(400);
    expect(noType.body.message).toContain('body.type');
    const notJpeg = await post(event({ snapshot: Buffer.from('GIF89a....').toString('base64') }), token);
    expect(notJpeg.status).toBe(400);
    expect(notJpeg.body.message).toContain('body.snapshot');
    const tooBig = await post(event({ snapshot: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(20_000)]).toString('base64') }), token);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.message).toContain('at most 10000');
  });

  it('merges two reports of the same type and place within the window into one incident', async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a tiny stand-in for a JPEG body'), Buffer.from([0xff, 0xd9])]);
    const first = await post(event({ snapshot: jpeg.toString('base64') }), token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ merged: false, reportCount: 1 });
    expect(first.body.snapshotSha256).toBe(createHash('sha256').update(jpeg).digest('hex'));
    const file = path.join(t.hub.config.dataDir, 'intake', first.body.snapshotSha256!.slice(0, 2), `${first.body.snapshotSha256}.jpg`);
    expect(existsSync(file) && readFileSync(file).equals(jpeg)).toBe(true);

    const second = await post(event({ lat: 22.6003, ts: new Date(Date.now() + 1000).toISOString() }), token); // ≈ 33 m away
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ incidentId: first.body.incidentId, merged: true, reportCount: 2 });

    const otherType = await post(event({ type: 'street_encroachment' }), token);
    expect(otherType.body.incidentId).not.toBe(first.body.incidentId);
    const farAway = await post(event({ lat: 22.61 }), token); // ≈ 1.1 km
    expect(farAway.body.incidentId).not.toBe(first.body.incidentId);
    const byId1 = await post(event({ type: 'hotline', lat: 22.7, externalId: 'call-42' }), token);
    const byId2 = await post(event({ type: 'hotline', lat: 22.75, externalId: 'call-42' }), token); // same call, moved
    expect(byId2.body).toMatchObject({ incidentId: byId1.body.incidentId, merged: true, reportCount: 2 });

    const incident = (await t.api<IncidentDetail>('GET', `/api/incidents/${first.body.incidentId}`)).body;
    expect(incident).toMatchObject({ source: 'external', type: 'illegal_parking', reportCount: 2, externalSource: 'camera-ai', createdBy: 'intake:camera-ai' });
    expect(incident.timeline.map((e) => e.kind)).toEqual(['created', 'merged']);
    // the evidence pack carries the reports and the snapshot, hashed
    const tar = Buffer.from(await (await fetch(`${t.http}/api/incidents/${first.body.incidentId}/evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).arrayBuffer());
    const snapName = `incident-${first.body.incidentId}/snapshots/${first.body.snapshotSha256}.jpg`;
    const at = tar.indexOf(Buffer.from(snapName));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(tar.subarray(at + 512, at + 512 + jpeg.length).equals(jpeg)).toBe(true);
    expect(tar.toString('latin1')).toContain(`${first.body.snapshotSha256}  snapshots/${first.body.snapshotSha256}.jpg`);
    expect(tar.toString('latin1')).toContain('"description": "car on the pavement"');
    // linkage for an external type: the wall hears of it (no units near: nobody proposed)
    await eventually(async () => live.linkage.find((l) => l.incidentId === first.body.incidentId), 10_000, 'linkage for the external incident');
  });
});
