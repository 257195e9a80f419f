// Test helper of the bpftrace sensor: recorded-format lines (bpftrace's
// `-f json` printf records) fed through the parser and a normaliser.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import type { SyscallEvent } from '../../../core/events/event.js';
import { Normaliser, type NormaliserOptions } from './normalise.js';
import { parseBpftraceLine, type BpftraceRecord, type RawHeader } from './parse.js';
import { buildProgram, type ProgramOptions } from './program.js';
import { BpftraceRunner, checkPrereqs } from './runner.js';
import { ProcCache, ProcFs } from '../procfs.js';
import { ContainerResolver } from '../container-resolver.js';

/** One printf record as bpftrace -f json prints it. */
export const printfLine = (data: string): string => JSON.stringify({ type: 'printf', data: `${data}\n` });

/** The events `n` makes of `lines`; a line that is no record throws when `strict`, else is passed over. */
export function feedLines(n: Normaliser, lines: string[], strict: boolean): SyscallEvent[] {
  const out: SyscallEvent[] = [];
  for (const l of lines) {
    const r = parseBpftraceLine(l);
    if (r.kind === 'event') {
      const { event } = n.record(r.ev);
      if (event) out.push(event);
    } else if (strict) throw new Error(`bad record ${l}: ${JSON.stringify(r)}`);
  }
  return out;
}

/** An `E` record (program.ts): `header` (its code `E`), flags (bit 0: no link; bits 4-15: fd kinds), gid, loginuid, tty, exe identity, v1 cgroup id, repeat hash, the parent's comm, filename. */
export const execLine = (header: string, file: string, flags = 0, parentComm = ''): string =>
  printfLine(`${header}\t${flags}\t0\t4294967295\t0\t0\t0\t0\t0\t0\t0\t${parentComm}\t${file}`);

/**
 * An exec as the probes print it: `Cg` (the cgroup's leaf names, when `cgroup` is given: v1, v2), `Ea`
 * (pid and argv as bpftrace's %r prints the NUL-separated area), then `E`. `header(code)` is the record header.
 */
export function execLines(header: (code: string) => string, pid: number, argv: string[], file: string, cgroup?: [string, string]): string[] {
  return [
    ...(cgroup ? [printfLine(`${header('Cg')}\t0\t${cgroup[0]}\t${cgroup[1]}`)] : []),
    printfLine(`Ea\t${pid}\t${argv.map((a) => `${a}\\x00`).join('')}`),
    execLine(header('E'), file),
  ];
}

/** Why the real eBPF sensor cannot run here (not root, no tracefs, BTF or bpftrace, one of `tools` missing), or false when it can. */
export function ebpfSkip(tools: readonly string[] = []): string | false {
  if (process.getuid?.() !== 0) return 'the eBPF sensor needs root (CI runs this as root)';
  const missing = tools.find((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0);
  if (missing) return `${missing} is not installed`;
  try {
    checkPrereqs();
    return false;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Polls `get` every 50 ms until it gives a value; throws naming `what` after `ms`. */
export async function waitFor<T>(what: string, get: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The probes of the real program whose lines match `probes` under a real bpftrace, each record through
 * a normaliser (`onEvent` with the event and its raw record; `onRecord` sees every record first).
 */
export async function runProbes(
  probes: RegExp,
  opts: {
    program?: ProgramOptions;
    normaliser?: Partial<NormaliserOptions>;
    onEvent: (e: SyscallEvent, raw: RawHeader) => void;
    onRecord?: (r: BpftraceRecord) => void;
  },
): Promise<BpftraceRunner> {
  const program = buildProgram({ rawSyscalls: false, ...opts.program })
    .split('\n')
    .filter((l) => probes.test(l))
    .join('\n');
  const norm = new Normaliser({ procs: new ProcCache(new ProcFs()), containers: new ContainerResolver({ clients: [] }), host: 'test', ...opts.normaliser });
  const runner = new BpftraceRunner({
    bpftrace: checkPrereqs().bpftrace,
    program: `${program}\n`,
    readyTimeoutMs: 200_000,
    onRecord: (r) => {
      opts.onRecord?.(r);
      if (r.kind !== 'event') return;
      const { event } = norm.record(r.ev);
      if (event) opts.onEvent(event, r.ev);
    },
  });
  await runner.start();
  return runner;
}

/** Runs `script` with sh and asserts it succeeded. */
export function sh(script: string): void {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${script}: ${r.stderr}`);
}

/**
 * The exec and exit probes of the real program with the kernel's burst aggregation: every exec event,
 * the key hash of each reported exec (its `E` line's) and the kernel's counts per key (machine-wide).
 */
export async function execBurstProbes(program: ProgramOptions = {}): Promise<{
  runner: BpftraceRunner;
  events: SyscallEvent[];
  keyOf: Map<SyscallEvent, string>;
  counts: Map<string, number>;
}> {
  const events: SyscallEvent[] = [];
  const keyOf = new Map<SyscallEvent, string>();
  const counts = new Map<string, number>();
  const runner = await runProbes(/^(BEGIN|interval:|tracepoint:sched:sched_process_(exec|exit))/, {
    program,
    onRecord: (r) => {
      if (r.kind === 'repeats') for (const [k, n] of r.counts) counts.set(k, (counts.get(k) ?? 0) + n);
    },
    onEvent: (event, raw) => {
      events.push(event);
      if (raw.code === 'E') keyOf.set(event, raw.rest[9]!);
    },
  });
  return { runner, events, keyOf, counts };
}
