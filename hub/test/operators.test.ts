// Operators log in; roles limit what they may do; logouts and disabled operators cut their
// sockets at once; the audit log records logins, video views and changes, and cannot be edited.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { AuditEntry, Principal, Session } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;

beforeAll(async () => {
  th = await startTestHub();
});
afterAll(async () => {
  await th?.close();
});

async function call<T = unknown>(method: string, path: string, token: string | undefined, body?: unknown) {
  const res = await fetch(th.http + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

function liveSocket(token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioClient(th.http, { auth: { token }, transports: ['websocket'], reconnection: false });
    s.on('connect', () => resolve(s));
    s.on('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

describe('login', () => {
  test('the built-in admin logs in with the admin token as password', async () => {
    const res = await call<Session>('POST', '/api/auth/login', undefined, { username: 'admin', password: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.operator).toEqual({ username: 'admin', displayName: 'Administrator', role: 'admin' });
    const me = await call<Principal>('GET', '/api/auth/me', res.body.token);
    expect(me.body.username).toBe('admin');
  });

  test('an admin creates a coordinator, who logs in; a wrong password is refused with a reason', async () => {
    const created = await call('POST', '/api/operators', ADMIN_TOKEN, { username: 'li.wei', displayName: 'Li Wei', role: 'coordinator', password: 'correct horse battery' });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('correct horse');
    const wrong = await call<{ code: string; message: string }>('POST', '/api/auth/login', undefined, { username: 'li.wei', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('HUB_ERR_LOGIN_FAILED');
    expect(wrong.body.message).toMatch(/username or password/);
    const ok = await call<Session>('POST', '/api/auth/login', undefined, { username: 'li.wei', password: 'correct horse battery' });
    expect(ok.status).toBe(200);
    expect(ok.body.operator.role).toBe('coordinator');
    expect(new Date(ok.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const units = await call('GET', '/api/units', ok.body.token);
    expect(units.status).toBe(200);
  });

  test('a short password or a taken username is refused with the field named', async () => {
    const short = await call<{ code: string; message: string }>('POST', '/api/operators', ADMIN_TOKEN, { username: 'shorty', role: 'viewer', password: 'abc' });
    expect(short.status).toBe(400);
    expect(short.body.message).toMatch(/password/);
    const again = await call<{ code: string }>('POST', '/api/operators', ADMIN_TOKEN, { username: 'li.wei', role: 'viewer', password: '0123456789ab' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('HUB_ERR_OPERATOR_EXISTS');
  });

  test('five wrong passwords lock the username for a while (429 with Retry-After)', async () => {
    await th.createOperator('target', 'viewer');
    for (let i = 0; i < 5; i++) {
      const r = await call('POST', '/api/auth/login', undefined, { username: 'target', password: `guess-${i}` });
      expect(r.status).toBe(401);
    }
    const locked = await call<{ code: string }>('POST', '/api/auth/login', undefined, { username: 'target', password: 'pw-target-0123456789' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('HUB_ERR_LOGIN_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('roles', () => {
  test('a viewer reads but may not acknowledge alarms, change units or manage operators', async () => {
    const viewer = await th.createOperator('viewer1', 'viewer');
    expect((await call('GET', '/api/units', viewer.token)).status).toBe(200);
    expect((await call('GET', '/api/alarms', viewer.token)).status).toBe(200);
    const create = await call<{ code: string; message: string }>('POST', '/api/units', viewer.token, { id: 'v-car', name: 'x', type: 'vehicle' });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('HUB_ERR_FORBIDDEN');
    expect(create.body.message).toMatch(/admin role/);
    expect((await call('POST', '/api/alarms/1/ack', viewer.token, {})).status).toBe(403);
    expect((await call('GET', '/api/operators', viewer.token)).status).toBe(403);
  });

  test('a coordinator may acknowledge alarms but not manage operators', async () => {
    const coord = await th.createOperator('coord1', 'coordinator');
    // no such alarm: past the role check, the route answers 404
    expect((await call('POST', '/api/alarms/999999/ack', coord.token, {})).status).toBe(404);
    expect((await call('POST', '/api/operators', coord.token, { username: 'x1', role: 'admin', password: '0123456789ab' })).status).toBe(403);
  });

  test('without a credential nothing is answered, and the live feed refuses the socket', async () => {
    const res = await call<{ code: string }>('GET', '/api/units', undefined);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('HUB_ERR_AUTH_REQUIRED');
    await expect(liveSocket('')).rejects.toThrow(/HUB_ERR_AUTH_REQUIRED/);
    await expect(liveSocket('made-up-token')).rejects.toThrow(/HUB_ERR_AUTH_INVALID/);
  });
});

describe('sessions end', () => {
  test('logout ends the session: REST refuses it and its live-feed socket is cut', async () => {
    const op = await th.createOperator('leaver', 'viewer');
    const socket = await liveSocket(op.token);
    const cut = new Promise<void>((resolve) => socket.on('disconnect', () => resolve()));
    expect((await call('POST', '/api/auth/logout', op.token)).status).toBe(204);
    await cut;
    expect((await call('GET', '/api/units', op.token)).status).toBe(401);
    await expect(liveSocket(op.token)).rejects.toThrow(/HUB_ERR_AUTH_INVALID/);
  });

  test('disabling an operator cuts their sockets and refuses their token', async () => {
    const op = await th.createOperator('gone', 'coordinator');
    const socket = await liveSocket(op.token);
    const cut = new Promise<void>((resolve) => socket.on('disconnect', () => resolve()));
    expect((await call('PATCH', '/api/operators/gone', ADMIN_TOKEN, { disabled: true })).status).toBe(200);
    await cut;
    expect((await call('GET', '/api/units', op.token)).status).toBe(401);
    const login = await call('POST', '/api/auth/login', undefined, { username: 'gone', password: op.password });
    expect(login.status).toBe(401);
  });

  test('an expired session is refused', async () => {
    const op = await th.createOperator('expiring', 'viewer');
    await th.hub.db.query(`UPDATE operator_sessions SET expires_at = now() - interval '1 second' WHERE username = 'expiring'`);
    expect((await call('GET', '/api/units', op.token)).status).toBe(401);
  });

  test('the built-in admin cannot be disabled or given a password', async () => {
    const res = await call<{ code: string }>('PATCH', '/api/operators/admin', ADMIN_TOKEN, { disabled: true });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HUB_ERR_OPERATOR_BUILTIN');
  });
});

describe('audit log', () => {
  test('records logins, failed logins and operator changes, without passwords or tokens', async () => {
    const op = await th.createOperator('audited', 'viewer');
    await call('POST', '/api/auth/login', undefined, { username: 'audited', password: 'wrong-wrong-wrong' });
    const log = await eventually(async () => {
      const r = await call<AuditEntry[]>('GET', '/api/audit?actor=audited', ADMIN_TOKEN);
      expect(r.body.map((e) => e.action)).toEqual(expect.arrayContaining(['login', 'login_failed']));
      return r.body;
    });
    const created = await call<AuditEntry[]>('GET', '/api/audit?action=operator_created', ADMIN_TOKEN);
    expect(created.body.some((e) => e.target === 'audited' && e.actor === 'admin')).toBe(true);
    const everything = JSON.stringify((await call<AuditEntry[]>('GET', '/api/audit?limit=1000', ADMIN_TOKEN)).body);
    expect(everything).not.toContain(op.password);
    expect(everything).not.toContain(op.token);
    expect(everything).not.toContain(ADMIN_TOKEN);
    expect(log.length).toBeGreaterThan(0);
  });

  test('cannot be edited or deleted, even by the database owner', async () => {
    await expect(th.hub.db.query(`UPDATE audit_log SET actor = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(th.hub.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  test('a viewer may not read it', async () => {
    const op = await th.createOperator('curious', 'viewer');
    expect((await call('GET', '/api/audit', op.token)).status).toBe(403);
  });
});
