// The console's threat-IP list and custom rules (Settings) in Debian's
// Chromium against a real `vigil server` (SQLite, ephemeral port, a fresh
// Vite build): a threat IP added through the form is listed and stored
// (normalised), a rule file that does not load is refused with the loader's
// file:line:column shown in the form, a valid one is listed, disabled with its
// switch and deleted, each checked through the API; no console error beyond
// the refused upload's 400.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const root = join(import.meta.dirname, '..', '..', '..');
const CHROMIUM = process.env.VIGIL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'ochre-intel-lantern-58';
const RULE = `- rule: Netcat in container
  desc: netcat started
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = nc
  output: netcat in %container.name
  priority: WARNING
`;

let dir = '';
let server: ChildProcess | undefined;
let base = '';
let browser: Browser | undefined;

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-console-intel-'));
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web', 'vite.config.mjs'), logLevel: 'error', build: { outDir: join(dir, 'web'), emptyOutDir: true } });
  server = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', '--port', '0', '--data-dir', join(dir, 'data')], {
    cwd: root,
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: PASSWORD, VIGIL_CONSOLE_DIR: join(dir, 'web'), VIGIL_LOGIN_RATE_LIMIT: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (err += d));
  const listening = /server listening on (http:\/\/\S+?) /;
  for (let i = 0; i < 3600 && !listening.test(out + err); i++) await new Promise((r) => setTimeout(r, 50));
  const m = listening.exec(out + err);
  assert.ok(m, `server did not print the console URL:\n${out}\n${err}`);
  base = m[1]!;
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('settings: threat IPs and custom rule files through the console', { timeout: 600_000 }, async () => {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const token = ((await login.json()) as { token: string }).token;
  const projectId = (await api('GET', '/api/v1/projects', token)).body.items[0].id as string;

  const ctx = await browser!.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
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
  await page.getByRole('cell', { name: '198.51.100.0/24' }).waitFor();
  const stored = await api('GET', `/api/v1/projects/${projectId}/threat-ips`, token);
  assert.deepEqual(
    stored.body.items.map((x: { cidr: string; comment: string }) => [x.cidr, x.comment]),
    [['198.51.100.0/24', 'scanner range']],
  );

  // A rule file that does not load: the loader's error, with file, line and column, in the form.
  await page.getByRole('button', { name: 'Upload rule file' }).click();
  const ruleDialog = page.getByRole('dialog');
  await ruleDialog.getByLabel('File name').fill('broken.yaml');
  await ruleDialog.getByLabel('Rules (Falco YAML)').fill('- rule: Broken\n  desc: x\n  condition: proc.name = nc and (\n  output: x\n  priority: WARNING\n');
  await ruleDialog.getByRole('button', { name: 'Save' }).click();
  await ruleDialog
    .getByRole('alert')
    .filter({ hasText: /broken\.yaml:3:\d+:/ })
    .waitFor();
  assert.equal((await api('GET', `/api/v1/projects/${projectId}/rules`, token)).body.items.length, 0);

  // Fixed: accepted, listed with its rule count.
  await ruleDialog.getByLabel('File name').fill('netcat.yaml');
  await ruleDialog.getByLabel('Rules (Falco YAML)').fill(RULE);
  await ruleDialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('cell', { name: 'netcat.yaml' }).waitFor();
  const rules = await api('GET', `/api/v1/projects/${projectId}/rules`, token);
  assert.deepEqual(
    rules.body.items.map((r: { name: string; enabled: boolean; ruleCount: number }) => [r.name, r.enabled, r.ruleCount]),
    [['netcat.yaml', true, 1]],
  );

  // Disabled with its switch.
  await page.getByRole('switch', { name: 'Enable netcat.yaml' }).click();
  for (let i = 0; i < 100; i++) {
    if (!(await api('GET', `/api/v1/projects/${projectId}/rules`, token)).body.items[0].enabled) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await api('GET', `/api/v1/projects/${projectId}/rules`, token)).body.items[0].enabled, false);

  // Deleted, both.
  await page
    .getByRole('row', { name: /netcat\.yaml/ })
    .getByRole('button', { name: 'Delete' })
    .click();
  await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('cell', { name: 'netcat.yaml' }).waitFor({ state: 'detached' });
  await page
    .getByRole('row', { name: /198\.51\.100\.0\/24/ })
    .getByRole('button', { name: 'Delete' })
    .click();
  await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('cell', { name: '198.51.100.0/24' }).waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/api/v1/projects/${projectId}/rules`, token)).body.items.length, 0);
  assert.equal((await api('GET', `/api/v1/projects/${projectId}/threat-ips`, token)).body.items.length, 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});
