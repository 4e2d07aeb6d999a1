// A test file's hub and Chromium: started before its tests, closed after them. Other
// beforeAll/afterAll hooks of the file run after the start and before the close.
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, type LaunchOptions } from './browser';
import { startTestHub, type TestHub } from './test-hub';

export interface HubAndBrowser {
  readonly th: TestHub;
  readonly browser: Browser;
}

/** `launch`: Chromium's options, e.g. a fake camera and microphone for body-cam pages. */
export function hubAndBrowser(overrides: Record<string, unknown> = {}, launch: LaunchOptions = {}): HubAndBrowser {
  let th: TestHub | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    th = await startTestHub(overrides);
    browser = await launchChromium(launch);
  });
  afterAll(async () => {
    await browser?.close();
    await th?.close();
  });
  return {
    get th() {
      if (!th) throw new Error('the test hub is not started yet (use it inside a test or hook)');
      return th;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not started yet (use it inside a test or hook)');
      return browser;
    },
  };
}
