// Driving the wall page in Chromium: log in through the login screen, read the panels.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN } from '../../../test-support/test-hub';

export interface WallPage {
  context: BrowserContext;
  page: Page;
  /** messages the page logged as errors, and uncaught exceptions */
  errors: string[];
}

/** A fresh browser context with the wall at `http`, in English, 1600×900; `initScript` runs in the page before the wall's own scripts. */
export async function openWall(browser: Browser, http: string, size = { width: 1600, height: 900 }, query = '', initScript?: () => void): Promise<WallPage> {
  const context = await browser.newContext({ viewport: size, locale: 'en-GB' });
  await context.addInitScript(() => localStorage.setItem('wall.locale', localStorage.getItem('wall.locale') ?? 'en'));
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(http + '/' + query);
  return { context, page, errors };
}

/** Fills the login form and submits; does not wait for the outcome. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.fill('[data-testid=login-username]', username);
  await page.fill('[data-testid=login-password]', password);
  await page.click('[data-testid=login-submit]');
}

/** The units the wall's map has drawn (needs `?testHooks` in the URL): id → drawn [lon, lat]. */
export function drawnUnits(page: Page): Promise<Record<string, [number, number]>> {
  return page.evaluate(() => {
    const hooks = (window as unknown as { __hubWall?: { drawnUnits(): { id: string; lon: number; lat: number }[] } }).__hubWall;
    const out: Record<string, [number, number]> = {};
    for (const u of hooks?.drawnUnits() ?? []) out[u.id] = [u.lon, u.lat];
    return out;
  });
}

/**
 * Logs in and waits for the wall and its live feed (the map's connection badge says live), so
 * that events the hub pushes from here on reach the page. The built-in admin's password is the
 * admin token.
 */
export async function login(page: Page, username = 'admin', password = ADMIN_TOKEN): Promise<void> {
  await submitLogin(page, username, password);
  await page.waitForSelector('[data-testid=wall]', { timeout: 30_000 });
  await page.waitForSelector('.hub-map-connection[data-state=live]', { timeout: 30_000 });
}

/** An init script: records the frequency of each tone the page starts (headless Chromium has no speakers). Read with `tones(page)`. */
export function recordTones(): void {
  const w = window as unknown as { __tones: number[]; AudioContext: typeof AudioContext };
  w.__tones = [];
  const Original = w.AudioContext;
  w.AudioContext = class extends Original {
    override createOscillator(): OscillatorNode {
      const osc = super.createOscillator();
      const start = osc.start.bind(osc);
      osc.start = (when?: number) => {
        w.__tones.push(osc.frequency.value);
        start(when);
      };
      return osc;
    }
  };
}

/** The frequencies (Hz) of the tones the page started so far (needs `recordTones`). */
export function tones(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __tones: number[] }).__tones.slice());
}

/**
 * Waits for the tile showing `unitId` to be live. On a timeout the error gives the tile's states
 * and what it said of each (e.g. "connecting → offline: the unit did not answer"), read every
 * quarter second, so a failure tells where the camera stopped.
 */
export async function waitTileLive(page: Page, unitId: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  const seen: string[] = [];
  let last = '';
  for (;;) {
    const now = await page.evaluate((id) => {
      const tile = document.querySelector(`[data-testid=tile][data-unit-id="${id}"]`);
      if (!tile) return 'no tile';
      return `${tile.getAttribute('data-state')}${tile.querySelector('.tile-detail')?.textContent ? ` (${tile.querySelector('.tile-detail')!.textContent})` : ''}`;
    }, unitId);
    if (now !== last) seen.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${now}`);
    last = now;
    if (now === 'live') return;
    if (Date.now() - started > timeoutMs) throw new Error(`the tile of ${unitId} was not live after ${timeoutMs / 1000} s; it showed: ${seen.join(' → ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
