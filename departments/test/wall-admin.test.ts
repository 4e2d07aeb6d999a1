// The wall's side of issue 16's third step, in Chromium against a real hub: the departments admin
// page (list, add, edit with a deadline per case type and quotas, delete after a confirmation; en
// and zh-CN), the incident panel's close override after HUB_ERR_EVIDENCE_REQUIRED, and a 12319
// case as a marker on the map where the caller said, which opens the case when clicked.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Department, DepartmentCase, Incident, IncidentDetail } from '@hub/config';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';

const CENTRE = { lat: 22.54, lon: 114.05 }; // the sample basemap's "Centre district (illustrative)"
const shots = artifactDir('departments');

let t: TestHub;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  t = await startTestHub({ 'departments.deadlines': { illegal_parking: 3600 } });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'en-GB' });
  await context.addInitScript(() => {
    if (!localStorage.getItem('wall.locale')) localStorage.setItem('wall.locale', 'en');
  });
  page = await context.newPage();
  // a script error on the page fails the test that caused it
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(t.http + '/?testHooks');
  await page.fill('[data-testid=login-username]', 'admin');
  await page.fill('[data-testid=login-password]', ADMIN_TOKEN);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=wall]', { timeout: 30_000 });
}, 60_000);

afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const departments = async () => (await t.api<Department[]>('GET', '/api/departments')).body;
const row = (name: string) => page.locator(`[data-testid=department-admin-row][data-name="${name}"]`);
const message = () => page.locator('[data-testid=admin-message]');

describe('the departments admin page', () => {
  it('adds a department with its districts, case types, a deadline per type and quotas', async () => {
    await page.click('[data-testid=page-departments]');
    await page.waitForSelector('[data-testid=departments-admin-page]');
    await page.fill('[data-testid=department-form-name]', 'Centre enforcement team');
    await page.fill('[data-testid=department-form-districts]', 'Centre district (illustrative)');
    await page.fill('[data-testid=department-form-case-types]', 'illegal_parking, street_occupation');
    await page.fill('[data-testid=department-form-deadline][data-case-type=illegal_parking]', '45');
    await page.fill('[data-testid=department-form-month-inTimePercent]', '90');
    await page.fill('[data-testid=department-form-month-maxOverdue]', '2');
    await page.fill('[data-testid=department-form-day-maxMedianMinutes]', '30');
    await page.click('[data-testid=department-create]');
    await row('Centre enforcement team').waitFor({ timeout: 30_000 });
    expect(await message().textContent()).toBe('Department Centre enforcement team added.');
    const [d] = await departments();
    expect(d).toMatchObject({
      name: 'Centre enforcement team',
      kind: 'unit',
      districts: ['Centre district (illustrative)'],
      caseTypes: ['illegal_parking', 'street_occupation'],
      deadlines: { illegal_parking: 2700 },
      quota: { month: { inTimeRate: 0.9, maxOverdue: 2 }, day: { maxResolveMedianSeconds: 1800 } },
    });
    expect(await row('Centre enforcement team').locator('[data-testid=department-deadlines]').textContent()).toBe('illegal_parking 45 min');
  });

  it('edits it in place; a new case takes the department’s own deadline', async () => {
    await row('Centre enforcement team').locator('[data-testid=department-edit]').click();
    await page.fill('[data-testid=department-edit-deadline][data-case-type=illegal_parking]', '30');
    await page.selectOption('[data-testid=department-edit-kind]', 'agency');
    await page.click('[data-testid=department-save]');
    await eventually(async () => (await departments())[0]!.deadlines.illegal_parking === 1800, 10_000, 'the deadline saved');
    expect((await departments())[0]).toMatchObject({ kind: 'agency', quota: { month: { inTimeRate: 0.9, maxOverdue: 2 } } });
    await row('Centre enforcement team').locator('[data-testid=department-deadlines]', { hasText: 'illegal_parking 30 min' }).waitFor();
    const incident = (await t.api<Incident>('POST', '/api/incidents', { type: 'illegal_parking', ...CENTRE })).body;
    const c = (await t.api<DepartmentCase>('GET', `/api/incidents/${incident.id}/department`)).body;
    expect(Date.parse(c.dueAt) - Date.parse(incident.createdAt)).toBe(1800_000);
  });

  it('deletes only after the confirmation in the row; one with cases stays, said in words', async () => {
    await page.fill('[data-testid=department-form-name]', 'Temporary desk');
    await page.fill('[data-testid=department-form-case-types]', 'sanitation');
    await page.click('[data-testid=department-create]');
    await row('Temporary desk').waitFor();
    await row('Temporary desk').locator('[data-testid=department-delete]').click();
    await row('Temporary desk').getByText('Delete Temporary desk? This cannot be undone.').waitFor();
    await row('Temporary desk').locator('[data-testid=department-delete-cancel]').click();
    expect((await departments()).map((d) => d.name)).toContain('Temporary desk');
    await row('Temporary desk').locator('[data-testid=department-delete]').click();
    await row('Temporary desk').locator('[data-testid=department-delete-confirm]').click();
    await row('Temporary desk').waitFor({ state: 'detached' });
    expect((await departments()).map((d) => d.name)).toEqual(['Centre enforcement team']);
    await row('Centre enforcement team').locator('[data-testid=department-delete]').click();
    await row('Centre enforcement team').locator('[data-testid=department-delete-confirm]').click();
    await message().getByText('This department has cases: it cannot be deleted.').waitFor();
    const audit = (await t.api<{ action: string; target: string | null }[]>('GET', '/api/audit?limit=200')).body.filter((a) => a.target?.startsWith('department:')).map((a) => a.action);
    expect(audit.sort()).toEqual(['department_changed', 'department_created', 'department_created', 'department_deleted']);
    await page.screenshot({ path: path.join(shots, 'admin-departments-en.png'), fullPage: true });
    await page.selectOption('[data-testid=language]', 'zh-CN');
    await page.getByRole('heading', { name: '部门管理' }).waitFor();
    expect(await row('Centre enforcement team').textContent()).toContain('illegal_parking 30 分钟');
    expect(await row('Centre enforcement team').textContent()).toContain('协作部门');
    await page.screenshot({ path: path.join(shots, 'admin-departments-zh-CN.png'), fullPage: true });
    await page.selectOption('[data-testid=language]', 'en');
    await page.click('[data-testid=page-toggle]'); // from an admin page: back to the wall
    await page.waitForSelector('[data-testid=live-map]');
  });
});

describe('the wall', () => {
  it('offers an admin the close override after HUB_ERR_EVIDENCE_REQUIRED; the reason lands in the trail', async () => {
    const incident = (await t.api<Incident>('POST', '/api/incidents', { type: 'illegal_parking', ...CENTRE, note: 'a van on the pavement' })).body;
    await page.click('[data-testid=tab-incidents]');
    await page.locator(`[data-testid=incident-row][data-incident-id="${incident.id}"]`).click();
    await page.waitForSelector(`[data-testid=incident-panel][data-incident-id="${incident.id}"]`);
    expect(await page.locator('[data-testid=incident-override]').count()).toBe(0);
    await page.click('[data-testid=incident-resolve]');
    await page.locator('[data-testid=incident-panel] .error', { hasText: 'This case closes only with a photo from the scene' }).waitFor();
    await page.fill('[data-testid=incident-override-reason]', 'too short');
    expect(await page.isDisabled('[data-testid=incident-override-confirm]')).toBe(true);
    await page.fill('[data-testid=incident-override-reason]', 'the body cam failed; the van left before we arrived');
    await page.screenshot({ path: path.join(shots, 'wall-incident-override.png') });
    await page.click('[data-testid=incident-override-confirm]');
    await page.waitForSelector(`[data-testid=incident-panel][data-state=resolved]`, { timeout: 30_000 });
    await page
      .locator('[data-testid=incident-timeline]')
      .getByText('Closed without the scene photo, by an admin’s override: reason: the body cam failed; the van left before we arrived')
      .waitFor({ timeout: 30_000 });
    const d = (await t.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body;
    expect(d.timeline.find((e) => e.kind === 'evidence_overridden')).toMatchObject({ actor: 'admin', detail: { reason: 'the body cam failed; the van left before we arrived' } });
    await page.click('[data-testid=incident-back]');
  });

  it('shows a 12319 case where the caller said, with its category; a click opens the case', async () => {
    const PLACE = { lat: 22.5465, lon: 114.0445 };
    const complaint = (
      await t.api<{ incidentId: number }>('POST', '/api/hotline/complaints', { callerName: '王女士', callerPhone: '13812345678', category: 'noise', description: 'Building work at night', ...PLACE })
    ).body;
    await page.click('[data-testid=tab-linkage]');
    const marker = page.locator(`[data-testid=hotline-marker][data-incident-id="${complaint.incidentId}"]`);
    await marker.waitFor({ timeout: 30_000 });
    expect(await marker.textContent()).toBe('12319 · Noise');
    // drawn where the caller said: the label's pointed corner 10 px right of and above the place's point (beside the incident's diamond)
    type Hooks = { map: { isMoving(): boolean; project(p: [number, number]): { x: number; y: number }; getContainer(): HTMLElement }; toMap(lat: number, lon: number): [number, number] };
    await page.evaluate(
      ({ lat, lon }) =>
        (window as unknown as { __hubWall: Hooks & { map: { jumpTo(o: object): void } } }).__hubWall.map.jumpTo({
          center: (window as unknown as { __hubWall: Hooks }).__hubWall.toMap(lat, lon),
          zoom: 15,
        }),
      PLACE,
    );
    await page.waitForFunction(() => !(window as unknown as { __hubWall: Hooks }).__hubWall.map.isMoving());
    const expected = await page.evaluate(({ lat, lon }) => {
      const h = (window as unknown as { __hubWall: Hooks }).__hubWall;
      const p = h.map.project(h.toMap(lat, lon));
      const r = h.map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, PLACE);
    const box = (await marker.boundingBox())!;
    expect(Math.abs(box.x - (expected.x + 10))).toBeLessThan(3);
    expect(Math.abs(box.y + box.height - (expected.y - 10))).toBeLessThan(3);
    await page.screenshot({ path: path.join(shots, 'wall-hotline-marker.png') });
    await marker.click();
    await page.waitForSelector(`[data-testid=incident-panel][data-incident-id="${complaint.incidentId}"]`, { timeout: 30_000 });
    expect(await page.getAttribute('[data-testid=tab-incidents]', 'class')).toContain('active');
    // closed, it leaves the map
    expect((await t.api('POST', `/api/incidents/${complaint.incidentId}/transition`, { to: 'resolved' })).status).toBe(200);
    await marker.waitFor({ state: 'detached', timeout: 30_000 });
  });
});
