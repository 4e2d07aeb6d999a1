import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOperatorToken, bearerToken } from '@hub/identity';
import { ADMIN_TOKEN, auth, startTestApi, type TestApi } from '../../../test-support/test-api';

describe('checkOperatorToken', () => {
  it('accepts only the exact token', () => {
    expect(checkOperatorToken(ADMIN_TOKEN, ADMIN_TOKEN)).toBe(true);
    expect(checkOperatorToken(`${ADMIN_TOKEN}x`, ADMIN_TOKEN)).toBe(false);
    expect(checkOperatorToken('short', ADMIN_TOKEN)).toBe(false);
    expect(checkOperatorToken(undefined, ADMIN_TOKEN)).toBe(false);
    expect(checkOperatorToken('', '')).toBe(false);
  });
  it('reads a Bearer header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('operator access to /api', () => {
  const logLines: string[] = [];
  let api: TestApi;
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    api = await startTestApi({ logger: { level: 'trace', stream } });
  });
  afterAll(() => api?.close());

  it('refuses a request without a token with HUB_ERR_AUTH_REQUIRED', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/units' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    const body = res.json();
    expect(body.code).toBe('HUB_ERR_AUTH_REQUIRED');
    expect(body.message).toContain('Authorization: Bearer');
  });

  it('refuses a wrong token, and a token in the wrong scheme, with HUB_ERR_AUTH_INVALID', async () => {
    for (const authorization of ['Bearer not-the-token', `Basic ${ADMIN_TOKEN}`]) {
      const res = await api.app.inject({ method: 'GET', url: '/api/positions/latest', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('HUB_ERR_AUTH_INVALID');
    }
  });

  it('refuses before validating: a bad body without a token is still 401', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/units', payload: { id: '#' } });
    expect(res.statusCode).toBe(401);
  });

  it('lets the admin token through', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/units', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it('answers an unknown /api route with an ApiError 404', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nothing-here', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('HUB_ERR_ROUTE_NOT_FOUND');
  });

  it('answers malformed JSON with a 400 ApiError', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/units',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"id": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_BAD_REQUEST' });
  });

  it('serves the OpenAPI document without a token, listing every route', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1/);
    // every route of this package (other plugins add theirs)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/positions/latest',
        '/api/units',
        '/api/units/{unitId}',
        '/api/units/{unitId}/credential',
        '/api/units/{unitId}/disable',
        '/api/units/{unitId}/track',
        '/api/auth/login',
        '/api/auth/logout',
        '/api/auth/me',
        '/api/operators',
        '/api/operators/{username}',
        '/api/audit',
      ]),
    );
    expect(Object.keys(doc.paths['/api/units'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/units/{unitId}'].patch ?? doc.paths['/api/units/{unitId}'].put).toBeDefined();
    expect(doc.components.securitySchemes.operatorToken.scheme).toBe('bearer');
    const ui = await api.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBeLessThan(400);
  });

  it('never writes the token to the log', async () => {
    await api.app.inject({ method: 'GET', url: '/api/units', headers: auth });
    await api.app.inject({ method: 'GET', url: '/api/units', headers: { authorization: 'Bearer wrong-secret-xyz' } });
    const log = logLines.join('');
    expect(log).toContain('/api/units'); // the requests were logged…
    expect(log).not.toContain(ADMIN_TOKEN); // …without the credentials
    expect(log).not.toContain('wrong-secret-xyz');
  });
});
