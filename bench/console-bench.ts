// Console benchmark: (a) JavaScript a browser must load before each route
// renders (entry chunk + its static imports + the route's lazy chunk and its
// static imports), gzip -9 sizes from the Vite manifest of dist/web; target:
// initial JS under 350 KB gzip. (b) First load of the overview in Chromium
// (cold cache: a new browser context each round) against a real server on
// SQLite with the console, from navigation to the page's data rendered.
// Usage: npm run build:web && node --import tsx bench/console-bench.ts [--rounds 5] [--compare OTHER_BUILD_DIR]
// (--rounds 0: sizes only)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSizeLines, bundleSizes } from './lib/bundle-size.js';
import { firstLoad, launchChromium, startBenchServer, WEB_DIR, type FirstLoad } from './lib/console-server.js';
import { loadAverageText, median } from './lib/measure.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || process.env.BENCH_ROUNDS || 5);

const [head, ...rest] = bundleSizeLines(bundleSizes(WEB_DIR));
console.log(`(a) ${head}`);
for (const l of rest) console.log(l);
if (rounds < 1) process.exit(0);

// (b) first load; with --compare DIR, alternating round by round with another build of the console (e.g. an older commit's).
const compareIdx = process.argv.indexOf('--compare');
const other = compareIdx > 0 ? process.argv[compareIdx + 1] : undefined;
const builds: [string, string][] = [['dist/web', WEB_DIR], ...(other ? [[other, other] as [string, string]] : [])];
const dirs: string[] = [];
const servers = [];
for (const [, web] of builds) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-console-bench-'));
  dirs.push(dir);
  servers.push(await startBenchServer(dir, undefined, web));
}
const browser = await launchChromium();
const runs: FirstLoad[][] = builds.map(() => []);
try {
  for (let i = 0; i < rounds; i++) for (const [k, s] of servers.entries()) runs[k]!.push(await firstLoad(browser, s, '/overview', '.ant-statistic'));
} finally {
  await browser.close();
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
console.log(`(b) first load of /overview in Chromium, cold cache, empty project (target < 1 s), ${rounds} rounds; ${loadAverageText()}`);
for (const [k, [name]] of builds.entries()) {
  const r = runs[k]!;
  const ms = r.map((x) => x.ms).sort((a, b) => a - b);
  console.log(
    `    ${name}: median ${median(ms).toFixed(0)} ms (min ${ms[0]!.toFixed(0)}, max ${ms[ms.length - 1]!.toFixed(0)}); CPU meanwhile, median: page main thread ${median(r.map((x) => x.mainThreadCpuMs)).toFixed(0)} ms, renderer process ${median(r.map((x) => x.rendererCpuMs)).toFixed(0)} ms`,
  );
}
