// Console benchmark: (a) JavaScript a browser must load before each route
// renders (entry chunk + its static imports + the route's lazy chunk and its
// static imports), gzip -9 sizes from the Vite manifest of dist/web; target:
// initial JS under 350 KB gzip. (b) First load of the overview in Chromium
// (cold cache: a new browser context each round) against a real server on
// SQLite with the console, from navigation to the page's data rendered.
// Usage: npm run build:web && node --import tsx bench/console-bench.ts [--rounds 5]
// (--rounds 0: sizes only)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/node/server/config.js';
import { startServer } from '../src/node/server/start.js';
import { bundleSizes, INITIAL_JS_LIMIT } from './lib/bundle-size.js';

const root = join(import.meta.dirname, '..');
const web = join(root, 'dist', 'web');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || process.env.BENCH_ROUNDS || 5);

const sizes = bundleSizes(web);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`(a) initial JavaScript per route, gzip -9 (target < ${kb(INITIAL_JS_LIMIT)})`);
console.log(`    entry (shell, router, component library core, English catalog): ${kb(sizes.entry)}`);
for (const r of sizes.routes)
  console.log(
    `    ${r.name.padEnd(12)} route chunks ${kb(r.extra).padStart(9)}  initial total ${kb(r.total).padStart(9)}${r.total > INITIAL_JS_LIMIT ? '  (over target)' : ''}`,
  );
for (const c of sizes.onDemand) console.log(`    on demand: ${c.name.padEnd(20)} ${kb(c.size).padStart(9)} (beyond the entry)`);
if (rounds < 1) process.exit(0);

// (b) first load.
const dir = mkdtempSync(join(tmpdir(), 'vigil-console-bench-'));
const server = await startServer(
  { ...loadConfig({ dataDir: dir, port: 0 }, {}), adminPassword: 'bench-password-1', consoleDir: web },
  { log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger, print: () => {} },
);
const base = server.url!;
const login = (await (
  await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }),
  })
).json()) as { token: string; expiresAt: string };
const browser = await chromium.launch({ executablePath: process.env.VIGIL_TEST_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const times: number[] = [];
try {
  for (let i = 0; i < rounds; i++) {
    const ctx = await browser.newContext();
    await ctx.addInitScript(`localStorage.setItem('vigil.session', ${JSON.stringify(JSON.stringify(login))})`);
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto(`${base}/overview`);
    await page.locator('.ant-statistic').first().waitFor();
    times.push(performance.now() - t0);
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
console.log(
  `(b) first load of /overview in Chromium, cold cache, empty project (target < 1 s): median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms over ${rounds} rounds (min ${times[0]!.toFixed(0)}, max ${times[times.length - 1]!.toFixed(0)})`,
);
