// Build check (not a timing): a fresh Vite build of web/ keeps the initial
// JavaScript of every route (entry + the page's own chunks, gzip -9) under
// issue 13's 350 KB, with ECharts, the Chinese catalogs, the toasts and the
// ignore dialog's date picker out of the routes and loaded on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSizes, INITIAL_JS_LIMIT } from '../../../bench/lib/bundle-size.js';

const root = join(import.meta.dirname, '..', '..', '..');

// Every page of web/src/App.tsx: a page missing from the build fails too.
const PAGES = ['Login', 'Overview', 'Images', 'ImageDetail', 'Alerts', 'Policies', 'Audit', 'Registries', 'Clusters', 'Users', 'Settings'];

test('initial JavaScript of every route stays under 350 KB gzip', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web', 'vite.config.mjs'), logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const sizes = bundleSizes(dir);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  // Every page is its own lazy chunk (none folded into the entry).
  assert.deepEqual(sizes.routes.map((r) => r.name).sort(), [...PAGES].sort(), 'the lazy page chunks are not the console pages');
  const over = sizes.routes.filter((r) => r.total > INITIAL_JS_LIMIT).map((r) => `${r.name} ${kb(r.total)}`);
  assert.deepEqual(over, [], `initial JavaScript over ${kb(INITIAL_JS_LIMIT)} gzip: ${over.join(', ')}`);
  const lazy = sizes.onDemand.map((c) => c.name);
  for (const name of ['EChart.tsx', 'messages.zh.ts', 'zh_CN.js', 'IgnoreDialog.tsx'])
    assert.ok(lazy.includes(name), `${name} is not loaded on demand: ${lazy.join(', ')}`);
  // The entry holds no ECharts and no Chinese text.
  const manifest = JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file: string; isEntry?: boolean }>;
  const entryFile = Object.values(manifest).find((c) => c.isEntry)!.file;
  const entryCode = readFileSync(join(dir, entryFile), 'utf8');
  assert.doesNotMatch(entryCode, /告警/, 'the Chinese catalog is in the entry chunk');
  assert.doesNotMatch(entryCode, /_echarts_instance_/, 'ECharts is in the entry chunk');
  // The route preloader runs before the entry and knows every page's chunk.
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const preload = /<script type="module" src="\/(assets\/preload-[0-9a-f]{8}\.js)"><\/script>\s*<script type="module" crossorigin src="\/assets\/index-/.exec(
    html,
  );
  assert.ok(preload, `index.html does not run the route preloader before the entry:\n${html}`);
  const preloadCode = readFileSync(join(dir, preload[1]!), 'utf8');
  for (const page of PAGES) assert.match(preloadCode, new RegExp(`"/assets/${page}-[\\w-]+\\.js"`), `the route preloader misses ${page}`);
  // antd's column filter dropdown (Tree) is replaced by the stand-in of web/vite.config.mjs.
  const all = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  assert.ok(all.length > 10);
  for (const f of all) assert.doesNotMatch(readFileSync(join(dir, 'assets', f), 'utf8'), /dropIndicatorRender/, `${f}: antd's Tree is in the build`);
});
