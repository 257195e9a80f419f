// Console benchmark: (a) JavaScript a browser must load before each route
// renders (entry chunk + its static imports + the route's lazy chunk and its
// static imports), gzip -9 sizes from the Vite manifest of dist/web; target:
// initial JS under 350 KB gzip. (b) First load of the overview in Chromium
// (cold cache: a new browser context each round) against a real server on
// SQLite with the console, from navigation to the page's data rendered.
// Usage: npm run build:web && node --import tsx bench/console-bench.ts [--rounds 5]
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/node/server/config.js';
import { startServer } from '../src/node/server/start.js';

const root = join(import.meta.dirname, '..');
const web = join(root, 'dist', 'web');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || process.env.BENCH_ROUNDS || 5);

interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
  src?: string;
  css?: string[];
}
const manifest = JSON.parse(readFileSync(join(web, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
const gz = new Map<string, number>();
const size = (file: string) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(web, file)), { level: 9 }).length);
  return gz.get(file)!;
};
const closure = (key: string, seen = new Set<string>()): Set<string> => {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const i of manifest[key]?.imports ?? []) closure(i, seen);
  return seen;
};
const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
const entry = closure(entryKey);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const jsOf = (keys: Set<string>) => [...keys].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
const entryBytes = jsOf(entry).reduce((n, f) => n + size(f), 0);
console.log(`(a) initial JavaScript per route, gzip -9 (target < 350 KB)`);
console.log(`    entry (shell, router, component library core, i18n): ${kb(entryBytes)}`);
for (const k of manifest[entryKey]!.dynamicImports ?? []) {
  const route = closure(k);
  for (const e of entry) route.delete(e);
  const extra = jsOf(route).reduce((n, f) => n + size(f), 0);
  const name = (manifest[k]!.src ?? k).replace(/^src\/pages\//, '').replace(/\.tsx$/, '');
  console.log(
    `    ${name.padEnd(12)} route chunks ${kb(extra).padStart(9)}  initial total ${kb(entryBytes + extra).padStart(9)}${entryBytes + extra > 350 * 1024 ? '  (over target)' : ''}`,
  );
}

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
