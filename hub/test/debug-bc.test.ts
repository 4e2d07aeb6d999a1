import { afterAll, beforeAll, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, newDeviceContext } from '../../test-support/browser';
import { ADMIN_TOKEN, startTestHub, type TestHub } from './support/test-hub';
import { goLive, openBodycam, openViewer, viewerStates, viewerStats } from './support/media-pages';

let t: TestHub;
let browser: Browser;
beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'] });
  browser = await launchChromium({ fakeCamera: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
it('debug', async () => {
  const cams = await newDeviceContext(browser, t.http, { latitude: 22.5, longitude: 114 });
  const cred = await t.createUnit('bc-dbg', 'bodycam');
  const cam = await cams.newPage();
  await openBodycam(cam, t.http, cred, '?codec=vp8');
  const streamId = await goLive(cam);
  const v = await (await browser.newContext()).newPage();
  v.on('console', (m) => console.log('PAGE', m.type(), m.text()));
  v.on('pageerror', (e) => console.log('PAGEERR', e.message));
  v.on('websocket', (ws) => { ws.on('framesent', (f) => console.log('SENT', String(f.payload).slice(0, 1500))); ws.on('framereceived', (f) => console.log('RECV', String(f.payload).slice(0, 1500))); });
  await openViewer(v, t.http, ADMIN_TOKEN, streamId);
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    console.log(JSON.stringify(await viewerStates(v)), JSON.stringify(await viewerStats(v)), JSON.stringify((await t.api('GET', '/api/streams')).body));
  }
}, 120_000);
