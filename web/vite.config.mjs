// Vite build of the console: web/ -> dist/web, served by `vigil server` at /.
// Everything is bundled (no CDN); each page is its own chunk (React.lazy).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

// antd's table imports its column filter dropdown (Tree, Dropdown, Radio,
// Checkbox) whether a column filters or not; the console never does, so the
// build resolves it to a stand-in (src/components/no-column-filters.ts).
const noColumnFilters = {
  name: 'vigil-no-column-filters',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './FilterDropdown' && importer && /antd[\\/]es[\\/]table[\\/]hooks[\\/]useFilter[\\/]index\.js$/.test(importer))
      return resolve(here, 'src', 'components', 'no-column-filters.ts');
    return null;
  },
};

// Brotli and gzip copies of the text assets next to them (NAME.br, NAME.gz),
// which the server sends to browsers that accept them (@fastify/static's
// preCompressed): compressed once at build time at the highest levels, not
// on every request.
const precompress = {
  name: 'vigil-precompress',
  apply: 'build',
  writeBundle(options) {
    const out = options.dir;
    const files = [join(out, 'index.html'), ...readdirSync(join(out, 'assets')).map((f) => join(out, 'assets', f))];
    for (const f of files) {
      if (!/\.(js|css|html|svg)$/.test(f)) continue;
      const data = readFileSync(f);
      if (data.length < 1024) continue;
      writeFileSync(`${f}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
      writeFileSync(`${f}.gz`, gzipSync(data, { level: 9 }));
    }
  },
};

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), noColumnFilters, precompress],
  logLevel: 'warn',
  build: {
    outDir: resolve(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
    // bench/console-bench.ts reads the chunk graph from it.
    manifest: true,
  },
});
