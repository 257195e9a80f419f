// Preloaded (`node --import`) into a process a benchmark measures (the idle
// agent of bench/agent-bench.ts): on SIGUSR2 it writes one JSON snapshot of
// the process's memory as V8 sees it (heap used/total, external, array
// buffers, each heap space incl. code space) and of the scripts V8 has
// compiled (ES modules and CommonJS files, grouped by package or source
// directory, plus Node's own internal modules) to $BENCH_PROBE_FILE. The
// memory is read first, before the inspector session that lists the
// scripts is opened. Plain JavaScript: it runs before any TypeScript loader.
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.BENCH_PROBE_FILE;
const MiB = (n) => Math.round((n / 1048576) * 10) / 10;

/** The group a script belongs to: `node_modules/<package>`, a source directory, or `node:internal`. */
function groupOf(url) {
  if (url.startsWith('node:')) return 'node:internal';
  const path = url.replace(/^file:\/\//, '');
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (m) return `node_modules/${m[1]}`;
  const d = /\/(dist|src|bench|test)\/(?:([^/]+)\/)?(?:([^/]+)\/)?/.exec(path);
  return d
    ? [d[1], d[2], d[3]]
        .filter(Boolean)
        .join('/')
        .replace(/\.js$|\.ts$/, '')
    : 'other';
}

if (file) {
  process.on('SIGUSR2', () => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: MiB(s.space_size), used: MiB(s.space_used_size) }]));
    const memory = { rss: MiB(m.rss), heapUsed: MiB(m.heapUsed), heapTotal: MiB(m.heapTotal), external: MiB(m.external), arrayBuffers: MiB(m.arrayBuffers) };
    void import('node:inspector').then(({ Session }) => {
      const urls = new Set();
      const s = new Session();
      s.connect();
      s.on('Debugger.scriptParsed', (e) => {
        if (e.params.url) urls.add(e.params.url);
      });
      s.post('Debugger.enable', () => {
        s.post('Debugger.disable', () => {
          s.disconnect();
          const groups = {};
          for (const u of urls) groups[groupOf(u)] = (groups[groupOf(u)] ?? 0) + 1;
          const files = [...urls].filter((u) => !u.startsWith('node:')).length;
          writeFileSync(file, JSON.stringify({ memory, spaces, scripts: { files, internal: urls.size - files, groups } }));
        });
      });
    });
  });
}
