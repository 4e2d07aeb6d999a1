// The hub serves the built wall and body-cam pages, and Debian's Chromium renders them.
import { expect, test } from 'vitest';
import { hubAndBrowser } from '../../test-support/hub-and-browser';

const env = hubAndBrowser();

test('the wall page is served at / and renders in Chromium', async () => {
  const page = await env.browser.newPage();
  const res = await page.goto(env.th.http + '/');
  expect(res?.status()).toBe(200);
  await page.waitForSelector('#root *');
  expect(await page.title()).not.toBe('');
  await page.close();
});

test('the body-cam page is served at /bodycam', async () => {
  const page = await env.browser.newPage();
  const res = await page.goto(env.th.http + '/bodycam');
  expect(res?.status()).toBe(200);
  await page.waitForSelector('#root *');
  await page.close();
});

test('the hub index page stays at /hub', async () => {
  const res = await fetch(env.th.http + '/hub');
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('/docs');
});
