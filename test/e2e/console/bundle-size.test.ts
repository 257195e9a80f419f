// Build check (not a timing): a fresh Vite build of web/ keeps the initial
// JavaScript of the login and overview routes (entry + the page's own chunks,
// gzip -9) under issue 13's 350 KB, with ECharts and the Chinese catalogs
// out of the entry and loaded on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSizes, INITIAL_JS_LIMIT } from '../../../bench/lib/bundle-size.js';

const root = join(import.meta.dirname, '..', '..', '..');

test('initial JavaScript of the login and overview routes stays under 350 KB gzip', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web', 'vite.config.mjs'), logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const sizes = bundleSizes(dir);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const name of ['Login', 'Overview']) {
    const r = sizes.routes.find((x) => x.name === name);
    assert.ok(r, `no ${name} route chunk in the build`);
    assert.ok(r.total <= INITIAL_JS_LIMIT, `${name}: initial JavaScript ${kb(r.total)} gzip exceeds ${kb(INITIAL_JS_LIMIT)}`);
  }
  // Every page is its own lazy chunk (none folded into the entry).
  assert.ok(sizes.routes.length >= 10, `only ${sizes.routes.length} lazy page chunks`);
  const lazy = sizes.onDemand.map((c) => c.name);
  for (const name of ['EChart.tsx', 'messages.zh.ts', 'zh_CN.js']) assert.ok(lazy.includes(name), `${name} is not loaded on demand: ${lazy.join(', ')}`);
  // The entry holds no ECharts and no Chinese text.
  const manifest = JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file: string; isEntry?: boolean }>;
  const entryFile = Object.values(manifest).find((c) => c.isEntry)!.file;
  const entryCode = readFileSync(join(dir, entryFile), 'utf8');
  assert.doesNotMatch(entryCode, /告警/, 'the Chinese catalog is in the entry chunk');
  assert.doesNotMatch(entryCode, /_echarts_instance_/, 'ECharts is in the entry chunk');
  assert.ok(readdirSync(join(dir, 'assets')).length > 10);
});
