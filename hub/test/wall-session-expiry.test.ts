// A logged-in operator's session running out while the wall is open, in Chromium against a hub
// whose sessions last 9 seconds (auth.sessionHours): the wall goes back to the login screen
// saying the session expired, instead of staying up with every call refused.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../test-support/browser';
import { startTestHub, type TestHub } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const SESSION_S = 9;
let th: TestHub;
let browser: Browser;

beforeAll(async () => {
  th = await startTestHub({ 'auth.sessionHours': SESSION_S / 3600 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await th?.close();
});

test('an expired session brings the login screen back with the reason; the hub refuses the token too', async () => {
  const op = await th.createOperator('night-desk', 'coordinator');
  const { page, context, errors } = await openWall(browser, th.http);
  await login(page, op.username, op.password);
  const { token, expiresAt } = await page.evaluate(() => JSON.parse(sessionStorage.getItem('wall.session')!) as { token: string; expiresAt: string });
  const left = Date.parse(expiresAt) - Date.now();
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThanOrEqual(SESSION_S * 1000);
  expect(await page.locator('[data-testid=wall]').count()).toBe(1);

  // nobody touches the wall: it notices by itself
  const reason = page.locator('[data-testid=login-reason]');
  await reason.waitFor({ timeout: SESSION_S * 1000 + 20_000 });
  expect(await reason.getAttribute('data-code')).toBe('HUB_ERR_SESSION_EXPIRED');
  expect(await reason.textContent()).toBe('Your session has expired. Please log in again.');
  expect(await page.locator('[data-testid=wall]').count()).toBe(0);
  expect(await page.evaluate(() => sessionStorage.getItem('wall.session'))).toBeNull();
  expect((await fetch(th.http + '/api/units', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

  // and logging in again works
  await login(page, op.username, op.password);
  expect(errors).toEqual([]);
  await context.close();
});
