// Debian's Chromium driven by playwright-core (docs/decisions/0006-browser-tests.md): the flags this
// machine needs (no network but loopback, no GPU), and a fake camera and microphone.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebRTC on loopback: keep host candidates as addresses, not mDNS names
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchOptions {
  /** a fake camera and microphone (Chromium's test pattern with a frame counter) */
  fakeCamera?: boolean;
  /** extra Chromium flags */
  args?: string[];
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const args = [...BASE_FLAGS, ...(opts.args ?? [])];
  if (opts.fakeCamera) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/** A context whose pages may use camera, microphone and geolocation on `origin`. */
export async function newDeviceContext(browser: Browser, origin: string, geolocation?: { latitude: number; longitude: number }): Promise<BrowserContext> {
  const ctx = await browser.newContext({ geolocation, viewport: { width: 1600, height: 900 } });
  await ctx.grantPermissions(['camera', 'microphone', 'geolocation'], { origin });
  return ctx;
}

/** Where tests save screenshots for a person to look at (kept by CI as artifacts). */
export function artifactDir(name: string): string {
  const dir = path.resolve(process.cwd(), 'artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
