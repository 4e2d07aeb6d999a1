// Administration without curl, as the wall's admin pages use it: units created, edited,
// disabled and given a credential by an admin (each step in the audit log, the secret shown
// once and never again), a unit's stream id for an encoder while the unit is offline, and
// every such route refused to a coordinator.
import { describe, expect, test } from 'vitest';
import mqtt from 'mqtt';
import type { AuditEntry, Unit, UnitCredential, UnitStream } from '@hub/config';
import { withTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;
withTestHub({}, (h) => (th = h));

async function call<T = unknown>(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(th.http + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text, headers: res.headers };
}

const auditOf = async (token: string, query: string) => (await call<AuditEntry[]>('GET', `/api/audit?${query}`, token)).body;

/** Whether the broker takes a CONNECT with this secret (CONNACK 0). */
function mqttAccepts(unitId: string, secret: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = mqtt.connect(th.mqtt, { username: unitId, password: secret, reconnectPeriod: 0, connectTimeout: 10_000 });
    c.once('connect', () => {
      c.end(true);
      resolve(true);
    });
    c.once('error', () => {
      c.end(true);
      resolve(false);
    });
  });
}

describe('units administration', () => {
  test('an admin creates, edits and disables a unit, and each step is in the audit log with the admin as actor', async () => {
    const { token } = await th.createOperator('ada-admin', 'admin');
    const created = await call<Unit>('POST', '/api/units', token, { id: 'bc-101', name: 'Body cam 101', type: 'bodycam', team: 'Team A', district: 'Futian' });
    expect(created.status).toBe(201);
    const edited = await call<Unit>('PATCH', '/api/units/bc-101', token, { name: 'Officer Li', team: 'Team B', district: 'Luohu', type: 'vehicle' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: 'bc-101', name: 'Officer Li', team: 'Team B', district: 'Luohu', type: 'vehicle', disabled: false });
    const disabled = await call<Unit>('POST', '/api/units/bc-101/disable', token);
    expect(disabled.body.disabled).toBe(true);

    const rows = await auditOf(token, 'actor=ada-admin');
    const mine = rows.filter((r) => r.target === 'unit:bc-101').map((r) => r.action);
    expect(mine).toEqual(['unit_disabled', 'unit_changed', 'unit_created']);
    expect(rows.find((r) => r.action === 'unit_changed')!.detail).toMatchObject({ name: 'Officer Li', team: 'Team B' });
  });

  test('a credential is shown once: the next answers, the list and the audit log never carry the secret, and a rotation retires it', async () => {
    const { token } = await th.createOperator('bo-admin', 'admin');
    await call('POST', '/api/units', token, { id: 'bc-102', name: 'Body cam 102', type: 'bodycam' });
    const first = await call<UnitCredential>('POST', '/api/units/bc-102/credential', token);
    expect(first.status).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const secret = first.body.secret;
    expect(secret.length).toBeGreaterThan(30);

    for (const path of ['/api/units/bc-102', '/api/units?search=bc-102', '/api/units/bc-102/stream', '/api/audit?limit=1000']) {
      const res = await call('GET', path, token);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(secret);
    }
    expect((await call<Unit>('GET', '/api/units/bc-102', token)).body.hasCredential).toBe(true);
    expect(await mqttAccepts('bc-102', secret)).toBe(true);

    const second = await call<UnitCredential>('POST', '/api/units/bc-102/credential', token);
    expect(second.body.secret).not.toBe(secret);
    expect(await mqttAccepts('bc-102', secret)).toBe(false);
    expect(await mqttAccepts('bc-102', second.body.secret)).toBe(true);

    const actions = (await auditOf(token, 'actor=bo-admin')).filter((r) => r.target === 'unit:bc-102').map((r) => r.action);
    expect(actions).toEqual(['unit_credential_rotated', 'unit_credential_issued', 'unit_created']);
  });

  test("an offline unit's stream id and WHIP path are given to an admin, the same each time, and an encoder publishes there with the unit's credential", async () => {
    const { token } = await th.createOperator('cy-admin', 'admin');
    await call('POST', '/api/units', token, { id: 'enc-1', name: 'Encoder 1', type: 'vehicle' });
    const cred = await call<UnitCredential>('POST', '/api/units/enc-1/credential', token);
    const stream = await call<UnitStream>('GET', '/api/units/enc-1/stream', token);
    expect(stream.status, stream.text).toBe(200);
    expect(stream.body.whip).toBe(`/whip/${stream.body.streamId}`);
    expect(stream.body.whep).toBe(`/whep/${stream.body.streamId}`);
    expect((await call<UnitStream>('GET', '/api/units/enc-1/stream', token)).body.streamId).toBe(stream.body.streamId);
    // the WHIP endpoint takes the unit's own credential for that id (an offer is checked after auth: 400, not 401)
    const whip = await fetch(th.http + stream.body.whip, {
      method: 'POST',
      headers: { authorization: `Bearer enc-1:${cred.body.secret}`, 'content-type': 'application/sdp' },
      body: 'v=0\r\n',
    });
    expect(whip.status).not.toBe(401);
    expect(whip.status).not.toBe(403);
    expect((await call('GET', '/api/units/nope-1/stream', token)).status).toBe(404);
  });

  test('a coordinator is refused every admin route, and nothing changes', async () => {
    await th.createUnit('car-201');
    const { token } = await th.createOperator('dee-coord', 'coordinator');
    const refused = [
      await call('POST', '/api/units', token, { id: 'car-202', name: 'Car 202', type: 'vehicle' }),
      await call('PATCH', '/api/units/car-201', token, { name: 'Renamed' }),
      await call('POST', '/api/units/car-201/disable', token),
      await call('POST', '/api/units/car-201/credential', token),
      await call('GET', '/api/units/car-201/stream', token),
      await call('GET', '/api/audit', token),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    const unit = await th.api<Unit>('GET', '/api/units/car-201');
    expect(unit.body).toMatchObject({ name: 'Unit car-201', disabled: false });
    expect((await th.api('GET', '/api/units/car-202')).status).toBe(404);
  });

  test('the audit log filters by actor, action and a time range', async () => {
    const { token } = await th.createOperator('eve-admin', 'admin');
    await call('POST', '/api/units', token, { id: 'car-301', name: 'Car 301', type: 'vehicle' });
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call('PATCH', '/api/units/car-301', token, { team: 'Night' });
    const all = await auditOf(token, 'actor=eve-admin');
    expect(all.map((r) => r.action)).toEqual(['unit_changed', 'unit_created', 'login']);
    expect((await auditOf(token, `actor=eve-admin&until=${encodeURIComponent(between)}`)).map((r) => r.action)).toEqual(['unit_created', 'login']);
    expect((await auditOf(token, `actor=eve-admin&since=${encodeURIComponent(between)}`)).map((r) => r.action)).toEqual(['unit_changed']);
    expect((await auditOf(token, 'action=unit_changed&actor=eve-admin')).map((r) => r.target)).toEqual(['unit:car-301']);
  });
});
