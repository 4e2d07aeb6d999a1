// A database that goes away while the hub runs, on the routes other packages add to the hub:
// alarms and geofences, the recordings API, the camera start and WHIP answer 503 HUB_ERR_DB_UNAVAILABLE with Retry-After
// (the hub's one error mapping), never a 500. A private PostgreSQL server, stopped by this test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '@hub/platform';
import { freePort } from '../../test-support/ports';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../../test-support/test-hub';

let server: EmbeddedDatabase | undefined;
let t: TestHub;
let unitSecret: string;
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-media-outage-'));

beforeAll(async () => {
  server = await startEmbeddedDatabase({ dataDir, port: await freePort() });
  t = await startTestHub({ 'database.url': server.url });
  unitSecret = (await t.createUnit('cam-1', 'bodycam')).secret;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a database outage, on the routes of the packages the hub composes', () => {
  it('answers 503 HUB_ERR_DB_UNAVAILABLE with Retry-After, not 500', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await fetch(`${t.http}/api/recordings`, { headers: admin })).status).toBe(200);
    await server!.stop();
    server = undefined;
    const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    const requests: [string, RequestInit][] = [
      // the alarms package's routes, in telemetry's API scope
      ['/api/alarms', { headers: admin }],
      ['/api/geofences', { headers: admin }],
      ['/api/recordings', { headers: admin }],
      ['/api/recordings/5a0b8f6e-6f1d-4c55-9d7e-2f4f0d7b8c11', { headers: admin }],
      ['/api/recordings', { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ unitId: 'cam-1' }) }],
      ['/api/streams/cam-1/start', { method: 'POST', headers: admin }],
      // a unit's credential is checked in the database
      ['/whip/anything', { method: 'POST', headers: { authorization: `Bearer cam-1:${unitSecret}`, 'content-type': 'application/sdp' }, body: offer }],
    ];
    for (const [url, init] of requests) {
      const res = await fetch(t.http + url, init);
      const body = (await res.json()) as { code: string; message: string };
      expect({ url, status: res.status, code: body.code }).toEqual({ url, status: 503, code: 'HUB_ERR_DB_UNAVAILABLE' });
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(body.message).toMatch(/database cannot be reached/);
    }
  });
});
