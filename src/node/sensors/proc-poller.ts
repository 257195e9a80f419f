// Polling fallback sensor, for hosts where eBPF is unavailable: scans /proc
// every interval and reports each new process as an `execve` event built from
// procfs. It sees only processes that live at least one interval and no other
// syscalls; runtime watch says so at start. A `Sensor` (./sensor.ts): the
// processes alive at start are its inventory, never reported.
import type { SyscallEvent } from '../../core/events/event.js';
import { PollingSensor } from './sensor.js';
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

export class ProcPoller extends PollingSensor {
  readonly name = 'procfs';
  private known = new Map<number, number>();
  scans = 0;

  constructor(private readonly o: PollerOptions) {
    super(`procfs polling every ${o.intervalMs ?? 200} ms`, o.intervalMs ?? 200);
  }

  protected override prime(): void {
    this.inventory();
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
  poll(): void {
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
}
