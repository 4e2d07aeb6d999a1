// Story (c) of issue 12 in Chromium against the real hub: an admin creates a body-cam unit on
// the wall's units page, issues its credential and sees the provisioning link with its QR
// code once; a second browser context (the wearer's phone, with a fake camera) opens the
// link, logs in as the unit and goes live; the unit shows online on the wall and its video
// plays on a tile. Screenshots of the admin pages and the dialog go to artifacts/admin/.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { Unit } from '@hub/config';
import { artifactDir } from '../../test-support/browser';
import { eventually, type TestHub } from '../../test-support/test-hub';
import { goLive, withBodyCamWorld } from './support/media-pages';
import { login, openWall } from './support/wall-page';
import type { Browser } from 'playwright-core';

let t: TestHub;
let browser: Browser;
let cams: BrowserContext;
withBodyCamWorld({ latitude: 22.5431, longitude: 114.0579 }, (world) => ({ t, browser, cams } = world));

const shots = artifactDir('admin');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

/** How many of the canvas's pixels are dark: a drawn QR code has many, a blank canvas none. */
const darkPixels = (page: Page) =>
  page.$eval('[data-testid=credential-qr]', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 80) dark++;
    return dark;
  });

describe('story (c): an admin provisions a body cam from the wall', () => {
  test('create a unit, show its QR link once, open the link in another browser and go live on a wall tile', async () => {
    await t.api('POST', '/api/operators', { username: 'ada', displayName: 'Ada Lin', role: 'admin', password: 'ada-password-0123' });
    const { page: wall, context } = await openWall(browser, t.http);
    await login(wall, 'ada', 'ada-password-0123');
    expect(await wall.textContent('[data-testid=operator]')).toContain('Ada Lin');

    await wall.click('[data-testid=page-units]');
    await wall.waitForSelector('[data-testid=units-admin-page]');
    await wall.fill('[data-testid=unit-form-id]', 'bc-301');
    await wall.fill('[data-testid=unit-form-name]', 'Officer Wang');
    await wall.selectOption('[data-testid=unit-form-type]', 'bodycam');
    await wall.fill('[data-testid=unit-form-team]', 'Patrol 3');
    await wall.fill('[data-testid=unit-form-district]', 'Futian');
    await wall.click('[data-testid=unit-create]');
    const row = '[data-testid=unit-admin-row][data-unit-id="bc-301"]';
    await wall.waitForSelector(row);
    expect(await wall.textContent(row)).toContain('Officer Wang');
    await shot(wall, 'units-page');

    await wall.click(`${row} [data-testid=unit-credential]`);
    await wall.waitForSelector('[data-testid=credential-dialog]');
    await wall.waitForSelector('[data-testid=credential-whip]');
    const link = await wall.inputValue('[data-testid=credential-link]');
    const secret = await wall.inputValue('[data-testid=credential-secret]');
    // the secret rides in the fragment, which browsers never send to a server
    expect(link).toBe(`${t.http}/bodycam#unit=bc-301&secret=${secret}`);
    expect(await wall.inputValue('[data-testid=credential-whip]')).toMatch(new RegExp(`^${t.http}/whip/[A-Za-z0-9_-]{8,}$`));
    expect(await darkPixels(wall)).toBeGreaterThan(1000);
    await shot(wall, 'credential-dialog');
    await wall.click('[data-testid=credential-close]');
    await wall.waitForSelector('[data-testid=credential-dialog]', { state: 'detached' });
    // shown once: the page no longer has it, and the hub never gives it again
    expect(await wall.content()).not.toContain(secret);
    expect(JSON.stringify((await t.api<Unit>('GET', '/api/units/bc-301')).body)).not.toContain(secret);

    // the wearer's phone opens the link
    const phone = await cams.newPage();
    await phone.goto(link);
    await phone.waitForSelector('[data-testid="go-live"]');
    expect(phone.url()).toBe(`${t.http}/bodycam`); // the fragment is gone from the address bar
    await goLive(phone);

    // back on the wall: the unit is online, and its camera plays on a tile
    await wall.click('[data-testid=page-toggle]'); // from the units page: back to the wall
    await wall.waitForSelector('[data-testid=unit][data-unit-id="bc-301"][data-online="true"]', { timeout: 20_000 });
    await wall.click('[data-testid=unit][data-unit-id="bc-301"] [data-testid=open-camera]');
    const tile = await eventually(
      async () => {
        const el = await wall.$('[data-testid=tile][data-unit-id="bc-301"][data-state="live"]');
        return el && Number(await el.getAttribute('data-frames')) > 10 ? el : undefined;
      },
      30_000,
      'the body cam live on a wall tile',
    );
    expect(tile).toBeTruthy();
    await shot(wall, 'wall-with-provisioned-unit');

    await wall.click('[data-testid=page-audit]');
    await wall.fill('[data-testid=audit-action]', 'unit_credential_issued');
    await wall.click('[data-testid=audit-apply]');
    // the unfiltered list shows first (it has such rows too): wait until the filter's answer replaced it
    const actions = () => wall.locator('[data-testid=audit-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    await eventually(
      async () => {
        const shown = await actions();
        return shown.length > 0 && shown.every((a) => a === 'unit_credential_issued');
      },
      10_000,
      'the filtered audit list',
    );
    expect(await wall.locator('[data-testid=audit-row]').count()).toBe(1);
    await wall.fill('[data-testid=audit-action]', '');
    await wall.click('[data-testid=audit-apply]');
    await wall.waitForSelector('[data-testid=audit-row][data-action="unit_created"]');
    await shot(wall, 'audit-page');

    await wall.click('[data-testid=page-toggle]'); // to the wall
    await wall.click('[data-testid=page-toggle]'); // to operators
    await wall.waitForSelector('[data-testid=operators-page]');
    await wall.click('[data-testid=operator-row][data-username="ada"] [data-testid=op-edit]');
    await wall.waitForSelector('[data-testid=op-edit-display]');
    await shot(wall, 'operators-edit');
    await wall.selectOption('[data-testid=language]', 'zh-CN');
    await wall.click('[data-testid=page-units]');
    await wall.waitForSelector(row);
    await shot(wall, 'units-page-zh');
    await phone.close();
    await context.close();
  });
});
