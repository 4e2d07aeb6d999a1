// The browser body cam end to end, in Debian's Chromium with a fake camera: it signs in
// as its unit, publishes camera + microphone over the socket.io signalling, and a second
// page (the viewer) decodes the stream through the SFU at the publisher's frame size, in
// VP8 and in H.264; its geolocation lands as positions and its SOS button raises an SOS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, newDeviceContext } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from './support/test-hub';
import { bodycamVideo, framesBeyond, goLive, openBodycam, openViewer, viewerStats } from './support/media-pages';

let t: TestHub;
let browser: Browser;
let cams: BrowserContext;
let walls: BrowserContext;
const here = { latitude: 22.5431, longitude: 114.0579 };

beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'] });
  browser = await launchChromium({ fakeCamera: true });
  cams = await newDeviceContext(browser, t.http, here);
  walls = await browser.newContext();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

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
    const latest = await eventually(async () => {
      const res = await t.api<{ unitId: string; lat: number; lon: number }[]>('GET', '/api/positions/latest');
      return res.body.find((p) => p.unitId === 'bc-gps');
    }, 20_000, 'the body cam’s position in the database');
    expect(latest.lat).toBeCloseTo(here.latitude, 5);
    expect(latest.lon).toBeCloseTo(here.longitude, 5);

    await cams.setGeolocation({ latitude: 22.55, longitude: 114.06 });
    await eventually(async () => {
      const res = await t.api<{ unitId: string; lat: number }[]>('GET', '/api/positions/latest');
      return res.body.find((p) => p.unitId === 'bc-gps' && Math.abs(p.lat - 22.55) < 1e-6);
    }, 20_000, 'the moved position');

    await cam.click('[data-testid="sos"]');
    await cam.waitForSelector('[data-testid="sos-state"]');
    const alarms = await t.api<{ kind: string; unitId: string; lat: number | null }[]>('GET', '/api/alarms?unitId=bc-gps&kind=sos');
    expect(alarms.body).toEqual([expect.objectContaining({ kind: 'sos', unitId: 'bc-gps' })]);
    expect(alarms.body[0]!.lat).toBeCloseTo(22.55, 5);
    await cam.close();
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
