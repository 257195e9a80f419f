// Vite build of the console: web/ -> dist/web, served by `vigil server` at /.
// Everything is bundled (no CDN); each page is its own chunk (React.lazy).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), noColumnFilters],
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
