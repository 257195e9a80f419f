// Benchmark: Kubernetes audit events per second from a file through all
// built-in cluster rules, against the physical floor of the same file (read,
// split into lines, JSON.parse each line: work every audit consumer does).
// Alternates the contenders round by round; prints medians, events/s and
// the ratio. Target: >= 100k events/s/core through all cluster rules.
//
//   node --import tsx bench/k8s-audit.ts [--events 200000] [--rounds 5]
//   (also times `node dist/cli/main.js k8s audit --format json` when dist/ is built)
import { createReadStream, mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAuditEvents } from './k8s-audit-gen.js';
import { createClusterEngine } from '../src/node/k8s/cluster-engine.js';
import { readAuditFile } from '../src/node/k8s/audit-file.js';
import { LineSplitter } from '../src/core/k8s/line-splitter.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`] ?? def);
};
const N = arg('events', 200_000);
const ROUNDS = arg('rounds', 5);
const REPO = fileURLToPath(new URL('../', import.meta.url));

async function floor(path: string): Promise<number> {
  const splitter = new LineSplitter(4 * 1024 * 1024);
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    for (const l of splitter.push(chunk as Buffer))
      if (l.text) {
        JSON.parse(l.text);
        n++;
      }
  }
  return n;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function vigil(path: string): Promise<{ events: number; alerts: number; startupMs: number }> {
  const c = cpuMs();
  const ce = await createClusterEngine();
  const startupMs = cpuMs() - c;
  let alerts = 0;
  const r = await readAuditFile(path, {
    onEvent: (e) => {
      alerts += ce.pipeline.process(e).length;
    },
    onError: () => {},
  });
  return { events: r.events, alerts, startupMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-k8s-'));
  try {
    const path = join(dir, 'audit.log');
    const lines: string[] = [];
    let writes = 0;
    for (const e of generateAuditEvents(N)) {
      lines.push(JSON.stringify(e.audit));
      if (e.audit.level === 'RequestResponse') writes++;
    }
    writeFileSync(path, lines.join('\n') + '\n');
    const bytes = statSync(path).size;
    console.log(
      `audit log: ${N} events, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / N)} B/event), ${((writes / N) * 100).toFixed(1)}% writes at RequestResponse`,
    );
    const tf: number[] = [];
    const tv: number[] = [];
    const cf: number[] = [];
    const cv: number[] = [];
    const cpu = cpuMs;
    const cs: number[] = [];
    let alerts = 0;
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      let c = cpu();
      const n = await floor(path);
      tf.push(performance.now() - t);
      cf.push(cpu() - c);
      t = performance.now();
      c = cpu();
      const v = await vigil(path);
      tv.push(performance.now() - t);
      cv.push(cpu() - c);
      if (n !== N || v.events !== N) throw new Error(`event count mismatch: floor ${n}, vigil ${v.events}, generated ${N}`);
      alerts = v.alerts;
      cs.push(v.startupMs);
    }
    const f = median(tf);
    const v = median(tv);
    const eps = (ms: number) => Math.round(N / (ms / 1000));
    console.log(`floor (read + split + JSON.parse)      median ${f.toFixed(0)} ms  ${eps(f).toLocaleString('en')} events/s`);
    console.log(`vigil (parse + validate + all cluster rules + dedup)  median ${v.toFixed(0)} ms  ${eps(v).toLocaleString('en')} events/s  (${alerts} alerts)`);
    // CPU time is what "per core" means on a shared machine: wall time there includes waiting for a core.
    const fc = median(cf);
    const vc = median(cv);
    console.log(
      `per CPU-second: floor ${eps(fc).toLocaleString('en')} events/s, vigil ${eps(vc).toLocaleString('en')} events/s (ratio ${(vc / fc).toFixed(2)}x; vigil includes loading and compiling the rules, median ${median(cs).toFixed(0)} ms CPU)`,
    );
    console.log(
      `ratio vigil/floor (wall): ${(v / f).toFixed(2)}x   target >= 100,000 events/s/core: ${eps(vc) >= 100_000 ? 'met' : 'NOT met'} (${eps(vc).toLocaleString('en')} per CPU-second)`,
    );
    const cli = join(REPO, 'dist/cli/main.js');
    if (existsSync(cli)) {
      const tc: number[] = [];
      for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
        const t = performance.now();
        const p = spawnSync(process.execPath, [cli, 'k8s', 'audit', '--file', path, '--format', 'json'], { stdio: ['ignore', 'ignore', 'inherit'] });
        if (p.status !== 0) throw new Error(`vigil k8s audit exited ${p.status}`);
        tc.push(performance.now() - t);
      }
      const c = median(tc);
      console.log(`CLI \`vigil k8s audit --format json\` (compiled, incl. start-up)  median ${c.toFixed(0)} ms  ${eps(c).toLocaleString('en')} events/s`);
    } else console.log('(dist/ not built: CLI not timed; run `npm run build`)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
