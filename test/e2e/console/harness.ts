// The console browser tests' harness: a fresh Vite build of web/, a real
// `vigil server --demo` (SQLite, the demo image scanned with the demo
// vulnerability DB, demo data seeded, ephemeral port) serving it, Debian's
// Chromium through playwright-core, and the helpers the tests share
// (API calls, a watched page, login, axe-core, waiting for a page to settle).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../../helpers/proc.js';
import { Api, startServer, stop, type Proc } from '../agent/harness.js';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const root = join(import.meta.dirname, '..', '..', '..');
export const artifacts = join(root, 'test', 'e2e', 'artifacts', 'console');
const CHROMIUM = process.env.VIGIL_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN_PASSWORD = 'ochre-console-lantern-47';
const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

export interface ConsoleServer {
  /** A temporary directory for the test's files (removed by stopConsole). */
  dir: string;
  /** http://127.0.0.1:PORT */
  base: string;
  browser: Browser;
  server: ChildProcess;
  /** The first project's id (the demo project). */
  projectId: string;
  /** A JSON API call with a bearer token. */
  api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A session token for the user. */
  token(username: string, password: string): Promise<string>;
  /** A fresh English browser context logged in as the administrator, its page watched for problems. */
  adminSession(): Promise<{ ctx: BrowserContext; page: Page; problems: string[] }>;
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** Builds the console, starts the demo server with `env` added (the login limit raised) and launches Chromium. */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-console-e2e-'));
  mkdirSync(artifacts, { recursive: true });
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web', 'vite.config.mjs'), logLevel: 'error', build: { outDir: join(dir, 'web'), emptyOutDir: true } });
  run([join(root, 'scripts', 'build-demo-image.mjs'), join(dir, 'demo.tar')]);
  run(['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'db', 'import', join(root, 'demo', 'advisories'), '--db', join(dir, 'vuln.db')]);
  const args = ['server', '--demo', '--demo-image', join(dir, 'demo.tar'), '--vuln-db', join(dir, 'vuln.db'), '--port', '0', '--data-dir', join(dir, 'data')];
  // A file logs in more often than the default 10 a minute allow (src/node/server/rate-limit.test.ts covers the limit itself).
  const p = spawnCli(args, { VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD, VIGIL_CONSOLE_DIR: join(dir, 'web'), VIGIL_LOGIN_RATE_LIMIT: '1000', ...env });
  const server = p.proc;
  const out = p.out;
  for (let i = 0; i < 3600 && !/console at (http:\S+)\//.test(out()); i++) await new Promise((r) => setTimeout(r, 50));
  const m = /console at (http:\S+?)\/ /.exec(out());
  assert.ok(m, `server did not print the console URL:\n${out()}\n${p.err()}`);
  const base = m[1]!;
  const api: ConsoleServer['api'] = async (method, path, token, body) => {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const token: ConsoleServer['token'] = async (username, password) => {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(r.status, 200);
    return ((await r.json()) as { token: string }).token;
  };
  const projectId: string = (await api('GET', '/api/v1/projects', await token('admin', ADMIN_PASSWORD))).body.items[0].id;
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  return {
    dir,
    base,
    browser,
    server,
    projectId,
    api,
    token,
    async adminSession() {
      const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
      const { page, problems } = await watchedPage(ctx);
      await page.goto(`${base}/login`);
      await login(page, 'admin', ADMIN_PASSWORD);
      await page.waitForURL(/\/overview$/);
      return { ctx, page, problems };
    },
  };
}

export async function stopConsole(c: ConsoleServer | undefined): Promise<void> {
  if (!c) return;
  await c.browser.close();
  if (c.server.exitCode === null) {
    c.server.kill('SIGTERM');
    await new Promise((r) => c.server.once('exit', r));
  }
  rmSync(c.dir, { recursive: true, force: true });
}

/** A page that records console errors and failed requests. */
export async function watchedPage(ctx: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  // CI runs this beside the server image build on 2 cores: a first load, a lazy chunk or a login redirect can take
  // well over Playwright's default 30 s there (each passes in seconds on an idle machine).
  ctx.setDefaultTimeout(90_000);
  ctx.setDefaultNavigationTimeout(90_000);
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return { page, problems };
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/Username|用户名/).fill(username);
  await page.getByLabel(/Password|密码/).fill(password);
  await page.getByRole('button', { name: /Log in|登\s*录/ }).click();
}

export async function axe(page: Page): Promise<string[]> {
  // Runtime evaluation is not subject to the page's CSP, unlike an injected <script>.
  await page.evaluate(`${axeSource};0`);
  // A string, evaluated in the page (this file is type-checked without the DOM library).
  const result = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
  )) as { id: string; impact: string; nodes: string[] }[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => {});
}

/** What {@link consoleSuite} gives its tests once its `before` hook ran. */
export interface ConsoleSuite {
  api: Api;
  browser: Browser;
}

/**
 * A test file's console without demo data: registers `before`/`after` hooks
 * that build web/ afresh, start the agent harness's plain `vigil server`
 * (SQLite, admin password PASSWORD, ephemeral port, no login rate limit to
 * speak of) serving that build, log in and launch Chromium; all stopped and
 * removed after the file's tests.
 */
export function consoleSuite(prefix: string): ConsoleSuite {
  const suite = {} as ConsoleSuite;
  let dir = '';
  let server: Proc | undefined;
  let browser: Browser | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    const { build } = await import('vite');
    await build({ configFile: join(root, 'web', 'vite.config.mjs'), logLevel: 'error', build: { outDir: join(dir, 'web'), emptyOutDir: true } });
    const s = await startServer(join(dir, 'data'), 0, { VIGIL_CONSOLE_DIR: join(dir, 'web'), VIGIL_LOGIN_RATE_LIMIT: '1000' });
    server = s.p;
    suite.api = await Api.login(s.url);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    suite.browser = browser;
  });
  after(async () => {
    await browser?.close();
    await stop(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}
