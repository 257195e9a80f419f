// The console's threat-IP list and custom rules (Settings) in Debian's
// Chromium against a real `vigil server` (SQLite, ephemeral port, a fresh
// Vite build): a threat IP added through the form is listed and stored
// (normalised), a rule file that does not load is refused with the loader's
// file:line:column shown in the form, a valid one is listed, disabled with its
// switch and deleted, each checked through the API; no console error beyond
// the refused upload's 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD } from '../agent/harness.js';
import { consoleSuite } from './harness.js';

const RULE = `- rule: Netcat in container
  desc: netcat started
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = nc
  output: netcat in %container.name
  priority: WARNING
`;

const suite = consoleSuite('vigil-console-intel-');

test('settings: threat IPs and custom rule files through the console', { timeout: 600_000 }, async () => {
  const base = suite.api.url;
  const projectId = (await suite.api.call<{ items: Array<{ id: string }> }>('GET', '/api/v1/projects')).items[0]!.id;
  const rules = () => suite.api.call<{ items: Array<{ name: string; enabled: boolean; ruleCount: number }> }>('GET', `/api/v1/projects/${projectId}/rules`);
  const threats = () => suite.api.call<{ items: Array<{ cidr: string; comment: string }> }>('GET', `/api/v1/projects/${projectId}/threat-ips`);

  const ctx = await suite.browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
  ctx.setDefaultTimeout(90_000);
  ctx.setDefaultNavigationTimeout(90_000);
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 400 && /\/rules$/.test(r.url()))) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  await page.goto(`${base}/login`);
  await page.getByLabel(/Username/).fill('admin');
  await page.getByLabel(/Password/).fill(PASSWORD);
  await page.getByRole('button', { name: /Log in/ }).click();
  await page.waitForURL(/\/overview$/);
  await page.goto(`${base}/settings?project=${projectId}`);

  // A threat IP through the form: listed, stored in canonical form.
  await page.getByRole('button', { name: 'Add threat IP' }).click();
  const threatDialog = page.getByRole('dialog');
  await threatDialog.getByLabel('Address or CIDR').fill('198.51.100.9/24');
  await threatDialog.getByLabel('Comment').fill('scanner range');
  await threatDialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('cell', { name: '198.51.100.0/24', exact: true }).waitFor();
  assert.deepEqual(
    (await threats()).items.map((x) => [x.cidr, x.comment]),
    [['198.51.100.0/24', 'scanner range']],
  );

  // A rule file that does not load: the loader's error, with file, line and column, in the form.
  await page.getByRole('button', { name: 'Upload rule file' }).click();
  const ruleDialog = page.getByRole('dialog');
  await ruleDialog.getByLabel('File name').fill('broken.yaml');
  await ruleDialog
    .getByLabel('Rules (Falco YAML)')
    .fill(
      '- rule: Broken\n  desc: x\n  condition: proc.name = nc and (\n  output: x\n  priority: WARNING\n- rule: Loud\n  desc: z\n  condition: proc.name = nc\n  output: z\n  priority: LOUD\n',
    );
  await ruleDialog.getByRole('button', { name: 'Save' }).click();
  await ruleDialog
    .getByRole('alert')
    .filter({ hasText: /broken\.yaml:3:\d+:/ })
    .waitFor();
  // Every error, each with line:column and code, not only the first.
  const errors = ruleDialog.getByRole('list', { name: 'Errors in the file (2)' }).getByRole('listitem');
  await errors.nth(1).waitFor();
  const shown = await errors.allInnerTexts();
  assert.equal(shown.length, 2);
  assert.match(shown[0]!, /^3:\d+\s+CONDITION_SYNTAX\s+rule 'Broken'/);
  assert.match(shown[1]!, /^6:\d+\s+INVALID_PRIORITY\s+rule 'Loud'/);
  assert.equal((await rules()).items.length, 0);

  // Fixed: accepted, listed with its rule count.
  await ruleDialog.getByLabel('File name').fill('netcat.yaml');
  await ruleDialog.getByLabel('Rules (Falco YAML)').fill(RULE);
  await ruleDialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('cell', { name: 'netcat.yaml', exact: true }).waitFor();
  assert.deepEqual(
    (await rules()).items.map((r) => [r.name, r.enabled, r.ruleCount]),
    [['netcat.yaml', true, 1]],
  );

  // Disabled with its switch.
  await page.getByRole('switch', { name: 'Enable netcat.yaml' }).click();
  for (let i = 0; i < 100; i++) {
    if (!(await rules()).items[0]!.enabled) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await rules()).items[0]!.enabled, false);

  // Deleted, both.
  await page
    .getByRole('row', { name: /netcat\.yaml/ })
    .getByRole('button', { name: 'Delete' })
    .click();
  await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('cell', { name: 'netcat.yaml', exact: true }).waitFor({ state: 'detached' });
  await page
    .getByRole('row', { name: /198\.51\.100\.0\/24/ })
    .getByRole('button', { name: 'Delete' })
    .click();
  await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('cell', { name: '198.51.100.0/24', exact: true }).waitFor({ state: 'detached' });
  assert.equal((await rules()).items.length, 0);
  assert.equal((await threats()).items.length, 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});
