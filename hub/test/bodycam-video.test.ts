// The browser body cam end to end, in Debian's Chromium with a fake camera: it signs in
// as its unit, publishes camera + microphone over the socket.io signalling, and a second
// page (the viewer) decodes the stream through the SFU at the publisher's frame size, in
// VP8 and in H.264; its geolocation lands as positions and its SOS button raises an SOS.
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { ADMIN_TOKEN, eventually, type TestHub } from '../../test-support/test-hub';
import { bodycamState, bodycamVideo, framesBeyond, goLive, openBodycam, openViewer, viewerStates, withBodyCamWorld } from './support/media-pages';

let t: TestHub;
let cams: BrowserContext;
let walls: BrowserContext;
const here = { latitude: 22.5431, longitude: 114.0579 };

withBodyCamWorld(here, (world) => ({ t, cams, walls } = world));

describe('body cam → SFU → viewer in Chromium', () => {
  for (const codec of ['vp8', 'h264'] as const) {
    it(`carries the fake camera in ${codec.toUpperCase()} at the publisher's frame size`, async () => {
      const cred = await t.createUnit(`bc-${codec}`, 'bodycam');
      const cam = await cams.newPage();
      await openBodycam(cam, t.http, cred, `?codec=${codec}`);
      const streamId = await goLive(cam);
      expect(streamId).not.toContain(cred.unitId);
      const listed = await t.api<{ streamId: string; unitId: string; mimeType: string }[]>('GET', '/api/streams');
      expect(listed.body).toContainEqual(expect.objectContaining({ streamId, unitId: cred.unitId, mimeType: codec === 'h264' ? 'video/H264' : 'video/VP8' }));

      const view = await walls.newPage();
      await openViewer(view, t.http, ADMIN_TOKEN, streamId);
      const first = await framesBeyond(view, 10, 'frames decoded at the viewer');
      const later = await framesBeyond(view, first.framesDecoded + 20, 'more frames decoded at the viewer');
      const sent = await bodycamVideo(cam);
      expect(sent.width).toBeGreaterThan(0);
      expect({ width: later.width, height: later.height }).toEqual({ width: sent.width, height: sent.height });
      expect(later.codec?.toLowerCase()).toBe(`video/${codec}`);
      expect(sent.codec?.toLowerCase()).toBe(`video/${codec}`);
      expect(await view.textContent('#state')).toMatch(/live/i);
      await view.close();
      await cam.close();
    });
  }

  it('sends its geolocation as positions over MQTT-over-WebSocket, and its SOS button raises an SOS', async () => {
    const cred = await t.createUnit('bc-gps', 'bodycam');
    const cam = await cams.newPage();
    await openBodycam(cam, t.http, cred);
    const latest = await eventually(
      async () => {
        const res = await t.api<{ unitId: string; lat: number; lon: number }[]>('GET', '/api/positions/latest');
        return res.body.find((p) => p.unitId === 'bc-gps');
      },
      20_000,
      'the body cam’s position in the database',
    );
    expect(latest.lat).toBeCloseTo(here.latitude, 5);
    expect(latest.lon).toBeCloseTo(here.longitude, 5);

    await cams.setGeolocation({ latitude: 22.55, longitude: 114.06 });
    await eventually(
      async () => {
        const res = await t.api<{ unitId: string; lat: number }[]>('GET', '/api/positions/latest');
        return res.body.find((p) => p.unitId === 'bc-gps' && Math.abs(p.lat - 22.55) < 1e-6);
      },
      20_000,
      'the moved position',
    );

    await cam.click('[data-testid="sos"]');
    await cam.waitForSelector('[data-testid="sos-state"]');
    const alarms = await t.api<{ kind: string; unitId: string; lat: number | null }[]>('GET', '/api/alarms?unitId=bc-gps&kind=sos');
    expect(alarms.body).toEqual([expect.objectContaining({ kind: 'sos', unitId: 'bc-gps' })]);
    expect(alarms.body[0]!.lat).toBeCloseTo(22.55, 5);
    await cam.close();
  });

  it('goes live when the wall asks for the unit’s camera (stream.start), and the wall plays it', async () => {
    const cred = await t.createUnit('bc-demand', 'bodycam');
    const cam = await cams.newPage();
    await openBodycam(cam, t.http, cred);
    await eventually(async () => (await bodycamState(cam))?.link === 'online', 15_000, 'the body cam online');
    const res = await t.api<{ streamId: string; state: string }>('POST', '/api/streams/bc-demand/start');
    expect(res).toMatchObject({ status: 200, body: { state: 'started' } });
    await eventually(async () => (await bodycamState(cam))?.streamId === res.body.streamId, 15_000, 'the body cam live under the stream id');
    const view = await walls.newPage();
    await openViewer(view, t.http, ADMIN_TOKEN, res.body.streamId);
    await framesBeyond(view, 10, 'frames of the on-demand body cam');
    await view.close();
    await cam.close();
  });

  it('the viewer says why it shows nothing: a wrong token, a stream nobody publishes', async () => {
    let view = await walls.newPage();
    await openViewer(view, t.http, 'not-the-admin-token', 'AAAAAAAAAAAAAAAAAAAAAA');
    const refused = await eventually(
      async () => {
        const s = await viewerStates(view);
        return s.states.at(-1) === 'offline' ? s : undefined;
      },
      15_000,
      'the refusal',
    );
    expect(refused.detail).toMatchObject({ code: 'HUB_ERR_AUTH_INVALID', fatal: true });
    expect(await view.textContent('#state')).toContain('operator token');

    await view.close();
    view = await walls.newPage();
    await openViewer(view, t.http, ADMIN_TOKEN, 'AAAAAAAAAAAAAAAAAAAAAA');
    const missing = await eventually(
      async () => {
        const s = await viewerStates(view);
        return s.states.at(-1) === 'offline' ? s : undefined;
      },
      15_000,
      'stream not found',
    );
    expect(missing.detail).toMatchObject({ code: 'HUB_ERR_STREAM_NOT_FOUND' });
    expect(missing.detail).not.toHaveProperty('fatal'); // it keeps trying: the stream may start later
    await view.close();
  });

  it('says clearly when the secret is wrong', async () => {
    await t.createUnit('bc-wrong', 'bodycam');
    const cam = await cams.newPage();
    await cam.goto(`${t.http}/bodycam#unit=bc-wrong&secret=not-the-secret`);
    const error = await cam.waitForSelector('[data-testid="signin-error"]', { timeout: 15_000 });
    expect(await error.textContent()).toMatch(/refused|拒绝/);
    await cam.close();
  });
});
