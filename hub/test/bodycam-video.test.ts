// The browser body cam end to end, in Debian's Chromium with a fake camera: it signs in
// as its unit, publishes camera + microphone over the socket.io signalling, and a second
// page (the viewer) decodes the stream through the SFU at the publisher's frame size, in
// VP8 and in H.264; its geolocation lands as positions; its SOS button raises an SOS only when
// held and not cancelled, and the wearer then sees the centre's acknowledgement and who is coming.
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { ADMIN_TOKEN, eventually, type TestHub } from '../../test-support/test-hub';
import { UnitAgent, onDispatch } from '@hub/edge-agent';
import { artifactDir } from '../../test-support/browser';
import { bodycamState, bodycamVideo, framesBeyond, goLive, holdSos, openBodycam, openViewer, viewerStates, withBodyCamWorld } from './support/media-pages';

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

  it('sends its geolocation as positions; SOS only when held and not cancelled, then the centre’s acknowledgement and who is coming', async () => {
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

    // a tap (a pocket press) sends nothing; a hold then Cancel sends nothing
    await cam.click('[data-testid="sos"]');
    await cam.waitForSelector('[data-testid="sos-block"][data-stage="idle"]');
    await holdSos(cam);
    await cam.screenshot({ path: `${artifactDir('bodycam')}/sos-cancel-window.png`, fullPage: true });
    await cam.click('[data-testid="sos-cancel"]');
    await cam.waitForSelector('[data-testid="sos-block"][data-stage="cancelled"]');
    // … and a hold left to run its cancel window sends it
    await holdSos(cam);
    await cam.waitForSelector('[data-testid="sos-state"]', { timeout: 20_000 });
    const alarms = await t.api<{ id: number; kind: string; unitId: string; lat: number | null }[]>('GET', '/api/alarms?unitId=bc-gps&kind=sos');
    expect(alarms.body).toEqual([expect.objectContaining({ kind: 'sos', unitId: 'bc-gps' })]); // one: the tap and the cancelled hold sent none
    expect(alarms.body[0]!.lat).toBeCloseTo(22.55, 5);

    // the centre acknowledges the alarm: the wearer sees it
    expect(await cam.textContent('[data-testid="sos-ack"]')).toMatch(/Waiting/);
    await t.api('POST', `/api/alarms/${alarms.body[0]!.id}/ack`, { note: 'seen' });
    await cam.waitForFunction(() => /Acknowledged/.test(document.querySelector('[data-testid="sos-ack"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // a responder accepts: the wearer sees who is coming and when
    const incident = await eventually(async () => (await t.api<{ id: number; unitId: string }[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === 'bc-gps'), 10_000, 'the incident');
    const helper = await t.createUnit('bc-helper', 'vehicle');
    const agent = await UnitAgent.start({ unitId: 'bc-helper', secret: helper.secret, broker: t.mqtt, reconnectMs: 100 });
    try {
      onDispatch(agent, () => true);
      await eventually(async () => agent.connected, 10_000, 'helper connected');
      await agent.report({ ts: Date.now(), lat: 22.55 + 900 / 111_195, lon: 114.06, speed: 10, accuracy: 4 });
      await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'bc-helper'), 10_000, 'helper position');
      await t.api('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: ['bc-helper'] });
      const coming = cam.locator('[data-testid="sos-coming"][data-unit-id="bc-helper"]');
      await coming.waitFor({ timeout: 30_000 });
      expect(await coming.textContent()).toMatch(/bc-helper is coming: about 2 min/); // 900 m × 1.3 ÷ 10 m/s = 117 s
      await cam.screenshot({ path: `${artifactDir('bodycam')}/sos-acknowledged-coming.png`, fullPage: true });
    } finally {
      await agent.close();
    }
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
    const error = await cam.waitForSelector('[data-testid="signin-error"]', { timeout: 30_000 });
    expect(await error.textContent()).toMatch(/refused|拒绝/);
    await cam.close();
  });
});
