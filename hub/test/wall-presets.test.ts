// Wall presets over the real API: each operator's named layouts, kept apart per operator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preset } from '@hub/config';
import { startTestHub, type TestHub } from './support/test-hub';

let th: TestHub;

beforeAll(async () => {
  th = await startTestHub();
});
afterAll(async () => {
  await th?.close();
});

async function as<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(th.http + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const layout = { grid: 4, tiles: ['car-1', null, 'cam-2'], wallMode: false };

describe('wall presets', () => {
  it('saves, lists, replaces and deletes an operator’s presets', async () => {
    const op = await th.createOperator('wall-op', 'viewer');
    const saved = await as<Preset>(op.token, 'PUT', '/api/presets/Night shift', { layout });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: 'Night shift', operator: 'wall-op', layout: { grid: 4, tiles: ['car-1', null, 'cam-2'], wallMode: false } });

    const replaced = await as<Preset>(op.token, 'PUT', `/api/presets/${encodeURIComponent('Night shift')}`, { layout: { ...layout, grid: 9, wallMode: true } });
    expect(replaced.body.layout).toMatchObject({ grid: 9, wallMode: true });
    await as(op.token, 'PUT', '/api/presets/交通', { layout: { grid: 1, tiles: ['car-1'] } });

    const list = await as<Preset[]>(op.token, 'GET', '/api/presets');
    expect(list.body.map((p) => p.name)).toEqual(['Night shift', '交通']);
    expect((await as<Preset>(op.token, 'GET', '/api/presets/交通')).body.layout.grid).toBe(1);

    expect((await as(op.token, 'DELETE', '/api/presets/交通')).status).toBe(204);
    const gone = await as<{ code: string }>(op.token, 'GET', '/api/presets/交通');
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('HUB_ERR_PRESET_NOT_FOUND');
  });

  it('keeps each operator’s presets apart', async () => {
    const a = await th.createOperator('op-a', 'coordinator');
    const b = await th.createOperator('op-b', 'coordinator');
    await as(a.token, 'PUT', '/api/presets/mine', { layout });
    expect((await as<Preset[]>(b.token, 'GET', '/api/presets')).body).toEqual([]);
    expect((await as(b.token, 'GET', '/api/presets/mine')).status).toBe(404);
    expect((await as(b.token, 'DELETE', '/api/presets/mine')).status).toBe(404);
    expect((await as(a.token, 'GET', '/api/presets/mine')).status).toBe(200);
  });

  it('refuses a bad layout with the reason and keeps the stored one', async () => {
    const op = await th.createOperator('op-c', 'viewer');
    await as(op.token, 'PUT', '/api/presets/p1', { layout });
    const bad = await as<{ code: string; message: string }>(op.token, 'PUT', '/api/presets/p1', { layout: { grid: 5, tiles: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('HUB_ERR_VALIDATION');
    const tooMany = await as<{ code: string; message: string }>(op.token, 'PUT', '/api/presets/p1', { layout: { grid: 1, tiles: ['a', 'b'] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('1-tile grid');
    const badName = await as<{ code: string }>(op.token, 'PUT', '/api/presets/a%2Fb', { layout });
    expect(badName.status).toBe(400);
    expect((await as<Preset>(op.token, 'GET', '/api/presets/p1')).body.layout.grid).toBe(4);
  });

  it('needs a login', async () => {
    const res = await fetch(th.http + '/api/presets');
    expect(res.status).toBe(401);
  });
});
