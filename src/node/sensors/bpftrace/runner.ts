// The bpftrace child process: prerequisites (root, tracefs, BTF, the
// binary), start with JSON output, attach detection (the BEGIN probe's
// `ready` line, printed by bpftrace once every probe is attached), stdout
// line splitting with a line-size limit, stderr capture for one-line error
// reports, lost-event counting, and a clean stop (SIGINT, then SIGKILL).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { parseBpftraceLine, MAX_LINE_BYTES, type BpftraceRecord } from './parse.js';
import { programEnv } from './program.js';

export const TRACEFS = '/sys/kernel/tracing';
export const BTF = '/sys/kernel/btf/vmlinux';

export function findBinary(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface Prereqs {
  bpftrace: string;
  /** Whether this call mounted tracefs. */
  mountedTracefs: boolean;
}

/**
 * Check what the eBPF sensor needs; mounts tracefs when it can. Throws an
 * InputError naming the first missing piece (the CLI turns it into exit 2).
 */
export function checkPrereqs(opts: { uid?: number; tracefs?: string; btf?: string; bpftrace?: string } = {}): Prereqs {
  const uid = opts.uid ?? process.getuid?.() ?? -1;
  if (uid !== 0) throw new InputError('SENSOR_NOT_ROOT', 'runtime watch needs root (eBPF probes and /proc of every process); run it as root');
  const tracefs = opts.tracefs ?? TRACEFS;
  let mounted = false;
  if (!existsSync(`${tracefs}/events`)) {
    const r = spawnSync('mount', ['-t', 'tracefs', 'nodev', tracefs], { stdio: 'ignore', timeout: 5000 });
    mounted = r.status === 0 && existsSync(`${tracefs}/events`);
    if (!mounted) throw new InputError('SENSOR_NO_TRACEFS', `tracefs is not mounted at ${tracefs} and mounting it failed (mount -t tracefs nodev ${tracefs})`);
  }
  const btf = opts.btf ?? BTF;
  if (!existsSync(btf))
    throw new InputError('SENSOR_NO_BTF', `the kernel has no BTF (${btf} is missing); the sensor needs a kernel built with CONFIG_DEBUG_INFO_BTF`);
  const bin = opts.bpftrace ?? findBinary('bpftrace');
  if (!bin || !existsSync(bin)) throw new InputError('SENSOR_NO_BPFTRACE', 'bpftrace is not installed (Debian: apt-get install bpftrace)');
  return { bpftrace: bin, mountedTracefs: mounted };
}

export interface RunnerStats {
  lines: number;
  bad: number;
  lost: number;
  probes: number;
}

export interface RunnerOptions {
  bpftrace: string;
  program: string;
  onRecord: (r: BpftraceRecord) => void;
  /** Called when bpftrace exits (code, signal, last stderr lines) after `ready`. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, stderr: string[]) => void;
  readyTimeoutMs?: number;
  /** Called once when attaching takes longer than `slowAfterMs` (compiling 36 probes on a loaded host). */
  onSlow?: (ms: number) => void;
  slowAfterMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** stderr lines that are notices, not failures. */
const BENIGN_STDERR = [/RLIMIT_MEMLOCK/, /^WARNING:/, /^Attaching \d+ probes/];

export class BpftraceRunner {
  readonly stats: RunnerStats = { lines: 0, bad: 0, lost: 0, probes: 0 };
  private child?: ChildProcess;
  private stderrTail: string[] = [];
  private stopping = false;
  private exited?: Promise<void>;
  isReady = false;

  constructor(private readonly o: RunnerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start bpftrace; resolves once every probe is attached (the `ready` line), rejects with an InputError otherwise. */
  start(): Promise<void> {
    const child = spawn(this.o.bpftrace, ['-f', 'json', '-e', this.o.program], {
      env: this.o.env ?? programEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let buf = '';
    let ready: () => void = () => {};
    let fail: (e: Error) => void = () => {};
    const readyP = new Promise<void>((res, rej) => {
      ready = res;
      fail = rej;
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      let start = 0;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        this.line(buf.slice(start, nl), ready);
        start = nl + 1;
      }
      buf = buf.slice(start);
      if (buf.length > MAX_LINE_BYTES) {
        // One runaway line: drop it rather than grow without bound.
        this.stats.bad++;
        buf = '';
      }
    });
    child.stderr!.setEncoding('utf8');
    let errBuf = '';
    child.stderr!.on('data', (chunk: string) => {
      errBuf += chunk;
      const lines = errBuf.split('\n');
      errBuf = lines.pop() ?? '';
      for (const l of lines) {
        if (!l.trim()) continue;
        const lost = /Lost (\d+) events/i.exec(l);
        if (lost) this.stats.lost += Number(lost[1]);
        if (BENIGN_STDERR.some((re) => re.test(l))) continue;
        this.stderrTail.push(l.slice(0, 500));
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
      if (errBuf.length > 64 * 1024) errBuf = '';
    });
    this.exited = new Promise<void>((res) => {
      child.on('exit', (code, signal) => {
        if (!this.isReady) {
          const why = this.stderrTail.find((l) => /error/i.test(l)) ?? this.stderrTail[this.stderrTail.length - 1] ?? `exit ${code ?? signal}`;
          fail(new InputError('SENSOR_START_FAILED', `bpftrace failed to attach its probes: ${why}`));
        } else if (!this.stopping) {
          this.o.onExit?.(code, signal, [...this.stderrTail]);
        }
        res();
      });
      child.on('error', (e) => {
        fail(new InputError('SENSOR_START_FAILED', `cannot run ${this.o.bpftrace}: ${e.message}`));
        res();
      });
    });
    // Attaching normally takes a few seconds; bpftrace compiles every probe with LLVM first,
    // which on a saturated host can take longer: say so, and give up only much later.
    const timeoutMs = this.o.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      fail(new InputError('SENSOR_ATTACH_TIMEOUT', `bpftrace did not attach its probes within ${timeoutMs / 1000} s`));
      void this.stop();
    }, timeoutMs);
    const slowMs = this.o.slowAfterMs ?? 30_000;
    const slow = setTimeout(() => this.o.onSlow?.(slowMs), slowMs);
    return readyP.finally(() => {
      clearTimeout(timer);
      clearTimeout(slow);
    });
  }

  private line(line: string, ready: () => void): void {
    this.stats.lines++;
    const r = parseBpftraceLine(line);
    switch (r.kind) {
      case 'ready':
        this.isReady = true;
        ready();
        break;
      case 'attached':
        this.stats.probes = r.probes;
        break;
      case 'lost':
        this.stats.lost += r.count;
        break;
      case 'bad':
        this.stats.bad++;
        break;
      default:
        break;
    }
    this.o.onRecord(r);
  }

  /** Stop bpftrace (SIGINT lets it detach cleanly; SIGKILL after graceMs). */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGINT');
    const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  stderr(): string[] {
    return [...this.stderrTail];
  }
}
