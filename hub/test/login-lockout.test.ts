// The failed-login lock-out is keyed on username and source address: wrong passwords typed
// at one address cannot lock an operator out at another (a stranger cannot lock the duty
// coordinator out of the wall during an incident), and one address trying many usernames is
// locked as a whole. Through the real login route, with inject()'s remoteAddress. The lock-out
// is kept in the database: every hub of a cluster sees it, and a restart does not lift it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEntry } from '@hub/config';
import { startTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ 'auth.lockout': { maxFailuresPerSource: 8 } });
});
afterAll(async () => {
  await t?.close();
});

async function login(username: string, password: string, remoteAddress: string) {
  const res = await t.hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
  return { status: res.statusCode, body: res.json<{ code: string; message: string }>(), retryAfter: res.headers['retry-after'] };
}

describe('login lock-out', () => {
  test('wrong passwords from a stranger’s address lock that address only: the coordinator still logs in from theirs', async () => {
    const coord = await t.createOperator('duty.coord', 'coordinator');
    const stranger = '203.0.113.9';
    for (let i = 0; i < 5; i++) expect((await login('duty.coord', `guess-${i}`, stranger)).status).toBe(401);
    const locked = await login('duty.coord', coord.password, stranger);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('HUB_ERR_LOGIN_LOCKED');
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);

    const atTheWall = await login('duty.coord', coord.password, '198.51.100.4');
    expect(atTheWall.status).toBe(200);
    // the same holds for the built-in admin
    for (let i = 0; i < 5; i++) expect((await login('admin', `guess-${i}`, '203.0.113.10')).status).toBe(401);
    expect((await login('admin', 'test-admin-token-0123456789', '203.0.113.10')).status).toBe(429);
    expect((await login('admin', 'test-admin-token-0123456789', '198.51.100.4')).status).toBe(200);
  });

  test('one address trying many usernames is locked for all of them, and says so; other addresses are not', async () => {
    const target = await t.createOperator('night.viewer', 'viewer');
    const sprayer = '203.0.113.50';
    for (let i = 0; i < 8; i++) expect((await login(`user-${i}`, 'password-guess', sprayer)).status).toBe(401);
    const locked = await login('night.viewer', target.password, sprayer);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ code: 'HUB_ERR_LOGIN_LOCKED', message: expect.stringContaining('from this address') });
    expect((await login('night.viewer', target.password, '198.51.100.20')).status).toBe(200);
    // each refused try is in the audit log with its address
    const audit = await t.api<AuditEntry[]>('GET', '/api/audit?action=login_failed&limit=1000');
    expect(audit.body.filter((e) => e.detail.ip === sprayer)).toHaveLength(8);
  });

  test('an address locked on one hub is locked on another hub of the same database (started afresh, as after a restart)', async () => {
    const coord = await t.createOperator('relief.coord', 'coordinator');
    const guesser = '203.0.113.77';
    for (let i = 0; i < 5; i++) expect((await login('relief.coord', `guess-${i}`, guesser)).status).toBe(401);
    const other = await startTestHub({ 'auth.lockout': { maxFailuresPerSource: 8 } }, { db: t.db });
    try {
      const res = await other.hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'relief.coord', password: coord.password }, remoteAddress: guesser });
      expect(res.statusCode).toBe(429);
      expect(res.json<{ code: string }>().code).toBe('HUB_ERR_LOGIN_LOCKED');
      // from the wall's own address the coordinator logs in on the other hub
      const atTheWall = await other.hub.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'relief.coord', password: coord.password }, remoteAddress: '198.51.100.30' });
      expect(atTheWall.statusCode).toBe(200);
    } finally {
      await other.close();
    }
    // a success forgives: after the lock-out's failures are gone, a right password clears the rest
    const { rowCount } = await t.hub.db.query('DELETE FROM operator_login_failures WHERE source = $1 AND ctid IN (SELECT ctid FROM operator_login_failures WHERE source = $1 ORDER BY at LIMIT 1)', [
      guesser,
    ]);
    expect(rowCount).toBe(1);
    expect((await login('relief.coord', coord.password, guesser)).status).toBe(200);
    expect((await t.hub.db.query('SELECT 1 FROM operator_login_failures WHERE source = $1', [guesser])).rowCount).toBe(0);
  });
});
