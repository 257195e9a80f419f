// Benchmark: cost of `vigil runtime watch` on an exec-heavy workload, in one
// run. The workload is N short processes (`/bin/true`, forked and exec'd by
// P parallel shell loops); it runs R interleaved rounds (without the agent,
// with it, ..., and without it once more), so load drift on a shared
// machine hits both sides and shows up as the spread. Reports medians,
// spreads and paired ratios of the wall time and of the workload's own CPU
// time (user + sys: the robust metric on a shared machine), the
// rate reached, events lost by the probes, and the agent's CPU and RSS
// (node + its bpftrace child). `--workload open` runs N file opens instead
// (P perl processes, each opening /etc/hostname for reading and a file in
// /tmp for writing, O_CREAT|O_TRUNC: paths the probes test but do not
// report), the cost of the openat entry and exit probes. Needs root. Usage:
//   npx tsx bench/runtime-exec.ts [--n 20000] [--parallel 4] [--rounds 3] [--workload exec|open] [--only lean]
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { TICK, childOf, cpuTicks, reapedChildCpuSeconds, rssKiB } from './lib/proc.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('n', 20_000);
const P = arg('parallel', 4);
const KIND = process.argv.includes('--workload') ? process.argv[process.argv.indexOf('--workload') + 1] : 'exec';
if (KIND !== 'exec' && KIND !== 'open') throw new Error('--workload: exec or open');
const UNIT = KIND === 'exec' ? 'exec' : 'open';
/** `--only lean`: watch with `--no-raw-syscalls` instead of the default sensors. `--node-arg X` (repeatable): passed to the agent's node (e.g. --cpu-prof). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const IDLE_MS = 10_000;
const ROUNDS = arg('rounds', 3);
const NODE_ARGS = process.argv.flatMap((a, i) => (a === '--node-arg' && process.argv[i + 1] ? [process.argv[i + 1]!] : []));

let lastCpu = 0;
function workload(): number {
  const c0 = reapedChildCpuSeconds();
  const per = Math.ceil(N / P);
  const loop =
    KIND === 'exec'
      ? `i=0; while [ $i -lt ${per} ]; do /bin/true; i=$((i+1)); done`
      : `perl -e 'for (1..${Math.ceil(per / 2)}) { open(my $f, "<", "/etc/hostname") or die; close $f; open(my $g, ">", "/tmp/vigil-bench-open-$$") or die; close $g } unlink "/tmp/vigil-bench-open-$$"'`;
  const script = Array.from({ length: P }, () => `(${loop}) &`).join(' ') + ' wait';
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('workload failed');
  lastCpu = reapedChildCpuSeconds() - c0;
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** Spread of a series: (max - min) / median, in percent. */
const spread = (xs: number[]): number => ((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100;
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
const list = (xs: number[], digits = 1): string => xs.map((x) => x.toFixed(digits)).join(', ');
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench/runtime-exec: needs root (eBPF)');
    process.exit(2);
  }
  console.log(
    KIND === 'exec'
      ? `workload: ${N} short processes (/bin/true) from ${P} parallel shell loops`
      : `workload: ${N} opens (half reads of /etc/hostname, half O_CREAT|O_TRUNC writes in /tmp) from ${P} perl processes`,
  );
  const config = ONLY === 'lean' ? ['--no-raw-syscalls'] : [];
  console.log(
    `${ROUNDS} interleaved rounds (without watch, with watch${config.length ? ' ' + config.join(' ') : ''}), then a last run without watch; load average at start ${loadavg()}`,
  );
  // Interleaved: B A B A ... B, so load drift on a shared machine hits both sides alike; each watched
  // run is compared with the mean of the baselines just before and after it (paired), and the
  // medians of all runs are compared too.
  const base: { ms: number; cpu: number }[] = [];
  const runs: Watched[] = [];
  const loads: string[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const ms = workload();
    base.push({ ms, cpu: lastCpu });
    loads.push(loadavg());
    console.log(`  round ${r + 1} without watch: ${(ms / 1000).toFixed(1)} s wall, workload CPU ${lastCpu.toFixed(2)} s (load ${loads.at(-1)})`);
    if (r === ROUNDS) break;
    const w = await watched(config);
    runs.push(w);
    loads.push(loadavg());
    console.log(
      `  round ${r + 1} with watch:    ${(w.ms / 1000).toFixed(1)} s wall, workload CPU ${w.wcpu.toFixed(2)} s, agent ${w.cpuS.toFixed(2)} s CPU (node ${w.cpuNode.toFixed(2)} + bpftrace ${w.cpuBt.toFixed(2)}); events ${w.events}, counted in the kernel ${w.aggregated}, lost ${w.lost} (load ${loads.at(-1)})`,
    );
  }
  const bMs = base.map((b) => b.ms / 1000);
  const bCpu = base.map((b) => b.cpu);
  const wMs = runs.map((w) => w.ms / 1000);
  const wCpu = runs.map((w) => w.wcpu);
  const pairedWall = runs.map((w, i) => (w.ms / ((base[i]!.ms + base[i + 1]!.ms) / 2) - 1) * 100);
  const pairedCpu = runs.map((w, i) => (w.wcpu / ((base[i]!.cpu + base[i + 1]!.cpu) / 2) - 1) * 100);
  const agentPerK = runs.map((w) => (w.cpuS / N) * 1000);
  const agentOverPerK = runs.map((w) => ((w.cpuS - w.idleS) / N) * 1000);
  console.log('summary:');
  console.log(
    `  without watch: wall median ${median(bMs).toFixed(1)} s (spread ${spread(bMs).toFixed(1)} %: ${list(bMs)}), ${(N / median(bMs)).toFixed(0)} ${UNIT}/s`,
  );
  console.log(`                 workload CPU (user+sys) median ${median(bCpu).toFixed(2)} s (spread ${spread(bCpu).toFixed(1)} %: ${list(bCpu, 2)})`);
  console.log(`  with watch:    wall median ${median(wMs).toFixed(1)} s (spread ${spread(wMs).toFixed(1)} %: ${list(wMs)})`);
  console.log(`                 workload CPU (user+sys) median ${median(wCpu).toFixed(2)} s (spread ${spread(wCpu).toFixed(1)} %: ${list(wCpu, 2)})`);
  console.log(
    `  slowdown, wall:         medians ${pct((median(wMs) / median(bMs) - 1) * 100)}; paired with the neighbouring baselines: median ${pct(median(pairedWall))} (rounds ${pairedWall.map(pct).join(', ')}) (target <= 5 %)`,
  );
  console.log(
    `  workload CPU (robust):  medians ${pct((median(wCpu) / median(bCpu) - 1) * 100)}; paired: median ${pct(median(pairedCpu))} (rounds ${pairedCpu.map(pct).join(', ')}); ${(((median(wCpu) - median(bCpu)) / N) * 1e6).toFixed(1)} us per ${UNIT}`,
  );
  console.log(
    `  agent CPU per 1,000 ${UNIT}s: median ${median(agentPerK).toFixed(3)} s (rounds ${list(agentPerK, 3)}); over its idle rate ${median(agentOverPerK).toFixed(3)} s; RSS node ${(median(runs.map((r) => r.rssNode)) / 1024).toFixed(0)} MiB, bpftrace ${(median(runs.map((r) => r.rssBt)) / 1024).toFixed(0)} MiB`,
  );
  console.log(`  load average during the run: ${loads[0]} .. ${loads.at(-1)}`);
}

interface Watched {
  ms: number;
  wcpu: number;
  cpuS: number;
  cpuNode: number;
  cpuBt: number;
  /** The agent's idle CPU rate times the measured stretch (workload + drain). */
  idleS: number;
  rssNode: number;
  rssBt: number;
  events: string;
  lost: string;
  /** Execs the program counted instead of printing (burst aggregation). */
  aggregated: string;
}

async function watched(extra: string[]): Promise<Watched> {
  const w = spawn(
    process.execPath,
    [...NODE_ARGS, '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'runtime', 'watch', '--format', 'json', '--stats', '0', ...extra],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  w.stderr.setEncoding('utf8');
  await new Promise<void>((res, rej) => {
    w.stderr.on('data', (d: string) => {
      err += d;
      if (/ready/.test(err)) res();
    });
    w.on('exit', () => rej(new Error(`watch exited: ${err}`)));
  });
  const bt = childOf(w.pid!, 'bpftrace');
  await new Promise((r) => setTimeout(r, 2000));
  // The agent's CPU without the workload (other processes on a shared host, the CPU sampler, scans of
  // new executables): its rate over IDLE_MS is subtracted from the CPU during the workload.
  const i0 = cpuTicks(w.pid!) + (bt ? cpuTicks(bt) : 0);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleRate = (cpuTicks(w.pid!) + (bt ? cpuTicks(bt) : 0) - i0) / TICK / (IDLE_MS / 1000);
  const n0 = cpuTicks(w.pid!);
  const b0 = bt ? cpuTicks(bt) : 0;
  const ms = workload();
  const wcpu = lastCpu;
  // Let the agent drain what the workload produced before reading its CPU.
  await new Promise((r) => setTimeout(r, 3000));
  const cpuNode = (cpuTicks(w.pid!) - n0) / TICK;
  const cpuBt = ((bt ? cpuTicks(bt) : 0) - b0) / TICK;
  const rssNode = rssKiB(w.pid!);
  const rssBt = bt ? rssKiB(bt) : 0;
  w.kill('SIGINT');
  await new Promise((r) => w.on('exit', r));
  const stats = /stats events=(\d+).*lost=(\d+)/.exec(err);
  return {
    ms,
    wcpu,
    cpuS: cpuNode + cpuBt,
    cpuNode,
    cpuBt,
    idleS: idleRate * ((ms + 3000) / 1000),
    rssNode,
    rssBt,
    events: stats?.[1] ?? '?',
    lost: stats?.[2] ?? '?',
    aggregated: /stats .*aggregated=(\d+)/.exec(err)?.[1] ?? '0',
  };
}

await main();
