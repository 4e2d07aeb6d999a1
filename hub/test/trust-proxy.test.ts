// Behind a reverse proxy every login comes from the proxy's address, so without
// X-Forwarded-For one stranger's wrong passwords would lock everyone out. The hub believes
// the header only from the proxies named in http.trustProxy: then the lock-out and the audit
// log see the operator's own address; from anyone else the header is ignored.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditEntry } from '@hub/config';
import { startTestHub, type TestHub } from '../../test-support/test-hub';

const PROXY = '10.0.0.5';
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ 'http.trustProxy': [PROXY] });
});
afterAll(async () => {
  await t?.close();
});

async function login(username: string, password: string, remoteAddress: string, forwardedFor?: string) {
  const res = await t.hub.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  return res.statusCode;
}

describe('behind a trusted proxy', () => {
  test('the lock-out and the audit log key on the forwarded client, not on the proxy', async () => {
    const coord = await t.createOperator('proxy.coord', 'coordinator');
    for (let i = 0; i < 5; i++) expect(await login('proxy.coord', `guess-${i}`, PROXY, '203.0.113.9')).toBe(401);
    expect(await login('proxy.coord', coord.password, PROXY, '203.0.113.9')).toBe(429);
    // the coordinator at the wall, through the same proxy, is not locked out
    expect(await login('proxy.coord', coord.password, PROXY, '198.51.100.4')).toBe(200);
    const audit = (await t.api<AuditEntry[]>('GET', '/api/audit?action=login_failed&limit=100')).body;
    expect(audit.filter((e) => e.actor === 'proxy.coord').map((e) => e.detail.ip)).toEqual(Array(5).fill('203.0.113.9'));
  });

  test('from an address that is not a trusted proxy, X-Forwarded-For is ignored', async () => {
    const op = await t.createOperator('direct.op', 'viewer');
    // a stranger cannot spread guesses over made-up addresses to dodge the lock-out
    for (let i = 0; i < 5; i++) expect(await login('direct.op', `guess-${i}`, '203.0.113.77', `192.0.2.${i}`)).toBe(401);
    expect(await login('direct.op', op.password, '203.0.113.77', '192.0.2.99')).toBe(429);
  });
});
