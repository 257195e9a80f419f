// Benchmark: cost of `vigil runtime watch` on an exec-heavy workload, in one
// run. The workload is N short processes (`/bin/true`, forked and exec'd by
// P parallel shell loops); it runs without the agent, with it, and without
// it again (the two baselines are averaged, so load drift on a shared
// machine shows up as their spread). Reports the slowdown ratio, the exec
// rate reached, events lost by the probes, and the agent's CPU and RSS
// (node + its bpftrace child). `--workload open` runs N file opens instead
// (P perl processes, each opening /etc/hostname for reading and a file in
// /tmp for writing, O_CREAT|O_TRUNC: paths the probes test but do not
// report), the cost of the openat entry and exit probes. Needs root. Usage:
//   npx tsx bench/runtime-exec.ts [--n 20000] [--parallel 4] [--workload exec|open]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

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
/** `--only default|lean`: run one watched configuration (profiling). `--node-arg X` (repeatable): passed to the agent's node (e.g. --cpu-prof). */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const IDLE_MS = 10_000;
const NODE_ARGS = process.argv.flatMap((a, i) => (a === '--node-arg' && process.argv[i + 1] ? [process.argv[i + 1]!] : []));
const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** CPU seconds of reaped children (cutime + cstime of /proc/self/stat): the workload's own CPU, probe time included. */
function childCpu(): number {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}

let lastCpu = 0;
function workload(): number {
  const c0 = childCpu();
  const per = Math.ceil(N / P);
  const loop =
    KIND === 'exec'
      ? `i=0; while [ $i -lt ${per} ]; do /bin/true; i=$((i+1)); done`
      : `perl -e 'for (1..${Math.ceil(per / 2)}) { open(my $f, "<", "/etc/hostname") or die; close $f; open(my $g, ">", "/tmp/vigil-bench-open-$$") or die; close $g } unlink "/tmp/vigil-bench-open-$$"'`;
  const script = Array.from({ length: P }, () => `(${loop}) &`).join(' ') + ' wait';
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('workload failed');
  lastCpu = childCpu() - c0;
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function cpuTicks(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}
function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function childOf(ppid: number, comm: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      const pp = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      if (pp === ppid && name === comm) return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

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
  const base1 = workload();
  const cpu1 = lastCpu;
  const full = ONLY === 'lean' ? undefined : await watched([]);
  const lean = ONLY === 'default' ? undefined : await watched(['--no-raw-syscalls']);
  const base2 = workload();
  const cpu2 = lastCpu;
  const base = (base1 + base2) / 2;
  const baseCpu = (cpu1 + cpu2) / 2;
  console.log(
    `without watch: ${base1.toFixed(0)} ms and ${base2.toFixed(0)} ms (mean ${base.toFixed(0)} ms, ${(N / (base / 1000)).toFixed(0)} ${UNIT}/s); baseline spread ${((Math.abs(base1 - base2) / base) * 100).toFixed(1)} %`,
  );
  console.log(`               workload CPU ${cpu1.toFixed(2)} s and ${cpu2.toFixed(2)} s (user + sys of the processes themselves)`);
  for (const [name, r] of [
    ['watch (default)', full],
    ['watch --no-raw-syscalls', lean],
  ] as const) {
    if (!r) continue;
    console.log(`${name}:`);
    console.log(
      `  workload:  ${r.ms.toFixed(0)} ms (${(N / (r.ms / 1000)).toFixed(0)} ${UNIT}/s), slowdown ${((r.ms / base - 1) * 100).toFixed(1)} % wall (target <= 5 %)`,
    );
    console.log(
      `             workload CPU ${r.wcpu.toFixed(2)} s: ${((r.wcpu / baseCpu - 1) * 100).toFixed(1)} % more than without watch (probe time is charged to the traced processes)`,
    );
    console.log(`             probe cost ${(((r.wcpu - baseCpu) / N) * 1e6).toFixed(2)} us per ${UNIT} (workload CPU over the floor, per operation)`);
    console.log(
      `  agent CPU: ${r.cpuS.toFixed(2)} s during the workload (${(((r.cpuS * 1000) / r.ms) * 100).toFixed(0)} % of one core): node ${r.cpuNode.toFixed(2)} s + bpftrace ${r.cpuBt.toFixed(2)} s; ${((r.cpuS / N) * 1e6).toFixed(0)} us per ${UNIT} = ${((r.cpuS / N) * 1000).toFixed(2)} s per 1,000`,
    );
    const over = r.cpuS - r.idleS;
    console.log(
      `             over the agent's idle rate (${r.idleS.toFixed(2)} s for the same stretch): ${over.toFixed(2)} s, ${((over / N) * 1e6).toFixed(0)} us per ${UNIT} = ${((over / N) * 1000).toFixed(2)} s per 1,000`,
    );
    console.log(`  agent RSS: node ${(r.rssNode / 1024).toFixed(0)} MiB, bpftrace ${(r.rssBt / 1024).toFixed(0)} MiB`);
    console.log(`  events:    ${r.events} normalised, ${r.aggregated} identical execs counted in the kernel, lost by the probes: ${r.lost}`);
  }
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
