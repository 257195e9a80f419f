// The console at scale (issue 13): a real server whose store holds 10,000
// images with realistic vulnerabilities and 1,000,000 alert groups
// (bench/lib/console-seed.ts, bulk inserts through the store), on SQLite and
// on PostgreSQL. For each page it times (a) the API call(s) the page makes,
// from this process over loopback (when its data arrives), and (b) the page
// in Chromium with a cold cache, from navigation to the data rendered.
// Usage:
//   npm run build:web
//   node --import tsx bench/console-scale.ts [--db sqlite,postgres] [--rounds 3] [--images 10000] [--alerts 1000000] [--pages overview,...] [--profile] [--seed-only]
// PostgreSQL: VIGIL_BENCH_PG_URL, else VIGIL_TEST_PG_URL, else the CI default;
// the data goes into its own schema. The seeded SQLite database and the
// PostgreSQL schema are kept (VIGIL_BENCH_CACHE, default
// $TMPDIR/vigil-bench-cache) and reused by the next run; --reseed starts over.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/node/store/store.js';
import { benchCache } from './lib/app-image.js';
import { seedConsoleScale } from './lib/console-seed.js';
import { bundleSizeLines, bundleSizes } from './lib/bundle-size.js';
import { firstLoad, inConsoleNavigation, launchChromium, startBenchServer, WEB_DIR, type BenchServer } from './lib/console-server.js';
import { profileFirstLoad, profileText } from './lib/console-trace.js';
import { loadAverageText, median } from './lib/measure.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const IMAGES = Number(arg('images', '10000'));
const ALERTS = Number(arg('alerts', '1000000'));
const ROUNDS = Number(arg('rounds', process.env.BENCH_ROUNDS ?? '3'));
const DBS = arg('db', 'sqlite,postgres').split(',');
const RESEED = process.argv.includes('--reseed');
/** One more load per page with Chromium's performance timeline recorded: main-thread CPU by kind, scripts, requests. */
const PROFILE = process.argv.includes('--profile');
/** Only the pages whose name contains one of these (comma-separated; default all). */
const PAGES = arg('pages', '').split(',').filter(Boolean);
/** Seed (or check) the stores and stop: the slow part, run apart from the timing (under a shared CPU lock, the timing under an exclusive one). */
const SEED_ONLY = process.argv.includes('--seed-only');
/** The console build to serve (default dist/web): another build for an A/B run. */
const WEB = resolve(arg('web', WEB_DIR));
const PG_URL = process.env.VIGIL_BENCH_PG_URL ?? process.env.VIGIL_TEST_PG_URL ?? 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';
const NAME = `console-scale-${IMAGES}-${ALERTS}`;

interface PageCase {
  name: string;
  /** The console URL (the project is added). */
  path: string;
  /** The API calls whose data the page waits for (the project is added). */
  api: string[];
  /** What shows the data rendered. */
  selector: string;
  /** Then this page expression true (the overview: every chart drawn). */
  until?: string;
  /** Target for the page's first load (ms). */
  target: number;
}

// The overview is rendered when its three charts are drawn (ECharts' canvas
// in each chart box, no placeholder left) and its two tables have rows.
const OVERVIEW_RENDERED =
  "document.querySelectorAll('.chart canvas').length >= 3 && !document.querySelector('.chart[aria-busy]') && document.querySelectorAll('.ant-table-row').length >= 2";

const ROW = '.ant-table-row';
const ms = (x: number) => (Number.isNaN(x) ? '—' : Number.isFinite(x) ? x.toFixed(0) : 'timeout');

function cases(p: string, page200: string, alertType: string): PageCase[] {
  return listCases(p, page200, alertType).map((c) => ({ target: 500, ...c }) as PageCase);
}

function listCases(p: string, page200: string, alertType: string): (Omit<PageCase, 'target'> & { target?: number })[] {
  const images = `/api/v1/projects/${p}/images?limit=20`;
  const alerts = `/api/v1/alerts?project=${p}&limit=50`;
  const since = new Date(Math.floor((Date.now() - 86400e3) / 60000) * 60000).toISOString();
  return [
    // The floor: the same cold first load of a static file the server sends (the console's icon, no script):
    // a new context, its renderer, one loopback request, Playwright's polling. No page can load faster.
    { name: 'floor: static favicon.svg', path: '/favicon.svg', api: [], selector: 'svg' },
    {
      name: 'overview',
      path: `/overview?project=${p}`,
      api: [`/api/v1/projects/${p}/overview`],
      selector: '.ant-statistic',
      until: OVERVIEW_RENDERED,
      target: 1000,
    },
    { name: 'images, first page', path: `/images?project=${p}`, api: [images], selector: ROW },
    { name: 'images, severity >= critical', path: `/images?project=${p}&minSeverity=critical`, api: [`${images}&minSeverity=critical`], selector: ROW },
    { name: 'images, fixable', path: `/images?project=${p}&fixable=true`, api: [`${images}&fixable=true`], selector: ROW },
    { name: 'images, not fixable', path: `/images?project=${p}&fixable=false`, api: [`${images}&fixable=false`], selector: ROW },
    { name: 'images, name search', path: `/images?project=${p}&name=app-77`, api: [`${images}&name=app-77`], selector: ROW },
    { name: 'images, sort by critical', path: `/images?project=${p}&sort=-critical`, api: [`${images}&sort=-critical`], selector: ROW },
    { name: 'images, page 200', path: `/images?project=${p}&cursor=${page200}`, api: [`${images}&cursor=${page200}`], selector: ROW },
    { name: 'alerts, first page', path: `/alerts?project=${p}`, api: [alerts], selector: ROW },
    {
      name: 'alerts, type filter',
      path: `/alerts?project=${p}&type=${encodeURIComponent(alertType)}`,
      api: [`${alerts}&type=${encodeURIComponent(alertType)}`],
      selector: ROW,
    },
    { name: 'alerts, severity filter', path: `/alerts?project=${p}&severity=critical`, api: [`${alerts}&severity=critical`], selector: ROW },
    {
      name: 'alerts, last 24 h, open, high',
      path: `/alerts?project=${p}&range=24h&status=open&severity=high`,
      api: [`${alerts}&since=${encodeURIComponent(since)}&status=open&severity=high`],
      selector: ROW,
    },
  ];
}

interface PageResult {
  api: number;
  page: number;
  /** Median main-thread CPU of the page's first loads (ms). */
  cpu: number;
}

async function timeApi(s: BenchServer, paths: string[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(paths.map((p) => s.api(p)));
  return performance.now() - t0;
}

async function run(db: 'sqlite' | 'postgres'): Promise<Map<string, PageResult>> {
  const dir = join(benchCache(), NAME, db);
  let url: string | undefined;
  if (db === 'postgres') {
    const schema = NAME.replace(/-/g, '_');
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    if (RESEED) await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`create schema if not exists ${schema}`);
    await client.end();
    url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  }
  if (RESEED) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`\n${db}: server on ${url ? url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@') : join(dir, 'vigil.db')}`);
  let s = await startBenchServer(dir, url, WEB);
  const projects = await s.api<{ items: { id: string }[] }>('/api/v1/projects?limit=10');
  const p = projects.items[0]!.id;
  const have = await s.api<{ images: { total: number } }>(`/api/v1/projects/${p}/overview`);
  if (have.images.total < IMAGES) {
    console.log(`  seeding ${IMAGES} images and ${ALERTS} alert groups into project ${p}...`);
    await s.close();
    const store = await openStore(url ?? `sqlite:${join(dir, 'vigil.db')}`);
    try {
      await seedConsoleScale(store, p, { images: IMAGES, alerts: ALERTS, now: new Date(), log: (x) => console.log(x) });
    } finally {
      await store.close();
    }
    s = await startBenchServer(dir, url, WEB);
  }
  const out = new Map<string, PageResult>();
  if (SEED_ONLY) {
    await s.close();
    return out;
  }
  const browser = await launchChromium();
  try {
    // Page 200 of the images list (20 per page, as the console asks): its cursor, walked through the API.
    let cursor = '';
    for (let i = 1; i < 200; i++) {
      const pg200 = await s.api<{ next?: string }>(`/api/v1/projects/${p}/images?limit=20${cursor ? `&cursor=${cursor}` : ''}`);
      cursor = pg200.next ?? '';
    }
    const sample = await s.api<{ items: { type: string }[] }>(`/api/v1/alerts?project=${p}&limit=1`);
    console.log(`  ${loadAverageText()}`);
    console.log(`  ${'page'.padEnd(32)}${'API (median ms)'.padStart(16)}${'Chromium first load (median ms)'.padStart(34)}`);
    for (const c of cases(p, cursor, sample.items[0]!.type).filter((x) => !PAGES.length || PAGES.some((w) => x.name.includes(w)))) {
      const api: number[] = [];
      const page: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        api.push(await timeApi(s, c.api));
        // A page that does not show its data within firstLoad's 60 s counts as Infinity (printed "timeout").
        page.push(
          await firstLoad(browser, s, c.path, c.selector, c.until).then(
            (x) => (cpu.push(x.mainThreadCpuMs), x.ms),
            () => Infinity,
          ),
        );
      }
      out.set(c.name, { api: median(api), page: median(page), cpu: median(cpu) });
      console.log(
        `  ${c.name.padEnd(32)}${ms(median(api)).padStart(16)}${ms(median(page)).padStart(34)}   (API ${api.map(ms).join('/')}, page ${page.map(ms).join('/')}; page main-thread CPU ${cpu.map(ms).join('/')})`,
      );
      if (PROFILE)
        await profileFirstLoad(browser, s, c.path, c.selector, c.until).then(
          (x) =>
            console.log(
              profileText(x)
                .map((l) => `      ${l}`)
                .join('\n'),
            ),
          (e: Error) => console.log(`      profile: ${e.message.split('\n')[0]}`),
        );
    }
    if (!PAGES.length || PAGES.some((w) => 'navigation'.includes(w))) {
      // In-console navigation: the overview loaded, then Images, Alerts and Images again from the menu.
      const steps = [
        { name: 'in console: overview -> images', link: 'Images', selector: 'tr.ant-table-row a[href^="/images/"]' },
        { name: 'in console: images -> alerts', link: 'Alerts', selector: 'tr.ant-table-row a[href^="/alerts/"]' },
        { name: 'in console: alerts -> images (again)', link: 'Images', selector: 'tr.ant-table-row a[href^="/images/"]' },
      ];
      const times: number[][] = steps.map(() => []);
      for (let r = 0; r < ROUNDS; r++) {
        const ts = await inConsoleNavigation(browser, s, `/overview?project=${p}`, '.ant-statistic', OVERVIEW_RENDERED, steps).catch(() =>
          steps.map(() => Infinity),
        );
        ts.forEach((x, i) => times[i]!.push(x));
      }
      steps.forEach((st, i) => {
        out.set(st.name, { api: NaN, page: median(times[i]!), cpu: NaN });
        console.log(`  ${st.name.padEnd(40)}${ms(median(times[i]!)).padStart(42)}   (${times[i]!.map(ms).join('/')})`);
      });
    }
    console.log(`  ${loadAverageText()}`);
  } finally {
    await browser.close();
    await s.close();
  }
  return out;
}

for (const l of bundleSizeLines(bundleSizes(WEB))) console.log(l);
const results: Record<string, Map<string, PageResult>> = {};
for (const db of DBS) {
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db: sqlite or postgres, not ${db}`);
  results[db] = await run(db);
}
if (SEED_ONLY) process.exit(0);
// The page's main-thread CPU (Chromium's ThreadTime) is what an idle machine
// would still spend; on a loaded machine the first load waits for the CPU too.
// The summary: each page's first load against its target (overview 1 s, lists
// 500 ms), ratio = measured / target (over 1: missed), and the API time.
const TARGETS = new Map(cases('p', '', 't').map((c) => [c.name, c.target]));
const target = (name: string) => TARGETS.get(name) ?? 500;
console.log(`\npage | target ms | ${DBS.map((d) => `${d} API ms | ${d} page ms | ${d} page CPU ms | ${d} ratio`).join(' | ')}`);
console.log(`--- | --- | ${DBS.map(() => '--- | --- | --- | ---').join(' | ')}`);
for (const name of results[DBS[0]!]!.keys()) {
  const tgt = target(name);
  const cols = DBS.map((d) => {
    const x = results[d]!.get(name)!;
    return `${ms(x.api)} | ${ms(x.page)} | ${ms(x.cpu)} | ${(x.page / tgt).toFixed(2)}${x.page > tgt ? ' (missed)' : ''}`;
  });
  console.log(`${name} | ${tgt} | ${cols.join(' | ')}`);
}
