// What the console benchmarks share: a real `vigil server` in this process
// (SQLite in a data directory, or PostgreSQL) serving dist/web, an admin
// session, Debian's Chromium, and the timing of a page's first load with a
// cold cache (a new browser context per round: no HTTP cache, no
// localStorage but the session).
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/node/server/config.js';
import { startServer } from '../../src/node/server/start.js';

export const WEB_DIR = join(import.meta.dirname, '..', '..', 'dist', 'web');
const PASSWORD = 'bench-password-1';

export interface BenchServer {
  base: string;
  /** The admin session, as the console keeps it in localStorage. */
  session: { token: string; expiresAt: string };
  /** GET an API path as the admin; the parsed JSON. */
  api<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

/** Starts a server on an ephemeral loopback port with an admin (database: `db`, default SQLite in dataDir). */
export async function startBenchServer(dataDir: string, db?: string, consoleDir: string = WEB_DIR): Promise<BenchServer> {
  const server = await startServer(
    { ...loadConfig({ dataDir, port: 0, ...(db ? { db } : {}) }, {}), adminPassword: PASSWORD, consoleDir, apiRateLimit: 0 },
    { log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger, print: () => {} },
  );
  const base = server.url!;
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login: HTTP ${res.status}`);
  const session = (await res.json()) as { token: string; expiresAt: string };
  return {
    base,
    session,
    async api<T>(path: string) {
      const r = await fetch(base + path, { headers: { authorization: `Bearer ${session.token}` } });
      if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    },
    close: () => server.close(),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.VIGIL_TEST_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

/**
 * The benchmark's browser contexts: the server's CSP (script-src 'self', no
 * 'unsafe-eval') would refuse Playwright's string predicates
 * (waitForFunction), so the bench bypasses it; the page's own scripts are
 * the same either way.
 */
export const BENCH_CONTEXT = { bypassCSP: true } as const;

export interface FirstLoad {
  /** Navigation to `selector` visible. */
  ms: number;
  /** CPU time of the page's main thread and of its renderer process meanwhile (Chromium's ThreadTime / ProcessTime): what an idle machine would still spend. */
  mainThreadCpuMs: number;
  rendererCpuMs: number;
}

/**
 * Navigation to `selector` visible (and then `until`, a page expression,
 * true: checked every frame), in a new context (cold cache) signed in as the
 * admin.
 */
export async function firstLoad(browser: Browser, s: BenchServer, path: string, selector: string, until?: string): Promise<FirstLoad> {
  const ctx = await browser.newContext(BENCH_CONTEXT);
  try {
    await ctx.addInitScript(`localStorage.setItem('vigil.session', ${JSON.stringify(JSON.stringify(s.session))})`);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = performance.now();
    await page.goto(s.base + path);
    await page.locator(selector).first().waitFor({ timeout: 60_000 });
    if (until) await page.waitForFunction(until, undefined, { timeout: 60_000, polling: 'raf' });
    const ms = performance.now() - t0;
    const m = (await cdp.send('Performance.getMetrics')).metrics;
    const sec = (n: string) => (m.find((x) => x.name === n)?.value ?? NaN) * 1000;
    return { ms, mainThreadCpuMs: sec('ThreadTime'), rendererCpuMs: sec('ProcessTime') };
  } finally {
    await ctx.close();
  }
}

/** One in-console navigation: the main navigation's link to click, and what shows the page's data rendered. */
export interface NavigationStep {
  link: string;
  selector: string;
}

/**
 * What users do all day: the console already loaded (a cold first load of
 * `start`, until `startSelector` is there and then `until` is true), then a
 * click on each step's link of the main navigation in turn, each timed in
 * the page from the click to the step's `selector` in the document (a
 * MutationObserver: the first DOM change that shows it). The route's chunk
 * and data load as they would for a user (the first visit of a page fetches
 * its chunk).
 */
export async function inConsoleNavigation(
  browser: Browser,
  s: BenchServer,
  start: string,
  startSelector: string,
  until: string | undefined,
  steps: NavigationStep[],
): Promise<number[]> {
  const ctx = await browser.newContext(BENCH_CONTEXT);
  try {
    await ctx.addInitScript(`localStorage.setItem('vigil.session', ${JSON.stringify(JSON.stringify(s.session))})`);
    const page = await ctx.newPage();
    await page.goto(s.base + start);
    await page.locator(startSelector).first().waitFor({ timeout: 60_000 });
    if (until) await page.waitForFunction(until, undefined, { timeout: 60_000, polling: 'raf' });
    const out: number[] = [];
    for (const step of steps) {
      // A string (this package's types have no DOM); the bench's contexts bypass CSP, so the page evaluates it.
      const ms = await page.evaluate<number>(`new Promise((done, fail) => {
        const link = ${JSON.stringify(step.link)}, selector = ${JSON.stringify(step.selector)};
        const a = [...document.querySelectorAll('nav a')].find((x) => x.textContent === link);
        if (!a) return fail(new Error('no navigation link ' + link));
        const t0 = performance.now();
        const timer = setTimeout(() => fail(new Error(selector + ' not shown within 60 s')), 60000);
        const obs = new MutationObserver(() => {
          if (!document.querySelector(selector)) return;
          obs.disconnect();
          clearTimeout(timer);
          done(performance.now() - t0);
        });
        obs.observe(document.body, { childList: true, subtree: true });
        a.click();
      })`);
      out.push(ms);
    }
    return out;
  } finally {
    await ctx.close();
  }
}
