// The KPI page at /kpi renders in Chromium, and its numbers and bars are the API's.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { KPI_METRICS, type Incident, type KpiResponse } from '@hub/config';
import { artifactDir, launchChromium } from '../../test-support/browser';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../../test-support/test-hub';

let th: TestHub;
let browser: Browser;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  th = await startTestHub();
  browser = await launchChromium();
  // incidents in two districts and one without: dispatched, then resolved, at different paces
  const plan: [string | undefined, number, number][] = [
    ['Futian', 50, 120],
    ['Futian', 150, 60],
    ['Futian', 20, 30],
    ['Nanshan', 80, 200],
    ['Nanshan', 10, 10],
    [undefined, 40, 40],
  ];
  await Promise.all(
    plan.map(async ([district, dispatchAfter, resolveAfter], i) => {
      const { body } = await th.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.5 + i / 100, lon: 114, ...(district ? { district } : {}) });
      await pause(dispatchAfter);
      await th.api('POST', `/api/incidents/${body.id}/transition`, { to: 'dispatched' });
      await pause(resolveAfter);
      await th.api('POST', `/api/incidents/${body.id}/transition`, { to: 'resolved' });
    }),
  );
});
afterAll(async () => {
  await browser?.close();
  await th?.close();
});

test('the KPI page shows the API’s figures per district, as a table and as bars', async () => {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const api = (await th.api<KpiResponse>('GET', `/api/kpis?from=${from}&to=${to}&groupBy=district`)).body;
  expect(api.groups.map((g) => g.key)).toEqual(['Futian', 'Nanshan', '(none)']);
  expect(api.groups[0]!.resolve.count).toBe(3);

  const page = await browser.newPage();
  const res = await page.goto(`${th.http}/kpi?token=${ADMIN_TOKEN}&from=${from}&to=${to}&groupBy=district`);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('[data-testid="kpi-table"] tbody tr');
  expect(page.url()).not.toContain('token='); // the token leaves the address bar

  for (const g of api.groups) {
    const row = page.locator(`tr[data-group="${g.key}"]`);
    expect(Number(await row.locator('[data-kpi="incidents"]').getAttribute('data-value'))).toBe(g.incidents);
    for (const m of KPI_METRICS) {
      expect(Number(await row.locator(`[data-kpi="${m}.count"]`).innerText())).toBe(g[m].count);
      const median = await row.locator(`[data-kpi="${m}.median"]`).getAttribute('data-value');
      const p90 = await row.locator(`[data-kpi="${m}.p90"]`).getAttribute('data-value');
      expect(median === '' ? null : Number(median)).toBe(g[m].median);
      expect(p90 === '' ? null : Number(p90)).toBe(g[m].p90);
      if (g[m].median !== null) {
        expect(await row.locator(`[data-kpi="${m}.median"]`).innerText()).toBe(g[m].median! < 100 ? g[m].median!.toFixed(1) : String(Math.round(g[m].median!)));
      }
    }
  }
  // one bar per group with a median, and the longest bar is the largest median
  const bars = page.locator('[data-testid="chart-resolve"] rect.bar');
  expect(await bars.count()).toBe(3);
  const widths = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('width'))));
  const medians = api.groups.map((g) => g.resolve.median!);
  expect(widths.indexOf(Math.max(...widths))).toBe(medians.indexOf(Math.max(...medians)));
  await page.screenshot({ path: `${artifactDir('incidents')}/kpi-page.png`, fullPage: true });

  // in Chinese
  await page.goto(`${th.http}/kpi?lang=zh-CN&from=${from}&to=${to}&groupBy=district`);
  await page.waitForSelector('[data-testid="kpi-table"] tbody tr');
  expect(await page.locator('h1').innerText()).toBe('响应时间');
  await page.close();
});
