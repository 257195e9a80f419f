// Vite build of the console: web/ -> dist/web, served by `vigil server` at /.
// Everything is bundled (no CDN); each page is its own chunk (React.lazy).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
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
