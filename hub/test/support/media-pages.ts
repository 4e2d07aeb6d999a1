// Drives the body-cam page and the viewer page in Chromium for the video tests, reading
// the figures they expose (window.hubBodycam, window.hubViewer) — the same getStats()
// figures an operator sees in the viewer's overlay.
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { UnitCredential } from '@hub/config';
import type { OutboundVideo } from '@hub/wall-ui';
import { launchChromium, newDeviceContext } from '../../../test-support/browser';
import { startTestHub, type TestHub } from '../../../test-support/test-hub';
import { eventually } from '../../../test-support/wait';

export interface ViewerFigures {
  framesDecoded: number;
  width: number;
  height: number;
  fps: number;
  packetsLost: number;
  bitrateKbps: number;
  codec?: string;
  estimatedDelayMs?: number;
  senderReportLagMs?: { audio?: number; video?: number };
  audio?: { codec?: string; totalSamplesReceived: number; audioLevel: number; totalAudioEnergy: number };
}

export type { OutboundVideo };

type PageWindow = {
  hubBodycam?: { link: string; video: string; streamId?: string; audio: boolean; videoStats(): Promise<OutboundVideo & { layers: OutboundVideo[]; audioPackets: number }> };
  hubViewer?: { states: string[]; detail?: { code?: string; message?: string; fatal?: boolean }; stats(): Promise<ViewerFigures>; setMaxHeight(h: number | undefined): void };
};

/** Opens /bodycam signed in through the provisioning fragment, and presses "Go live". */
export async function openBodycam(page: Page, hub: string, cred: UnitCredential, query = ''): Promise<void> {
  await page.goto(`${hub}/bodycam${query}#unit=${encodeURIComponent(cred.unitId)}&secret=${encodeURIComponent(cred.secret)}`);
  await page.waitForSelector('[data-testid="go-live"]');
}

export async function goLive(page: Page): Promise<string> {
  await page.click('[data-testid="go-live"]');
  const s = await eventually(
    async () => {
      const st = await bodycamState(page);
      return st?.video === 'live' && st.streamId ? st : undefined;
    },
    20_000,
    'the body cam live',
  );
  return s.streamId!;
}

export function bodycamState(page: Page) {
  return page.evaluate(() => {
    const b = (window as unknown as PageWindow).hubBodycam;
    return b ? { link: b.link, video: b.video, streamId: b.streamId, audio: b.audio } : undefined;
  });
}

export function bodycamVideo(page: Page) {
  return page.evaluate(() => (window as unknown as PageWindow).hubBodycam!.videoStats());
}

/** Opens /viewer; `maxHeight` asks for a simulcast layer (default: the window's height). */
export async function openViewer(page: Page, hub: string, token: string, streamId: string, maxHeight?: number): Promise<void> {
  await page.goto(`${hub}/viewer#token=${encodeURIComponent(token)}&stream=${encodeURIComponent(streamId)}${maxHeight ? `&maxHeight=${maxHeight}` : ''}`);
  await page.waitForFunction(() => !!(window as unknown as PageWindow).hubViewer);
}

export function viewerStats(page: Page): Promise<ViewerFigures> {
  return page.evaluate(() => (window as unknown as PageWindow).hubViewer!.stats());
}

export function viewerStates(page: Page): Promise<{ states: string[]; detail?: { code?: string; message?: string; fatal?: boolean } }> {
  return page.evaluate(() => {
    const v = (window as unknown as PageWindow).hubViewer!;
    return { states: [...v.states], detail: v.detail };
  });
}

/** Waits until the viewer has decoded more than `beyond` frames; returns its figures. */
export async function framesBeyond(page: Page, beyond: number, what: string, timeoutMs = 20_000): Promise<ViewerFigures> {
  return eventually(
    async () => {
      const s = await viewerStats(page);
      return s.framesDecoded > beyond ? s : undefined;
    },
    timeoutMs,
    what,
  );
}

/** Asks the viewer page for another layer height, on its open connection. */
export function setViewerMaxHeight(page: Page, h: number | undefined): Promise<void> {
  return page.evaluate((height) => (window as unknown as PageWindow).hubViewer!.setMaxHeight(height ?? undefined), h ?? null);
}

/** A body-cam test file's world: a hub with the media role, Chromium with a fake camera, a context for the body cams and one for the walls. */
export interface BodyCamWorld {
  t: TestHub;
  browser: Browser;
  cams: BrowserContext;
  walls: BrowserContext;
}

/** Starts that world before the file's tests (the body cams at `here`) and closes it after them. */
export function withBodyCamWorld(here: { latitude: number; longitude: number }, started: (world: BodyCamWorld) => void, hubOverrides: Record<string, unknown> = {}): void {
  let world: BodyCamWorld | undefined;
  beforeAll(async () => {
    const t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'], ...hubOverrides });
    const browser = await launchChromium({ fakeCamera: true });
    world = { t, browser, cams: await newDeviceContext(browser, t.http, here), walls: await browser.newContext() };
    started(world);
  }, 60_000);
  afterAll(async () => {
    await world?.browser.close();
    await world?.t.close();
  });
}

/** Holds the body cam's SOS button until its cancel window opens (the 2 s hold), then lets go. */
export async function holdSos(page: Page): Promise<void> {
  const box = (await page.locator('[data-testid="sos"]').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForSelector('[data-testid="sos-countdown"]', { timeout: 15_000 });
  await page.mouse.up();
}
