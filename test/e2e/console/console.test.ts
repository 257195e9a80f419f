// The web console end to end: a real `vigil server --demo` (SQLite, the demo
// image scanned with the demo vulnerability DB, demo data seeded, ephemeral
// port) serving a fresh Vite build of web/, driven by Debian's Chromium
// through playwright-core. Every page renders in both languages with no
// console error, no failed request and no serious/critical axe-core
// violation; the main flows run through the UI and show up in the audit
// trail; a ReadOnlyAccess user sees no write action and the API refuses
// them anyway. Screenshots go to test/e2e/artifacts/console (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AWS_KEY_ID, AWS_SECRET, badImage } from '../../helpers/content-images.js';
import { writeDockerArchive } from '../../helpers/image-builder.js';
import { ADMIN_PASSWORD, artifacts, axe, login, settle, startConsole, stopConsole, watchedPage, type ConsoleServer } from './harness.js';

const PAGES: { name: string; path: string; heading: RegExp }[] = [
  { name: 'overview', path: '/overview', heading: /Overview|总览/ },
  { name: 'images', path: '/images', heading: /Images|镜像/ },
  { name: 'alerts', path: '/alerts', heading: /Alerts|告警/ },
  { name: 'policies', path: '/policies', heading: /Policies|策略管理/ },
  { name: 'registries', path: '/registries', heading: /Registries|镜像仓库/ },
  { name: 'clusters', path: '/clusters', heading: /Clusters and nodes|集群与节点/ },
  { name: 'audit', path: '/audit', heading: /Audit trail|审计日志/ },
  { name: 'users', path: '/users', heading: /Users and tokens|用户与令牌/ },
  { name: 'settings', path: '/settings', heading: /Settings|设置/ },
];

let c: ConsoleServer;
let dir: string;
let base: string;
let browser: Browser;
let projectId: string;
let imageId: string;
let imageRef: string;
/** An image with malware, secrets, failed baseline checks and unowned files (test/helpers/content-images.ts). */
let contentImageId: string;
const api: ConsoleServer['api'] = (...a) => c.api(...a);
const token: ConsoleServer['token'] = (...a) => c.token(...a);
const adminSession: ConsoleServer['adminSession'] = () => c.adminSession();

describe('web console in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    c = await startConsole();
    ({ dir, base, browser, projectId } = c);
    const admin = await token('admin', ADMIN_PASSWORD);
    const im = (await api('GET', `/api/v1/projects/${projectId}/images`, admin)).body.items[0];
    imageId = im.id;
    imageRef = im.ref;
    // The demo's directory is allowed for local references: the content image sits beside the demo image.
    await writeDockerArchive(join(dir, 'content.tar'), badImage());
    const added = await api('POST', `/api/v1/projects/${projectId}/images`, admin, { ref: `docker-archive:${join(dir, 'content.tar')}`, scan: true });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    contentImageId = added.body.id;
    const u = await api('POST', '/api/v1/users', admin, { username: 'auditor', password: 'tq9-ledger-reader-77', role: 'ReadOnlyAccess', projectId });
    assert.equal(u.status, 201, JSON.stringify(u.body));
  });

  after(() => stopConsole(c));

  test('log in, every page in English and Chinese: no console error, no failed request, no serious axe violation', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
    const { page, problems } = await watchedPage(ctx);
    await page.goto(`${base}/overview`);
    await page.waitForURL(/\/login\?next=%2Foverview/);
    // The login page itself, before any session: only the 401-free public files load.
    const a11y: string[] = (await axe(page)).map((v) => `login: ${v}`);
    await page.screenshot({ path: join(artifacts, 'en-login.png') });
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(/\/overview$/);
    for (const lang of ['en', 'zh'] as const) {
      if (lang === 'zh') {
        await page.getByRole('combobox', { name: 'Language' }).click();
        await page.getByTitle('简体中文').click();
        await page.getByRole('navigation').getByText('镜像', { exact: true }).waitFor();
        await page.reload();
        await page.getByRole('navigation').getByText('镜像', { exact: true }).waitFor(); // remembered across a reload
      }
      for (const p of PAGES) {
        await page.goto(`${base}${p.path}?project=${projectId}`);
        await page.getByRole('heading', { level: 2, name: p.heading }).first().waitFor();
        await settle(page);
        a11y.push(...(await axe(page)).map((v) => `${lang} ${p.name}: ${v}`));
        await page.screenshot({ path: join(artifacts, `${lang}-${p.name}.png`), fullPage: true });
      }
      await page.goto(`${base}/images/${imageId}?project=${projectId}`);
      await page.getByRole('heading', { level: 2, name: imageRef }).waitFor();
      await settle(page);
      a11y.push(...(await axe(page)).map((v) => `${lang} image detail: ${v}`));
      await page.screenshot({ path: join(artifacts, `${lang}-image-detail.png`), fullPage: true });
    }
    // Back to English.
    await page.getByRole('combobox', { name: '语言' }).click();
    await page.getByTitle('English').click();
    await page.getByRole('heading', { level: 2, name: imageRef }).waitFor();
    await page.getByRole('tab', { name: 'Vulnerabilities' }).waitFor();
    assert.deepEqual(a11y, [], 'no serious or critical axe-core violation');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('main flows: scan, ignore for one image then all images and cancel, whitelist policy applied, alerts handled in bulk, all in the audit trail', async () => {
    const { ctx, page, problems } = await adminSession();

    // Scan the image and see its findings.
    await page.getByRole('navigation').getByRole('link', { name: 'Images' }).click();
    await page.getByRole('link', { name: imageRef }).click();
    await page.getByRole('button', { name: 'Scan now' }).click();
    await page.getByText('Succeeded').waitFor({ timeout: 120_000 });
    const rows = page.getByRole('tabpanel').locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    const vulnId = (await rows.first().locator('td').first().innerText()).trim();
    assert.match(vulnId, /^(CVE|GHSA|DSA|DLA|OSV)-/);
    const row = page.getByRole('tabpanel').locator('tbody tr.ant-table-row', { hasText: vulnId }).first();

    // Ignore for this image until a date, cancel; then for all images without an expiry, cancel.
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    for (const [scope, tag, expires] of [
      ['This image', 'Ignored for this image', until],
      ['All images of the project', 'Ignored for all images', undefined],
    ] as const) {
      await row.getByRole('button', { name: 'Ignore' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Reason').waitFor();
      // The dialog zooms in; a click during the animation can miss, so click until the radio is on.
      for (let i = 0; i < 20 && !(await dialog.getByLabel(scope).isChecked()); i++) {
        await dialog.getByText(scope, { exact: true }).click();
        await page.waitForTimeout(100);
      }
      assert.ok(await dialog.getByLabel(scope).isChecked(), scope);
      if (expires) {
        // Typed and confirmed with Enter before the reason is filled (Enter also tries to submit the form).
        await dialog.getByLabel('Expires').fill(expires);
        await dialog.getByLabel('Expires').press('Enter');
      }
      await dialog.getByLabel('Reason').fill(`e2e: ${scope}`);
      await dialog.getByRole('button', { name: 'Ignore' }).click();
      await row.getByText(tag).waitFor();
      assert.equal(/until/.test(await row.innerText()), !!expires, `${scope}: expiry shown`);
      const ignores = (await api('GET', `/api/v1/projects/${projectId}/vuln-ignores`, await token('admin', ADMIN_PASSWORD))).body.items;
      assert.deepEqual(
        ignores.filter((i: any) => i.reason === `e2e: ${scope}`).map((i: any) => i.expiresAt),
        [expires ? `${expires}T00:00:00.000Z` : null],
      );
      await row.getByRole('button', { name: 'Cancel ignore' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Confirm' }).click();
      await row.getByRole('button', { name: 'Ignore' }).waitFor();
    }

    // A process whitelist policy, applied to the image.
    await page.goto(`${base}/policies?project=${projectId}`);
    await page.getByRole('button', { name: 'New policy' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('e2e-whitelist');
    await form.getByLabel('Allowed executables').fill('/usr/local/bin/node\n/bin/sh');
    await form.getByLabel('Learn mode').fill('5m');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 2, name: 'e2e-whitelist' }).waitFor();
    await page.getByRole('combobox', { name: 'Choose images' }).click();
    await page.getByTitle(imageRef).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.locator('.ant-tag').getByRole('link', { name: imageRef }).waitFor();

    // Handle all open alerts in bulk.
    await page.goto(`${base}/alerts?project=${projectId}&status=open`);
    await page.locator('tbody tr.ant-table-row').first().waitFor();
    const open = await page.locator('tbody tr.ant-table-row').count();
    assert.ok(open >= 3, `demo alerts: ${open}`);
    await page.getByRole('checkbox', { name: /select all/i }).check();
    await page.getByRole('button', { name: 'Mark handled' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(`${open} alert group(s) updated`).waitFor();
    await page.getByText('Nothing here yet').waitFor();
    // Detail with raw JSON, filters in the URL.
    await page.goto(`${base}/alerts?project=${projectId}&status=handled&severity=critical`);
    await page.getByRole('link', { name: 'system/reverse-shell' }).first().click();
    await page.waitForURL(/\/alerts\/[A-Za-z0-9]+\?project=.*status=handled/);
    await page.getByText('bash -i').first().waitFor();
    await page.getByLabel('Raw JSON').waitFor();

    // Every action is in the audit trail, whose chain verifies.
    await page.goto(`${base}/audit`);
    await page
      .getByTestId('chain-status')
      .getByText(/Hash chain verified/)
      .waitFor();
    for (const event of [
      'scanPrivateImage',
      'ignoreImageVul',
      'cancelIgnoreImageVul',
      'ignoreVul',
      'cancelIgnoreVul',
      'addPolicy',
      'imageApplyPolicy',
      'handleAlert',
    ]) {
      await page.goto(`${base}/audit?event=${event}`);
      await page.locator('tbody tr.ant-table-row', { hasText: event }).first().waitFor();
      assert.ok((await page.locator('tbody tr.ant-table-row', { hasText: 'admin' }).count()) >= 1, `${event} by admin`);
    }
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('content findings: malware, secrets, baseline and files tabs, the path filter kept in the URL, secrets masked', async () => {
    const { ctx, page, problems } = await adminSession();
    const admin = await token('admin', ADMIN_PASSWORD);
    for (let i = 0; i < 600; i++) {
      const im = (await api('GET', `/api/v1/projects/${projectId}/images/${contentImageId}`, admin)).body;
      if (im.lastScanAt) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.goto(`${base}/images/${contentImageId}?project=${projectId}`);
    const panel = page.getByRole('tabpanel');
    const rows = panel.locator('tbody tr.ant-table-row');
    const a11y: string[] = [];
    const open = async (tab: RegExp, text: string): Promise<string> => {
      await page.getByRole('tab', { name: tab }).click();
      await rows.filter({ hasText: text }).first().waitFor();
      await settle(page);
      a11y.push(...(await axe(page)).map((v) => `${tab}: ${v}`));
      return panel.innerText();
    };
    const malware = await open(/^Malware \([1-9]\d*\)$/, '/opt/eicar.com');
    assert.match(malware, /\/tmp\/\.x\/kworker/, 'the miner is listed beside EICAR');
    assert.match(page.url(), /tab=malware/);
    const secrets = await open(/^Secrets \([1-9]\d*\)$/, '/app/config/prod.env:');
    assert.ok(!secrets.includes(AWS_SECRET) && !secrets.includes(AWS_KEY_ID), 'secrets are shown masked');
    assert.match(secrets, /Removed by a later layer/, 'the deleted credentials file is marked');
    const baseline = await open(/^Baseline \([1-9]\d*\)$/, 'PermitRootLogin');
    assert.match(baseline, /\/etc\/ssh\/sshd_config/);
    await open(/^Files \([1-9]\d*\)$/, '/usr/local/bin/.sh');
    assert.match(await rows.filter({ hasText: '/usr/local/bin/.sh' }).first().innerText(), /setuid\/setgid/);
    // The path filter goes to the server and into the URL; a reload keeps it.
    await panel.getByRole('searchbox', { name: 'Path prefix' }).fill('/tmp/');
    await panel.getByRole('searchbox', { name: 'Path prefix' }).press('Enter');
    await page.waitForURL(/path=%2Ftmp%2F/);
    await page.reload();
    await rows.first().waitFor();
    const paths = await rows.locator('td:first-child').allInnerTexts();
    assert.ok(paths.length > 0 && paths.every((x) => x.startsWith('/tmp/')), paths.join(', '));
    assert.deepEqual(a11y, [], 'no serious or critical axe-core violation');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('list filters live in the URL and match the API: images by name, fixes and last scan; audit by user and time', async () => {
    const { ctx, page, problems } = await adminSession();
    const admin = await token('admin', ADMIN_PASSWORD);
    const rows = page.locator('tbody tr.ant-table-row');
    const shown = async (): Promise<string[]> => {
      await settle(page);
      return (await rows.allInnerTexts()).sort();
    };
    const refsOf = async (query: string): Promise<string[]> =>
      (await api('GET', `/api/v1/projects/${projectId}/images?${query}&limit=100`, admin)).body.items.map((i: any) => i.ref as string);
    const sameImages = async (query: string) => {
      const want = await refsOf(query);
      let got = await shown();
      // The table follows the URL through a new request: wait for it to settle on the answer.
      for (let i = 0; i < 50 && got.length !== want.length; i++) {
        await page.waitForTimeout(200);
        got = await shown();
      }
      assert.equal(got.length, want.length, `${query}: ${got.join(' | ')}`);
      for (const ref of want)
        assert.ok(
          got.some((r) => r.includes(ref)),
          `${query}: ${ref} shown`,
        );
    };

    await page.goto(`${base}/images?project=${projectId}`);
    await rows.first().waitFor();
    await page.getByRole('searchbox', { name: 'Image name contains' }).fill('CONTENT.tar');
    await page.getByRole('searchbox', { name: 'Image name contains' }).press('Enter');
    await page.waitForURL(/name=CONTENT\.tar/);
    assert.equal((await refsOf('name=CONTENT.tar')).length, 1);
    await sameImages('name=CONTENT.tar');
    await page.goto(`${base}/images?project=${projectId}`);
    await rows.first().waitFor();
    await page.getByRole('combobox', { name: 'Fixes' }).click();
    await page.getByTitle('No fixable vulnerability').click();
    await page.waitForURL(/fixable=false/);
    assert.ok((await refsOf('fixable=false')).some((r) => r.includes('content.tar')));
    await sameImages('fixable=false');
    await page.goto(`${base}/images?project=${projectId}&fixable=true&scanStatus=succeeded`);
    await sameImages('fixable=true&scanStatus=succeeded');

    await page.goto(`${base}/audit`);
    await rows.first().waitFor();
    await page.getByRole('searchbox', { name: 'User' }).fill('nobody-here');
    await page.getByRole('searchbox', { name: 'User' }).press('Enter');
    await page.waitForURL(/user=nobody-here/);
    await page.getByText('Nothing here yet').first().waitFor();
    assert.equal(await rows.count(), 0);
    await page.goto(`${base}/audit?user=admin`);
    await rows.first().waitFor();
    const byAdmin = await shown();
    assert.ok(byAdmin.length > 0 && byAdmin.every((r) => r.includes('admin')), 'only admin records');
    await page.getByLabel('Until').fill('2000-01-01');
    await page.getByLabel('Until').press('Enter');
    await page.waitForURL(/until=2000-01-01/);
    // The table follows the URL through a new request: its empty state shows once the answer is in.
    await page.getByText('Nothing here yet').first().waitFor();
    assert.equal(await rows.count(), 0, 'nothing before 2000');
    await page.goto(`${base}/audit?user=admin&since=2000-01-01`);
    await rows.first().waitFor();
    const since2000 = await shown();
    assert.ok(since2000.length > 0 && since2000.every((r) => r.includes('admin')), 'admin records since 2000');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('detection policy JSON editor: invalid JSON and an unknown type are refused with the reason, a valid document takes effect', async () => {
    const { ctx, page, problems } = await adminSession();
    await page.goto(`${base}/policies?project=${projectId}`);
    await page.getByRole('button', { name: 'New policy' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('e2e-detection');
    await form.getByLabel('Kind').click();
    await page.getByTitle('Detection tuning').click();
    const doc = form.getByLabel('Detection policy (JSON)');
    await doc.waitFor();
    assert.match(await doc.inputValue(), /"types"/, 'a template to start from');
    await doc.fill('{ not json');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Must be a JSON object').waitFor();
    await doc.fill(JSON.stringify({ types: { 'system/no-such-type': false } }));
    await form.getByRole('button', { name: 'Save' }).click();
    // The server's refusal names the field and the reason; its 400 is expected here.
    const refusal = form.getByRole('alert').filter({ hasText: 'system/no-such-type' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /unknown alert type/);
    await doc.fill(JSON.stringify({ types: { 'system/high-risk-command': false }, thresholds: { 'brute-force': { attempts: 25 } } }));
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { level: 2, name: 'e2e-detection' }).waitFor();
    const admin = await token('admin', ADMIN_PASSWORD);
    const effective = (await api('GET', `/api/v1/projects/${projectId}/detection/effective`, admin)).body;
    const type = effective.types.find((x: any) => x.type === 'system/high-risk-command');
    assert.deepEqual([type.enabled, type.enabledFrom], [false, 'e2e-detection']);
    const attempts = effective.thresholds.find((x: any) => x.key === 'brute-force').params.attempts;
    assert.deepEqual([attempts.value, attempts.from], [25, 'e2e-detection']);
    // The refused save is the only problem: its 400 response and the browser's console line about it.
    assert.deepEqual(
      problems.filter((p) => !/HTTP 400: POST .*\/policies$/.test(p) && !/status of 400 \(Bad Request\)/.test(p)),
      [],
    );
    assert.equal(problems.filter((p) => /HTTP 400/.test(p)).length, 1, 'one refused save');
    await ctx.close();
  });

  test('learned processes: the demo policy lists what node-a learned; two accepted into the whitelist, one rejected, both in the audit trail', async () => {
    const { ctx, page, problems } = await adminSession();
    const admin = await token('admin', ADMIN_PASSWORD);
    const list = (await api('GET', `/api/v1/projects/${projectId}/policies?kind=process-whitelist&limit=500`, admin)).body;
    const policy = list.items.find((p: any) => p.name === 'demo-app-processes');
    await page.goto(`${base}/policies/${policy.id}?project=${projectId}`);
    await page.getByRole('heading', { level: 2, name: 'demo-app-processes' }).waitFor();
    const card = page.locator('.ant-card', { hasText: 'Learned processes' });
    const row = (exe: string) => card.locator('tbody tr.ant-table-row', { hasText: exe });
    await row('/usr/bin/wget').waitFor();
    assert.equal(await card.locator('tbody tr.ant-table-row').count(), 3);
    assert.match(await row('/usr/bin/curl').innerText(), /node-a/);
    assert.deepEqual(await axe(page), []);
    // Nothing selected: nothing to decide.
    assert.ok(await card.getByRole('button', { name: 'Add to whitelist' }).isDisabled());
    await row('/usr/bin/npm').getByRole('checkbox').check();
    await row('/usr/bin/curl').getByRole('checkbox').check();
    await card.getByRole('button', { name: 'Add to whitelist' }).click();
    await page.getByRole('tooltip').getByText('Add the executables of 2 entries to the whitelist?').waitFor();
    await page.getByRole('tooltip').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Added to the whitelist: 2').waitFor();
    await row('/usr/bin/npm').waitFor({ state: 'detached' });
    await row('/usr/bin/wget').getByRole('checkbox').check();
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('tooltip').getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Rejected: 1').waitFor();
    await card.getByText('Nothing here yet').waitFor();
    // The decided ones under their status, with who decided.
    await card.getByRole('combobox', { name: 'Learned entries to show' }).click();
    await page.getByTitle('Rejected', { exact: true }).click();
    await row('/usr/bin/wget').waitFor();
    assert.match(await row('/usr/bin/wget').innerText(), /admin/);
    assert.equal(await card.getByRole('button', { name: 'Reject' }).count(), 0, 'decided entries are not decided again');

    const doc = (await api('GET', `/api/v1/projects/${projectId}/policies/${policy.id}`, admin)).body.document;
    assert.deepEqual(doc.processWhitelist.executables, ['/usr/local/bin/node', '/bin/sh', '/usr/bin/curl', '/usr/bin/npm']);
    for (const [event, exe] of [
      ['modifyPolicy', '/usr/bin/curl'],
      ['rejectLearnedProcesses', '/usr/bin/wget'],
    ]) {
      await page.goto(`${base}/audit?event=${event}`);
      await page.locator('tbody tr.ant-table-row', { hasText: event }).first().waitFor();
      const trail = (await api('GET', `/api/v1/audit?event=${event}&limit=500`, admin)).body.items;
      assert.ok(
        trail.some((x: any) => x.resourceId === policy.id && x.username === 'admin' && x.summary.executables.includes(exe)),
        `${event} of ${exe} by admin`,
      );
    }
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('an expired session returns to the login page and then back to where the user was', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(/\/overview$/);
    // The server forgets the session (logout from elsewhere = revoked token).
    const stored = (await page.evaluate(`JSON.parse(localStorage.getItem('vigil.session')).token`)) as string;
    await api('POST', '/api/v1/auth/logout', stored);
    await new Promise((r) => setTimeout(r, 2100)); // the server's auth cache lives 2 s
    await page.goto(`${base}/alerts?project=${projectId}&severity=high`);
    await page.waitForURL(/\/login\?next=/);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(new RegExp(`/alerts\\?project=${projectId}&severity=high$`));
    await page.getByRole('heading', { level: 2, name: 'Alerts' }).waitFor();
    await ctx.close();
  });

  test('a ReadOnlyAccess user sees no write action, and the API refuses them anyway', async () => {
    const ctx = await browser.newContext({ locale: 'en-US' });
    const { page, problems } = await watchedPage(ctx);
    await page.goto(`${base}/login`);
    await login(page, 'auditor', 'tq9-ledger-reader-77');
    await page.waitForURL(/\/overview$/);
    await page.goto(`${base}/images/${imageId}?project=${projectId}`);
    await page.getByRole('heading', { level: 2, name: imageRef }).waitFor();
    await page.getByRole('tabpanel').locator('tbody tr.ant-table-row').first().waitFor();
    for (const name of ['Scan now', 'Apply a policy', 'Ignore', 'Cancel ignore'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    await page.goto(`${base}/images?project=${projectId}`);
    await page.getByRole('link', { name: imageRef }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add image' }).count(), 0);
    await page.goto(`${base}/alerts?project=${projectId}`);
    await page.locator('tbody tr.ant-table-row').first().waitFor();
    for (const name of ['Mark handled', 'Ignore', 'False positive']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    assert.equal(await page.getByRole('checkbox').count(), 0);
    await page.goto(`${base}/policies?project=${projectId}`);
    await page.getByRole('link', { name: 'demo-app-processes' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New policy' }).count(), 0);
    await page.goto(`${base}/clusters?project=${projectId}`);
    await page.getByRole('cell', { name: 'demo-cluster' }).first().waitFor();
    assert.ok(await page.getByRole('switch').first().isDisabled());
    assert.equal(await page.getByRole('button', { name: 'Agent registration' }).count(), 0);
    assert.deepEqual(problems, []);
    const ro = (await page.evaluate(`JSON.parse(localStorage.getItem('vigil.session')).token`)) as string;
    assert.equal((await api('POST', `/api/v1/projects/${projectId}/images/${imageId}/scan`, ro)).status, 403);
    assert.equal((await api('POST', `/api/v1/projects/${projectId}/vuln-ignores`, ro, { vulnId: 'CVE-2026-0001' })).status, 403);
    assert.equal(
      (
        await api('POST', `/api/v1/projects/${projectId}/policies`, ro, {
          name: 'x',
          kind: 'file-protection',
          document: { fileProtection: { paths: ['/etc'] } },
        })
      ).status,
      403,
    );
    await ctx.close();
  });
});
