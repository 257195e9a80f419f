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
import { bundleSizes, INITIAL_JS_LIMIT } from './lib/bundle-size.js';
import { firstLoad, launchChromium, startBenchServer, WEB_DIR, type FirstLoad } from './lib/console-server.js';
import { loadAverageText, median } from './lib/measure.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || process.env.BENCH_ROUNDS || 5);

const sizes = bundleSizes(WEB_DIR);
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
const server = await startBenchServer(dir);
const browser = await launchChromium();
const runs: FirstLoad[] = [];
try {
  for (let i = 0; i < rounds; i++) runs.push(await firstLoad(browser, server, '/overview', '.ant-statistic'));
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
console.log(
  `(b) first load of /overview in Chromium, cold cache, empty project (target < 1 s): median ${median(ms).toFixed(0)} ms over ${rounds} rounds (min ${ms[0]!.toFixed(0)}, max ${ms[ms.length - 1]!.toFixed(0)})`,
);
console.log(
  `    CPU meanwhile, median: page main thread ${median(runs.map((r) => r.mainThreadCpuMs)).toFixed(0)} ms, renderer process ${median(runs.map((r) => r.rendererCpuMs)).toFixed(0)} ms`,
);
console.log(`    ${loadAverageText()}`);
