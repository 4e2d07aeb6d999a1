// The hub serves the built wall and body-cam pages, and Debian's Chromium renders them.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../test-support/browser';
import { startTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;
let browser: Browser;

beforeAll(async () => {
  th = await startTestHub();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await th?.close();
});

test('the wall page is served at / and renders in Chromium', async () => {
  const page = await browser.newPage();
  const res = await page.goto(th.http + '/');
  expect(res?.status()).toBe(200);
  await page.waitForSelector('#root *');
  expect(await page.title()).not.toBe('');
  await page.close();
});

test('the body-cam page is served at /bodycam', async () => {
  const page = await browser.newPage();
  const res = await page.goto(th.http + '/bodycam');
  expect(res?.status()).toBe(200);
  await page.waitForSelector('#root *');
  await page.close();
});

test('the hub index page stays at /hub', async () => {
  const res = await fetch(th.http + '/hub');
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('/docs');
});
