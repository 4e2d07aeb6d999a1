// Incidents on the wall (the emergency loop, section 3), in Chromium against the real hub: the
// list (open first; by state, type and district), an incident's panel with its timeline in
// words, a note, resolve, reopen with a reason and close, and its evidence (the pack downloads).
import { describe, expect, test } from 'vitest';
import path from 'node:path';
import type { Incident, IncidentDetail } from '@hub/config';
import { artifactDir } from '../../test-support/browser';
import { hubAndBrowser } from '../../test-support/hub-and-browser';
import { eventually } from '../../test-support/test-hub';
import { login, openWall } from './support/wall-page';

const world = hubAndBrowser();

describe('incidents on the wall', () => {
  test('a coordinator finds an incident, reads its timeline, notes, resolves, reopens with a reason and closes it', async () => {
    const { th, browser } = world;
    const make = async (type: string, note: string, district?: string) => {
      const res = await th.api<Incident>('POST', '/api/incidents', { type, lat: 22.541, lon: 114.052, note, ...(district ? { district } : {}) });
      expect(res.status).toBe(201);
      return res.body;
    };
    const done = await make('hotline', 'handled yesterday', 'Luohu');
    await th.api('POST', `/api/incidents/${done.id}/transition`, { to: 'resolved' });
    const parking = await make('illegal_parking', 'van on the pavement', 'Futian');
    const hotline = await make('hotline', 'smoke from a drain', 'Futian');

    // the API's filters and order: open first, then the newest
    const list = async (q: string) => (await th.api<Incident[]>('GET', `/api/incidents?${q}`)).body.map((i) => i.id);
    expect(await list('limit=10')).toEqual([hotline.id, parking.id, done.id]);
    expect(await list('type=hotline')).toEqual([hotline.id, done.id]);
    expect(await list('district=Futian&type=illegal_parking')).toEqual([parking.id]);
    expect((await th.api('POST', `/api/incidents/${parking.id}/notes`, { text: '' })).status).toBe(400);

    const { page, context } = await openWall(browser, th.http);
    try {
      await login(page);
      await page.click('[data-testid=tab-incidents]');
      const rows = page.locator('[data-testid=incident-row]');
      await eventually(async () => (await rows.count()) === 2, 10_000, 'the two open incidents');
      await page.selectOption('[data-testid=incident-state-filter]', 'all');
      await eventually(async () => (await rows.count()) === 3, 10_000, 'all three');
      expect(await rows.last().getAttribute('data-incident-id')).toBe(String(done.id)); // the resolved one last
      await page.selectOption('[data-testid=incident-type-filter]', 'illegal_parking');
      await eventually(async () => (await rows.count()) === 1, 10_000, 'the parking incident alone');
      await page.selectOption('[data-testid=incident-type-filter]', '');
      await page.selectOption('[data-testid=incident-district-filter]', 'Luohu');
      await eventually(async () => (await rows.count()) === 1 && (await rows.first().getAttribute('data-incident-id')) === String(done.id), 10_000, 'Luohu');
      await page.selectOption('[data-testid=incident-district-filter]', '');
      await page.selectOption('[data-testid=incident-state-filter]', 'open');

      // the panel: a note, then resolve
      await page.locator(`[data-testid=incident-row][data-incident-id="${parking.id}"]`).click();
      const panel = page.locator('[data-testid=incident-panel]');
      await panel.locator('[data-testid=incident-state]').waitFor();
      expect(await panel.getAttribute('data-state')).toBe('reported');
      await page.fill('[data-testid=incident-note]', 'owner phoned, moving it');
      await page.click('[data-testid=incident-note-add]');
      const timeline = page.locator('[data-testid=incident-timeline]');
      await timeline.getByText('Note: owner phoned, moving it').waitFor({ timeout: 30_000 });
      await page.click('[data-testid=incident-resolve]');
      await eventually(async () => (await panel.getAttribute('data-state')) === 'resolved', 10_000, 'resolved');
      await timeline.getByText('State changed: reported → resolved').waitFor();
      // no resolve offered any more; reopening asks for a reason
      expect(await page.locator('[data-testid=incident-resolve]').count()).toBe(0);
      await page.click('[data-testid=incident-reopen]');
      expect(await page.locator('[data-testid=incident-reopen-confirm]').isDisabled()).toBe(true);
      await page.fill('[data-testid=incident-reopen-reason]', 'the van came back');
      await page.click('[data-testid=incident-reopen-confirm]');
      await eventually(async () => (await panel.getAttribute('data-state')) === 'reported', 10_000, 'reopened');
      await timeline.getByText('Reopened: resolved → reported · reason: the van came back').waitFor();
      await page.click('[data-testid=incident-resolve]');
      await page.locator('[data-testid=incident-close]').click();
      await eventually(async () => (await panel.getAttribute('data-state')) === 'closed', 10_000, 'closed');

      // evidence: no recordings for a hand-made incident, and the pack downloads
      expect(await page.locator('[data-testid=incident-recordings]').textContent()).toBe('No recordings.');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=incident-evidence-pack]')]);
      expect(download.suggestedFilename()).toBe(`incident-${parking.id}-evidence.tar`);
      await page.screenshot({ path: path.join(artifactDir('wall'), 'incident-panel.png') });

      // the trail the hub kept is the one the panel showed
      const detail = (await th.api<IncidentDetail>('GET', `/api/incidents/${parking.id}`)).body;
      expect(detail.timeline.map((e) => e.kind)).toEqual(['created', 'note', 'transition', 'reopened', 'transition', 'transition']);
      expect(detail.timeline[1]).toMatchObject({ actor: 'admin', detail: { text: 'owner phoned, moving it' } });

      // in Chinese, the timeline has no English words left
      await page.selectOption('[data-testid=language]', 'zh-CN');
      await timeline.getByText('备注：owner phoned, moving it').waitFor({ timeout: 30_000 });
      expect(await timeline.textContent()).not.toMatch(/Note|State changed|Reopened|Incident opened/);

      // back to the list: the closed incident left the open ones
      await page.click('[data-testid=incident-back]');
      await eventually(async () => (await rows.count()) === 1 && (await rows.first().getAttribute('data-incident-id')) === String(hotline.id), 10_000, 'only the hotline open');
    } finally {
      await context.close();
    }
  });
});
