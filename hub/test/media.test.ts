// The media role in the hub: a unit publishes its camera over WHIP with its own
// credential, an operator views it over WHEP, and /api/streams shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishTestPattern, until, viewStream } from '../../media-server/test/support/peers';
import { ADMIN_TOKEN, startTestHub, type TestHub } from './support/test-hub';

let t: TestHub;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'] });
});
afterAll(async () => {
  for (const c of closers.splice(0)) await c();
  await t?.close();
});

describe('media role', () => {
  it('lets a unit publish its own camera with its credential, and an operator view it', async () => {
    const { secret } = await t.createUnit('cam-1', 'bodycam');
    const pub = await publishTestPattern(`${t.http}/whip/cam-1`, `cam-1:${secret}`, 'vp8');
    closers.push(() => pub.close());
    expect(pub.status).toBe(201);

    const viewer = await viewStream(`${t.http}/whep/cam-1`, ADMIN_TOKEN, 'vp8');
    closers.push(() => viewer.close());
    expect(viewer.res.status).toBe(201);
    await until(() => viewer.counter.packets > 30, 15_000, 'packets at the viewer');

    const streams = await t.api<{ streamId: string; viewers: number; bitrateKbps: number; mimeType: string }[]>('GET', '/api/streams');
    expect(streams.body).toEqual([expect.objectContaining({ streamId: 'cam-1', viewers: 1, mimeType: 'video/VP8' })]);
    expect(streams.body[0]!.bitrateKbps).toBeGreaterThan(0);
  });

  it("refuses a unit publishing another unit's stream, a unit viewing, and a wrong secret", async () => {
    const { secret } = await t.createUnit('cam-2', 'bodycam');
    const other = await publishTestPattern(`${t.http}/whip/cam-3`, `cam-2:${secret}`, 'vp8');
    closers.push(() => other.close());
    expect(other.status).toBe(401);
    const wrong = await publishTestPattern(`${t.http}/whip/cam-2`, 'cam-2:not-the-secret', 'vp8');
    closers.push(() => wrong.close());
    expect(wrong.status).toBe(401);
    const unitViewing = await viewStream(`${t.http}/whep/cam-1`, `cam-2:${secret}`, 'vp8');
    closers.push(() => unitViewing.close());
    expect(unitViewing.res.status).toBe(401);
  });
});
