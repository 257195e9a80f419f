// The Alerts page's node, container and end-time filters and the Audit
// page's filtered export, in Debian's Chromium against a real `vigil server`
// (SQLite, ephemeral port, a fresh Vite build): each filter typed into the
// toolbar lands in the URL and narrows the table to what the API answers for
// it; the lists' row selection and header sorting (components/DataTable.tsx);
// the Audit page's CSV export holds exactly the records its filters
// select; both pages stay axe-clean with the filters applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../agent/harness.js';
import { axe, consoleSuite, loggedInPage } from './harness.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

const suite = consoleSuite('vigil-console-filters-');

/** The table's rows once the list shows `n` of them (the answer to the filter now in the URL). */
async function rows(page: Page, n: number): Promise<string[]> {
  // Polled from here: the page's CSP forbids the string evaluation waitForFunction would need.
  for (let i = 0; i < 1200; i++) {
    if ((await page.locator('.ant-table-row').count()) === n && (await page.locator('.ant-spin-spinning').count()) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await page.locator('.ant-table-row').count(), n, `the table did not show ${n} rows at ${page.url()}`);
  return page.locator('.ant-table-row').allInnerTexts();
}

test('alerts: node, container and end-time filters; audit: the export holds what the filters select', { timeout: 600_000 }, async () => {
  const base = suite.api.url;
  const projectId = (await suite.api.call<{ items: Array<{ id: string }> }>('GET', '/api/v1/projects')).items[0]!.id;
  // 3 nodes x 3 containers x 2 types, a minute apart.
  const alerts = [];
  let i = 0;
  for (const host of ['node-a', 'node-b', 'node-c'])
    for (let c = 0; c < 3; c++)
      for (const type of ['system/reverse-shell', 'custom/probe'])
        alerts.push({
          id: `al-${i}`,
          type,
          severity: 'high',
          time: new Date(T0 + i++ * 60_000).toISOString(),
          message: `probe on ${host}`,
          rule: 'probe',
          host,
          container: { id: `${host.slice(-1)}${c}`.padEnd(64, '0'), name: `web-${host}-${c}` },
        });
  await suite.api.call('POST', `/api/v1/alerts:batch?project=${projectId}`, { alerts });
  const count = async (q: string) => (await suite.api.call<{ items: unknown[] }>('GET', `/api/v1/alerts?project=${projectId}&limit=500&${q}`)).items.length;

  const { ctx, page, problems } = await loggedInPage(
    suite.browser,
    { viewport: { width: 1500, height: 1000 }, locale: 'en-US', acceptDownloads: true },
    base,
    'admin',
    PASSWORD,
  );

  await page.goto(`${base}/alerts?project=${projectId}`);
  assert.equal((await rows(page, 18)).length, 18);
  // The list's row selection (components/DataTable.tsx): all, then one row less.
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await page.getByText('18 selected').waitFor();
  await page.getByRole('checkbox', { name: 'Row 2 selected' }).uncheck();
  await page.getByText('17 selected').waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Select all' }).isChecked(), false);
  await page.getByRole('checkbox', { name: 'Select all' }).check();
  await page.getByText('18 selected').waitFor();
  await page.getByRole('checkbox', { name: 'Select all' }).uncheck();
  await page.getByText('0 selected').waitFor();
  // Node: typed and applied; in the URL; only that node's groups.
  await page.getByRole('searchbox', { name: 'Node' }).fill('node-b');
  await page.getByRole('searchbox', { name: 'Node' }).press('Enter');
  await page.waitForURL(/[?&]node=node-b(&|$)/);
  const byNode = await rows(page, await count('node=node-b'));
  assert.equal(byNode.length, 6);
  assert.ok(
    byNode.every((r) => r.includes('node-b') && !r.includes('node-a') && !r.includes('node-c')),
    byNode.join('\n'),
  );
  // Container by name on top: its two groups.
  await page.getByRole('searchbox', { name: 'Container (ID or name)' }).fill('web-node-b-2');
  await page.getByRole('searchbox', { name: 'Container (ID or name)' }).press('Enter');
  await page.waitForURL(/[?&]container=web-node-b-2(&|$)/);
  assert.match(page.url(), /node=node-b/);
  const byContainer = await rows(page, 2);
  assert.ok(byContainer.every((r) => r.includes('web-node-b-2')));
  assert.deepEqual(await axe(page), []);

  // End time alone (a shareable URL reopened): the groups last seen before it.
  await page.goto(`${base}/alerts?project=${projectId}`);
  await rows(page, 18);
  const until = new Date(T0 + 5 * 60_000).toISOString();
  await page.getByRole('textbox', { name: 'Last seen before' }).fill(until);
  await page.getByRole('textbox', { name: 'Last seen before' }).press('Enter');
  await page.waitForURL((u) => u.searchParams.get('until') === until);
  const before = await rows(page, await count(`until=${encodeURIComponent(until)}`));
  assert.equal(before.length, 5);
  assert.ok(before.every((r) => r.includes('node-a')));

  // Server-side sorting from a column header (mouse, then keyboard): ascending, descending, none, in the URL and aria-sort.
  await page.goto(`${base}/images?project=${projectId}`);
  const critical = page.getByRole('columnheader', { name: 'Critical' });
  await critical.click();
  await page.waitForURL((u) => u.searchParams.get('sort') === 'critical');
  await page.locator('th[aria-sort="ascending"]', { hasText: 'Critical' }).waitFor();
  await critical.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('sort') === '-critical');
  await page.locator('th[aria-sort="descending"]', { hasText: 'Critical' }).waitFor();
  await critical.click();
  await page.waitForURL((u) => !u.searchParams.has('sort'));
  await page.locator('th[aria-sort]').waitFor({ state: 'detached' });

  // Audit: filter by event in the toolbar, then export CSV: exactly the records of that event.
  await page.goto(`${base}/audit`);
  await page.getByRole('searchbox', { name: 'Event' }).fill('ingestAlerts');
  await page.getByRole('searchbox', { name: 'Event' }).press('Enter');
  await page.waitForURL(/[?&]event=ingestAlerts(&|$)/);
  const listed = await suite.api.call<{ items: Array<{ seq: number; event: string }> }>('GET', '/api/v1/audit?event=ingestAlerts&limit=1000');
  assert.ok(listed.items.length >= 1);
  await rows(page, listed.items.length);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  assert.match(csv[0]!, /^seq,time,/);
  const event = csv[0]!.split(',').indexOf('event');
  assert.deepEqual(
    csv.slice(1).map((l) => l.split(',')[event]),
    listed.items.map(() => 'ingestAlerts'),
  );
  assert.deepEqual(
    csv.slice(1).map((l) => Number(l.split(',')[0])),
    listed.items.map((r) => r.seq),
  );
  // The whole trail has more: the export did not ignore the filter.
  const all = await suite.api.call<{ items: unknown[] }>('GET', '/api/v1/audit?limit=1000');
  assert.ok(all.items.length > listed.items.length);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await ctx.close();
});
