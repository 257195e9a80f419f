// The eBPF sensor as a `Sensor` (../sensor.ts): the bpftrace child
// (./runner.ts) running the generated program (./program.ts), its records
// normalised into engine events (./normalise.ts: procfs enrichment and
// container attribution), and container metadata dropped when the last
// process of a container exits (a restarted container may come back with the
// same id and other settings). The agent's own pids and bpftrace's are never
// reported. Lost kernel events are counted and signalled to the sink.
import { performance } from 'node:perf_hooks';
import type { EngineEvent } from '../../../core/events/event.js';
import { SensorStatus, type Sensor, type SensorHealth, type SensorSink } from '../sensor.js';
import type { ProcCache } from '../procfs.js';
import type { ContainerResolver } from '../container-resolver.js';
import { BpftraceRunner } from './runner.js';
import { Normaliser } from './normalise.js';
import { programEnv } from './program.js';
import { COMPILER_LIBRARIES, pageOutFiles, type PageOutResult } from '../page-out.js';

export interface EbpfSensorOptions {
  /** The bpftrace binary (checkPrereqs().bpftrace). */
  bpftrace: string;
  /** The program (buildProgram()). */
  program: string;
  procs: ProcCache;
  containers: ContainerResolver;
  host: string;
  /** Pids never reported (the agent itself); bpftrace's pid is added once it runs. */
  ignore: Set<number>;
  /** Wall clock (ms), for the kernel-time to wall-time mapping. */
  now?: () => number;
  readyTimeoutMs?: number;
  slowAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Sensitive files by `${kernel dev}:${inode}` (the program's sensitiveInodes). */
  inodes?: ReadonlyMap<string, string>;
  /** Kernel device number of the host's root filesystem (files opened through a bind mount of it are named by their path on it). */
  rootDev?: number;
  /**
   * Once the probes are attached, have the kernel reclaim bpftrace's LLVM and clang pages (../page-out.ts;
   * default true). Only the compile at start uses them.
   */
  releaseCompilerPages?: boolean;
}

/** How long a helper's pid stays ignored after it exited (its exec and exit records arrive after it ran). */
const HELPER_IGNORE_MS = 10_000;

/** Live processes kept per container at most (beyond that, exits of the extra ones do not drop metadata early). */
const MAX_LIVE_PER_CONTAINER = 100_000;

export class EbpfSensor implements Sensor {
  readonly name = 'ebpf';
  private runner?: BpftraceRunner;
  private sink?: SensorSink;
  private readonly status = new SensorStatus('eBPF (bpftrace)');
  private readonly live = new Map<string, Set<number>>();
  /** Execs the program counted instead of printing (identical to one it reported within the window). */
  private aggregated = 0;
  /** What releasing bpftrace's compiler pages did (or why it could not), once the probes are attached. */
  released?: PageOutResult | { error: string };

  constructor(private readonly o: EbpfSensorOptions) {}

  async start(sink: SensorSink): Promise<void> {
    if (this.runner) return;
    this.status.state = 'starting';
    this.sink = sink;
    const norm = new Normaliser({
      procs: this.o.procs,
      containers: this.o.containers,
      host: this.o.host,
      ...(this.o.now ? { wallNow: this.o.now } : {}),
      ...(this.o.inodes ? { inodes: this.o.inodes } : {}),
      ...(this.o.rootDev !== undefined ? { rootDev: this.o.rootDev } : {}),
    });
    const runner = new BpftraceRunner({
      bpftrace: this.o.bpftrace,
      program: this.o.program,
      env: this.o.env ?? programEnv(),
      ...(this.o.readyTimeoutMs !== undefined ? { readyTimeoutMs: this.o.readyTimeoutMs } : {}),
      ...(this.o.slowAfterMs !== undefined ? { slowAfterMs: this.o.slowAfterMs } : {}),
      onRecord: (r) => {
        if (r.kind === 'lost') return this.sink?.lost?.(runner.stats.lost);
        if (r.kind === 'repeats') {
          for (const [, n] of r.counts) this.aggregated += n;
          return;
        }
        if (r.kind === 'exits') {
          for (const [pid, ns] of r.exits) {
            const life = norm.exited(pid, ns);
            if (life.containerId) this.untrack(life.containerId, life.pid);
          }
          return;
        }
        if (r.kind !== 'event' || !this.sink) return;
        if (this.o.ignore.has(r.ev.pid)) return;
        const { event, life } = norm.record(r.ev);
        if (event) {
          this.track(event);
          this.status.events++;
          this.sink.event(event, r.ev.ktimeNs);
        }
        if (life?.kind === 'exit' && life.containerId) this.untrack(life.containerId, life.pid);
      },
      onSlow: (ms) => this.sink?.notice?.(`still attaching the eBPF probes after ${ms / 1000} s (bpftrace compiles them first; the host is busy)`),
      onExit: (code, signal, tail) => {
        const why = `bpftrace exited (${code ?? signal}): ${tail[tail.length - 1] ?? 'no message'}`;
        this.status.state = 'failed';
        this.status.detail = why;
        this.sink?.failed?.(why);
      },
    });
    this.runner = runner;
    const started = performance.now();
    try {
      await runner.start();
    } catch (e) {
      this.status.state = 'failed';
      this.status.detail = (e as Error).message;
      await runner.stop(1000);
      throw e;
    }
    if (runner.pid) this.o.ignore.add(runner.pid);
    const attached = `${runner.stats.probes} probes attached in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    this.status.state = 'running';
    this.status.detail = `eBPF (bpftrace, ${attached})`;
    if (runner.pid && this.o.releaseCompilerPages !== false) {
      this.released = await this.releaseCompilerPages(runner.pid);
      const r = this.released;
      const mib = (k: number) => (k / 1024).toFixed(0);
      // Nothing said when bpftrace maps no LLVM (a build linked otherwise, a stand-in in tests).
      const what =
        'error' in r ? `its LLVM pages kept: ${r.error}` : r.advised > 0 ? `LLVM pages resident ${mib(r.before.rss)} -> ${mib(r.after.rss)} MiB` : undefined;
      if (what) this.status.detail = `eBPF (bpftrace, ${attached}; ${what})`;
    }
  }

  /** The kernel reclaims bpftrace's LLVM and clang pages; the perl helper's own records are ignored. */
  private async releaseCompilerPages(pid: number): Promise<PageOutResult | { error: string }> {
    try {
      return await pageOutFiles(pid, COMPILER_LIBRARIES, { ignore: this.o.ignore, ignoreMs: HELPER_IGNORE_MS });
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  async stop(): Promise<void> {
    this.sink = undefined;
    await this.runner?.stop();
    if (this.status.state !== 'failed') this.status.state = 'stopped';
  }

  health(): SensorHealth {
    const s = this.status.snapshot();
    return { ...s, lost: this.runner?.stats.lost ?? 0, bad: this.runner?.stats.bad ?? 0, lines: this.runner?.stats.lines ?? 0, aggregated: this.aggregated };
  }

  private track(e: EngineEvent): void {
    if (e.source !== 'syscall' || e.type !== 'execve' || !e.container || e.container.id === 'host') return;
    let s = this.live.get(e.container.id);
    if (!s) this.live.set(e.container.id, (s = new Set()));
    if (s.size < MAX_LIVE_PER_CONTAINER) s.add(e.proc.pid);
  }

  private untrack(id: string, pid: number): void {
    const s = this.live.get(id);
    if (!s) return;
    s.delete(pid);
    if (s.size === 0) {
      this.live.delete(id);
      this.o.containers.forget(id);
    }
  }
}
