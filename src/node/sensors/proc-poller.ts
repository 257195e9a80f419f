// Polling fallback sensor, for hosts where eBPF is unavailable: scans /proc
// every interval and reports each new process as an `execve` event built from
// procfs. It sees only processes that live at least one interval and no other
// syscalls; runtime watch says so at start. A `Sensor` (./sensor.ts): the
// processes alive at start are its inventory, never reported.
import type { SyscallEvent } from '../../core/events/event.js';
import { SensorStatus, type Sensor, type SensorHealth, type SensorSink } from './sensor.js';
import type { ProcCache } from './procfs.js';
import type { ContainerResolver } from './container-resolver.js';

export interface PollerOptions {
  procs: ProcCache;
  containers: ContainerResolver;
  host: string;
  intervalMs?: number;
  now?: () => number;
  /** Pids never reported (the agent itself). */
  ignore?: Set<number>;
}

export class ProcPoller implements Sensor {
  readonly name = 'procfs';
  private known = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private sink?: SensorSink;
  private readonly status: SensorStatus;
  scans = 0;

  constructor(private readonly o: PollerOptions) {
    this.status = new SensorStatus(`procfs polling every ${o.intervalMs ?? 200} ms`);
  }

  /** Record what runs now without reporting it (the inventory at start). */
  inventory(): number {
    for (const pid of this.o.procs.fs.pids()) {
      const info = this.o.procs.get(pid, true);
      if (info) this.known.set(pid, info.startTicks ?? 0);
    }
    return this.known.size;
  }

  /** One scan: report new processes, forget exited ones. */
  scan(): void {
    this.scans++;
    const now = new Map<number, number>();
    for (const pid of this.o.procs.fs.pids()) {
      const prevStart = this.known.get(pid);
      let info = this.o.procs.peek(pid);
      if (prevStart === undefined || !info) info = this.o.procs.get(pid, true);
      if (!info) continue;
      const start = info.startTicks ?? 0;
      now.set(pid, start);
      if (prevStart !== undefined && prevStart === start) continue;
      // A new process, or a reused pid (different start time).
      if (this.o.ignore?.has(pid) || this.o.ignore?.has(info.ppid)) continue;
      const ev: SyscallEvent = {
        source: 'syscall',
        type: 'execve',
        time: (this.o.now ?? Date.now)(),
        res: 0,
        args: { filename: info.exepath ?? info.name },
        proc: {
          pid,
          ppid: info.ppid,
          name: info.name,
          uid: info.uid ?? 0,
          exepath: info.exepath,
          args: info.args,
          cwd: info.cwd,
          stdin: info.stdin,
          stdout: info.stdout,
          stderr: info.stderr,
          pidnsInode: info.pidnsInode,
          parents: this.o.procs.parents(info.ppid),
        },
        container: this.o.containers.resolve(info.cgroup),
        host: this.o.host,
      };
      if (!this.sink) continue;
      this.status.events++;
      this.sink.event(ev);
    }
    for (const pid of this.known.keys()) if (!now.has(pid)) this.o.procs.forget(pid);
    this.known = now;
  }

  async start(sink: SensorSink): Promise<void> {
    if (this.timer) return;
    this.status.state = 'starting';
    this.inventory();
    this.sink = sink;
    this.timer = setInterval(() => this.scan(), this.o.intervalMs ?? 200);
    this.status.state = 'running';
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sink = undefined;
    this.status.state = 'stopped';
  }

  health(): SensorHealth {
    return this.status.snapshot();
  }
}
