// The wall in Chromium against the real hub: logging in and out, refusals for a logged-out
// browser, and a session ended elsewhere.
import { describe, expect, test } from 'vitest';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { ADMIN_TOKEN } from '../../test-support/test-hub';
import { login, openWall, submitLogin } from './support/wall-page';

const env = hubAndBrowser();

describe('logging in', () => {
  test('a wrong password shows the reason; the right one shows the wall; logout returns to the login screen', async () => {
    const { page, context, errors } = await openWall(env.browser, env.th.http);
    await submitLogin(page, 'admin', 'not-the-token');
    const reason = page.locator('[data-testid=login-reason]');
    await reason.waitFor();
    expect(await reason.getAttribute('data-code')).toBe('HUB_ERR_LOGIN_FAILED');
    expect(await reason.textContent()).toBe('Wrong username or password.');

    await submitLogin(page, 'admin', ADMIN_TOKEN);
    await page.waitForSelector('[data-testid=wall]');
    expect(await page.locator('[data-testid=operator]').getAttribute('data-role')).toBe('admin');
    // the token is kept for this tab only
    const stored = await page.evaluate(() => sessionStorage.getItem('wall.session'));
    expect(stored).toContain('"token"');
    expect(await page.evaluate(() => localStorage.getItem('wall.session'))).toBeNull();

    // the language switch is remembered
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await page.waitForFunction(() => document.querySelector('[data-testid=logout]')?.textContent === '退出登录');
    await page.reload();
    await page.waitForSelector('[data-testid=wall]'); // the session survives a reload of the tab
    expect(await page.locator('[data-testid=logout]').textContent()).toBe('退出登录');
    await page.selectOption('[data-testid=language]', 'en');

    const token = JSON.parse(stored!).token as string;
    await page.click('[data-testid=logout]');
    await page.waitForSelector('[data-testid=login]');
    // the session is over at the hub too
    expect((await fetch(env.th.http + '/api/units', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a logged-out browser gets nothing: the API answers 401 and the live socket is refused', async () => {
    const { page, context } = await openWall(env.browser, env.th.http);
    await page.waitForSelector('[data-testid=login]');
    const res = await page.evaluate(async () => {
      const api = await fetch('/api/units');
      const alarms = await fetch('/api/alarms');
      return { units: api.status, alarms: alarms.status, body: await api.json() };
    });
    expect(res).toMatchObject({ units: 401, alarms: 401, body: { code: 'HUB_ERR_AUTH_REQUIRED' } });
    // socket.io's own handshake from the page, with no token and with a wrong one
    const refused = await page.evaluate(async () => {
      const open = async (connectPacket: string) => {
        const r = await fetch('/socket.io/?EIO=4&transport=polling');
        const sid = /"sid":"([^"]+)"/.exec(await r.text())?.[1];
        if (!sid) return `no sid: ${r.status}`;
        await fetch(`/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: connectPacket });
        return (await fetch(`/socket.io/?EIO=4&transport=polling&sid=${sid}`)).text();
      };
      return { none: await open('40'), wrong: await open('40{"token":"wrong"}') };
    });
    // "44" is socket.io's CONNECT_ERROR packet
    expect(refused.none).toMatch(/^44.*HUB_ERR_AUTH_REQUIRED/);
    expect(refused.wrong).toMatch(/^44.*HUB_ERR_AUTH_INVALID/);
    await context.close();
  });

  test('a session the hub ends sends the wall back to the login screen with the reason', async () => {
    const { page, context } = await openWall(env.browser, env.th.http);
    await login(page);
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('wall.session')!).token as string);
    // ended elsewhere (another tab's logout): the hub cuts the wall's live socket, whose
    // reconnection is refused, and every REST call is refused too
    await fetch(env.th.http + '/api/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const reason = page.locator('[data-testid=login-reason]');
    await reason.waitFor();
    expect(await reason.getAttribute('data-code')).toBe('HUB_ERR_AUTH_INVALID');
    await context.close();
  });
});
