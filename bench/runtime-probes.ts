// Benchmark: what each probe of the eBPF sensor costs, on an exec-heavy and
// an open-heavy workload (bench/README.md). The program is the one
// `vigil runtime watch` runs (same generator, same options); it is split
// into its probes (one per tracepoint; the three exec probes are one), and
// the workload runs with no probe (the floor), with the whole program, and
// with each probe that fires in the workload alone (the probes that do not
// fire run together as one more configuration: their cost is that of being
// attached). Configurations are interleaved round by round so load drift on
// a shared machine hits them all. Measured: CPU time, not wall time: the
// workload's own (user + sys of its processes, from this process's
// cutime/cstime: time in the probes is charged to the traced task) plus
// bpftrace's (/proc/PID/stat). One more run of the whole program with
// kernel.bpf_stats_enabled gives each probe's event count and its time
// inside BPF (run_cnt and run_time_ns in /proc/PID/fdinfo of bpftrace's
// program fds). Needs root, bpftrace, tracefs and BTF. Usage:
//   node --import tsx bench/runtime-probes.ts [--rounds 3] [--execs 1000] [--opens 20000] [--write]
// --write replaces the table between the probe-cost markers in
// docs/runtime.md and bench/README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildProgram,
  programEnv,
  sensitiveIdentities,
  syscallTracepoints,
  v1SubsysIndex,
  DEFAULT_PROTECTED_PREFIXES,
  DEFAULT_SENSITIVE_PATHS,
} from '../src/node/sensors/bpftrace/program.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    execs: { type: 'string', default: '1000' },
    opens: { type: 'string', default: '20000' },
    write: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opt.rounds);
const EXECS = Number(opt.execs);
const OPENS = Number(opt.opens);
const WRITE = opt.write;
for (const [k, v] of Object.entries({ rounds: ROUNDS, execs: EXECS, opens: OPENS }))
  if (!Number.isInteger(v) || v < 1 || (k !== 'rounds' && v % 2)) throw new Error(`--${k}: a positive ${k === 'rounds' ? '' : 'even '}integer`);
const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

interface Workload {
  name: string;
  unit: string;
  ops: number;
  script: string;
}
const WORKLOADS: Workload[] = [
  {
    name: 'exec',
    unit: 'exec',
    ops: EXECS,
    script: `(i=0; while [ $i -lt ${EXECS / 2} ]; do /bin/true; i=$((i+1)); done) & (i=0; while [ $i -lt ${EXECS / 2} ]; do /bin/true; i=$((i+1)); done) & wait`,
  },
  {
    name: 'open',
    unit: 'open',
    ops: OPENS,
    script: `perl -e 'for (1..${OPENS / 2}) { open(my $f, "<", "/etc/hostname") or die; close $f; open(my $g, ">", "/tmp/vigil-bench-open-$$") or die; close $g } unlink "/tmp/vigil-bench-open-$$"'`,
  },
];

function statFields(pid: number | 'self'): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}
/** CPU seconds of reaped children (cutime + cstime). */
const childCpu = () => {
  const f = statFields('self');
  return (Number(f[13]) + Number(f[14])) / TICK;
};
/** CPU seconds of a live process (utime + stime). */
const procCpu = (pid: number) => {
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return 0;
  }
};

/** Runs the workload; its wall ms and CPU s (its processes, probes included). */
function runWorkload(w: Workload): { ms: number; cpu: number } {
  const c0 = childCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync('nice', ['-n', '5', 'sh', '-c', w.script], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`workload ${w.name} failed`);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: childCpu() - c0 };
}

/** The program `vigil runtime watch` builds on this host (src/node/runtime/watch.ts), without policy paths. */
function fullProgram(): string {
  const hostPidns = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1]);
  return buildProgram({
    ...(Number.isFinite(hostPidns) ? { hostPidns } : {}),
    sensitiveInodes: sensitiveIdentities(),
    v1SubsysIndex: v1SubsysIndex(readFileSync('/proc/cgroups', 'utf8')),
    syscallTracepoints: syscallTracepoints(),
    sensitivePaths: DEFAULT_SENSITIVE_PATHS,
    protectedPrefixes: DEFAULT_PROTECTED_PREFIXES,
  });
}

/** Probe lines by label (the tracepoint; the exec probes together; the exit map's print with the exit probe); BEGIN apart. */
function split(program: string): { begin: string; probes: string[]; labelOf: string[] } {
  const lines = program.split('\n').filter(Boolean);
  const begin = lines.find((l) => l.startsWith('BEGIN'))!;
  const probes = lines.filter((l) => l !== begin);
  // The exec and exit probes and the interval prints share maps (the burst aggregation's `@xg`, `@ag`,
  // `@ex`): one configuration, as bpftrace cannot compile one of them without the others.
  const EXEC_EXIT = 'sched:sched_process_exec + exit (all their probes)';
  const labelOf = probes.map((l) =>
    l.startsWith('interval:') ? EXEC_EXIT : /^tracepoint:(\S+)/.exec(l)![1]!.replace(/^sched:sched_process_(exec|exit)$/, EXEC_EXIT),
  );
  return { begin, probes, labelOf };
}

/**
 * A part of the program that runs on its own: the exec probe reads the map of dropped files that
 * the openat probe writes, and bpftrace 0.17 resolves the inode's fields only from a use that
 * names them (in the whole program, the openat probe's); BEGIN defines both.
 */
function alone(begin: string, lines: string[]): string {
  const reads = lines.some((l) => l.includes('@wr[')) && !lines.some((l) => l.includes('sys_exit_openat'));
  // Both maps of dropped files: a container's (`@wr`) and the host's (`@wh`).
  const prime = ['@wr', '@wh']
    .map((m) => `${m}[$t->i_ino, $t->i_sb->s_dev, $t->i_generation] = comm; delete(${m}[$t->i_ino, $t->i_sb->s_dev, $t->i_generation]); `)
    .join('');
  const primed = `$t = (struct inode *)0; ${prime}`;
  return [reads ? begin.replace('BEGIN { ', `BEGIN { ${primed}`) : begin, ...lines].join('\n');
}

class Bpftrace {
  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
  ) {}
  static async start(program: string): Promise<Bpftrace> {
    const child = spawn('nice', ['-n', '5', 'bpftrace', '-f', 'json', '-e', program], { env: programEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-65536)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`bpftrace did not attach in 400 s: ${err.slice(-300)}`)), 400_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        if (out.length < 4096) out += d;
        if (out.includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      child.on('exit', (c) =>
        reject(new Error(`bpftrace exited (${c}): ${(err.match(/^.*ERROR:(?!.*RLIMIT_MEMLOCK).*$/gm) ?? [err.slice(-300)]).join('; ').slice(0, 600)}`)),
      );
    });
    // Keep draining its output (events of other processes on a shared machine).
    child.stdout!.resume();
    return new Bpftrace(child, child.pid!);
  }
  /** Per program fd (ascending = program order): [run_cnt, run_time_ns]. */
  progStats(): Array<[number, number]> {
    const fds = readdirSync(`/proc/${this.pid}/fdinfo`)
      .map(Number)
      .sort((a, b) => a - b);
    const out: Array<[number, number]> = [];
    for (const fd of fds) {
      let t: string;
      try {
        t = readFileSync(`/proc/${this.pid}/fdinfo/${fd}`, 'utf8');
      } catch {
        continue;
      }
      if (!/^prog_type:/m.test(t)) continue;
      out.push([Number(/^run_cnt:\s+(\d+)/m.exec(t)?.[1] ?? 0), Number(/^run_time_ns:\s+(\d+)/m.exec(t)?.[1] ?? 0)]);
    }
    return out;
  }
  async stop(): Promise<void> {
    this.child.kill('SIGINT');
    await new Promise((r) => this.child.once('exit', r));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Row {
  label: string;
  probes: number;
  events: number;
  eventsPerSec: number;
  bpfUs: number | undefined;
  costUs: number[];
}

async function measure(w: Workload, program: string): Promise<{ rows: Row[]; floorCpu: number[]; floorMs: number[]; allCost: number[] }> {
  const { begin, probes, labelOf } = split(program);
  // 1. Event counts and in-BPF time per probe, whole program, bpf_stats on.
  const prevStats = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
  writeFileSync('/proc/sys/kernel/bpf_stats_enabled', '1');
  let stats: Array<[number, number]>;
  let allMs: number;
  try {
    const bt = await Bpftrace.start(program);
    const s0 = bt.progStats();
    allMs = runWorkload(w).ms;
    const s1 = bt.progStats();
    await bt.stop();
    if (s0.length !== probes.length) throw new Error(`bpftrace holds ${s0.length} programs for ${probes.length} probes`);
    stats = s1.map(([c, t], i) => [c - s0[i]![0], t - s0[i]![1]]);
  } finally {
    writeFileSync('/proc/sys/kernel/bpf_stats_enabled', prevStats);
  }
  const labels = [...new Set(labelOf)];
  const agg = new Map(labels.map((l) => [l, { probes: 0, events: 0, ns: 0 }]));
  probes.forEach((_, i) => {
    const a = agg.get(labelOf[i]!)!;
    a.probes++;
    // Events: runs of the group's first probe (the exec group runs three programs per exec).
    if (a.probes === 1) a.events = stats[i]![0];
    a.ns += stats[i]![1];
  });
  // The probes that fire in the workload (beyond background noise) alone; the rest together.
  // Machine-wide counts: other processes on a shared machine add a few events of every kind.
  const noise = w.ops / 2;
  const firing = labels.filter((l) => agg.get(l)!.events > noise);
  const idle = labels.filter((l) => !firing.includes(l));
  const configs: Array<{ label: string; program?: string }> = [
    { label: 'floor' },
    { label: 'all', program: program },
    ...firing.map((l) => ({
      label: l,
      program: alone(
        begin,
        probes.filter((_, i) => labelOf[i] === l),
      ),
    })),
    {
      label: `idle:${idle.length}`,
      program: alone(
        begin,
        probes.filter((_, i) => idle.includes(labelOf[i]!)),
      ),
    },
  ];
  // 2. Interleaved rounds: CPU of the workload and of bpftrace, per configuration.
  const cpu = new Map<string, number[]>(configs.map((c) => [c.label, []]));
  const floorMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of configs) {
      if (!c.program) {
        const x = runWorkload(w);
        cpu.get(c.label)!.push(x.cpu);
        floorMs.push(x.ms);
        continue;
      }
      const bt = await Bpftrace.start(c.program);
      await new Promise((res) => setTimeout(res, 1000));
      const b0 = procCpu(bt.pid);
      const x = runWorkload(w);
      const b1 = procCpu(bt.pid);
      await bt.stop();
      cpu.get(c.label)!.push(x.cpu + (b1 - b0));
      process.stderr.write(`${w.name} round ${r + 1}: ${c.label} ${(x.cpu * 1000).toFixed(0)} ms workload + ${((b1 - b0) * 1000).toFixed(0)} ms bpftrace\n`);
    }
  }
  const floorCpu = cpu.get('floor')!;
  // Cost per round against that round's floor (the rounds interleave), in us per operation.
  const cost = (label: string) => cpu.get(label)!.map((v, r) => ((v - floorCpu[r]!) / w.ops) * 1e6);
  const rows: Row[] = labels.map((l) => {
    const a = agg.get(l)!;
    return {
      label: l,
      probes: a.probes,
      events: a.events,
      eventsPerSec: a.events / (allMs / 1000),
      bpfUs: a.events > 0 ? a.ns / a.events / 1000 : undefined,
      costUs: firing.includes(l) ? cost(l) : [],
    };
  });
  rows.push({
    label: `${idle.length} probes that do not fire here, together`,
    probes: idle.reduce((n, l) => n + agg.get(l)!.probes, 0),
    events: 0,
    eventsPerSec: 0,
    bpfUs: undefined,
    costUs: cost(`idle:${idle.length}`),
  });
  return { rows: rows.filter((r) => r.costUs.length > 0), floorCpu, floorMs, allCost: cost('all') };
}

const f1 = (x: number) => x.toFixed(1);
const spread = (xs: number[]) => (xs.length > 1 ? `${f1(Math.min(...xs))} to ${f1(Math.max(...xs))}` : 'n/a');

function table(w: Workload, m: Awaited<ReturnType<typeof measure>>): string {
  const floorUs = (median(m.floorCpu) / w.ops) * 1e6;
  const allUs = median(m.allCost);
  // In-BPF time per operation: events per operation x the probe's own time per event (bpf_stats).
  const bpfPerOp = (r: Row) => (r.bpfUs !== undefined ? (r.events / w.ops) * r.bpfUs : 0);
  const bpfTotal = m.rows.reduce((n, r) => n + bpfPerOp(r), 0);
  const out: string[] = [];
  out.push(
    `**${w.name}** (${w.ops} ${w.unit}s${w.name === 'exec' ? ' of /bin/true from 2 shell loops' : ': half reads of /etc/hostname, half O_CREAT|O_TRUNC writes in /tmp, one perl process'}): ` +
      `floor ${f1(floorUs)} us CPU per ${w.unit} (median of ${m.floorCpu.length}; wall ${(median(m.floorMs) / 1000).toFixed(1)} s). ` +
      `Time inside the probes: ${f1(bpfTotal)} us per ${w.unit} = **${f1((bpfTotal / floorUs) * 100)} % of the floor**. ` +
      `Whole program, CPU over the floor: ${f1(allUs)} us per ${w.unit} = ${f1((allUs / floorUs) * 100)} % (rounds: ${spread(m.allCost.map((c) => (c / floorUs) * 100))} %).`,
  );
  out.push('');
  out.push(
    `| probe | events per ${w.unit} | events/s | in BPF, us per event | in BPF, us per ${w.unit} | share of the probes' time | CPU alone, us per ${w.unit} (median; rounds) |`,
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of m.rows) {
    const perOp = bpfPerOp(r);
    out.push(
      `| ${r.label}${r.probes > 1 && !r.label.includes('probes') ? ` (${r.probes})` : ''} | ${r.events ? (r.events / w.ops).toFixed(2) : '0'} | ${r.events ? r.eventsPerSec.toFixed(0) : '0'} | ${r.bpfUs !== undefined ? r.bpfUs.toFixed(2) : '-'} | ${r.bpfUs !== undefined ? perOp.toFixed(2) : '-'} | ${bpfTotal > 0 && r.bpfUs !== undefined ? `${((perOp / bpfTotal) * 100).toFixed(0)} %` : '-'} | ${f1(median(r.costUs))} (${spread(r.costUs)}) |`,
    );
  }
  return out.join('\n');
}

const START = '<!-- probe-cost:start -->';
const END = '<!-- probe-cost:end -->';

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench/runtime-probes: needs root (eBPF)');
    process.exit(2);
  }
  const program = fullProgram();
  const parts: string[] = [];
  for (const w of WORKLOADS) parts.push(table(w, await measure(w, program)));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const text = [
    `Generated by \`bench/runtime-probes.ts\` (${new Date().toISOString().slice(0, 16)}Z, ${ROUNDS} interleaved rounds, load average ${load}, bpftrace ${spawnSync('bpftrace', ['--version'], { encoding: 'utf8' }).stdout.trim()}, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}). "In BPF": the kernel's own run time of each probe's programs (bpf_stats), per event and per operation of the workload -- stable under load. "CPU alone": the workload's processes plus bpftrace with that probe alone, over the round's floor without probes -- it also counts what bpf_stats does not see (the tracepoint's dispatch, the syscall slow path), but on a loaded machine its spread is wide. Events are machine-wide (other processes add theirs).`,
    '',
    ...parts.flatMap((p) => [p, '']),
  ].join('\n');
  console.log(text);
  if (WRITE) {
    for (const f of ['docs/runtime.md', 'bench/README.md']) {
      const path = join(REPO, f);
      const doc = readFileSync(path, 'utf8');
      const a = doc.indexOf(START);
      const b = doc.indexOf(END);
      if (a < 0 || b < a) throw new Error(`${f}: no ${START} ... ${END} markers`);
      writeFileSync(path, `${doc.slice(0, a + START.length)}\n${text}\n${doc.slice(b)}`);
    }
  }
}

await main();
