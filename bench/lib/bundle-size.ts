// JavaScript a browser must load before each console route renders, from the
// Vite manifest of dist/web (gzip -9 sizes): the entry chunk and its static
// imports, plus the route's page chunk and its static imports. Chunks a page
// loads later on its own (ECharts, the Chinese catalog) are listed apart as
// on demand. Used by bench/console-bench.ts and test/e2e/console/bundle-size.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The initial JavaScript target of issue 13, in bytes gzip. */
export const INITIAL_JS_LIMIT = 350 * 1024;

interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
  src?: string;
}

export interface BundleSizes {
  /** The entry chunk and its static imports. */
  entry: number;
  /** Per page (src/pages/X.tsx): its own chunks beyond the entry, and entry + those. */
  routes: { name: string; extra: number; total: number }[];
  /** Chunks loaded later on demand (not part of any route's initial load), beyond the entry. */
  onDemand: { name: string; size: number }[];
}

export function bundleSizes(webDir: string): BundleSizes {
  const manifestPath = join(webDir, '.vite', 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no console build at ${webDir} (run npm run build:web)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Chunk>;
  const gz = new Map<string, number>();
  const size = (file: string) => {
    if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(webDir, file)), { level: 9 }).length);
    return gz.get(file)!;
  };
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) closure(i, seen);
    return seen;
  };
  const js = (keys: Iterable<string>) =>
    [...keys]
      .map((k) => manifest[k]!.file)
      .filter((f) => f.endsWith('.js'))
      .reduce((n, f) => n + size(f), 0);
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  if (!entryKey) throw new Error(`${manifestPath}: no entry chunk`);
  const entrySet = closure(entryKey);
  const entry = js(entrySet);
  const routes: BundleSizes['routes'] = [];
  const onDemand: BundleSizes['onDemand'] = [];
  const pageKeys = new Set<string>();
  for (const k of manifest[entryKey]!.dynamicImports ?? []) {
    const src = manifest[k]!.src ?? k;
    if (!/^src\/pages\//.test(src)) continue;
    pageKeys.add(k);
    const own = closure(k);
    for (const e of entrySet) own.delete(e);
    const extra = js(own);
    routes.push({ name: src.replace(/^src\/pages\//, '').replace(/\.tsx$/, ''), extra, total: entry + extra });
  }
  for (const [k, c] of Object.entries(manifest)) {
    if (!c.file.endsWith('.js') || entrySet.has(k) || pageKeys.has(k)) continue;
    const dynamic = Object.values(manifest).some((m) => m.dynamicImports?.includes(k));
    if (!dynamic) continue;
    const own = closure(k);
    for (const e of entrySet) own.delete(e);
    onDemand.push({ name: (c.src ?? k).replace(/^.*\//, ''), size: js(own) });
  }
  return { entry, routes, onDemand };
}

/** The sizes as the benches print them: the entry, each route's chunks and initial total, the on-demand chunks. */
export function bundleSizeLines(sizes: BundleSizes): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `initial JavaScript per route, gzip -9 (target < ${kb(INITIAL_JS_LIMIT)})`,
    `    entry (shell, router, component library core, English catalog): ${kb(sizes.entry)}`,
    ...sizes.routes.map(
      (r) =>
        `    ${r.name.padEnd(12)} route chunks ${kb(r.extra).padStart(9)}  initial total ${kb(r.total).padStart(9)}${r.total > INITIAL_JS_LIMIT ? '  (over target)' : ''}`,
    ),
    ...sizes.onDemand.map((c) => `    on demand: ${c.name.padEnd(20)} ${kb(c.size).padStart(9)} (beyond the entry)`),
  ];
}
