// Polling fallback sensor, for hosts where eBPF is unavailable: scans /proc
// every interval and reports each new process as an `execve` event built from
// procfs. It sees only processes that live at least one interval and no other
// syscalls; runtime watch says so at start.
import type { SyscallEvent } from '../../core/events/event.js';
import type { ProcCache } from './procfs.js';
import type { ContainerResolver } from './container-resolver.js';

export interface PollerOptions {
  procs: ProcCache;
  containers: ContainerResolver;
  host: string;
  intervalMs?: number;
  now?: () => number;
  onEvent: (e: SyscallEvent) => void;
  /** Pids never reported (the agent itself). */
  ignore?: Set<number>;
}

export class ProcPoller {
  private known = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  scans = 0;

  constructor(private readonly o: PollerOptions) {}

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
        source: 'syscall', type: 'execve', time: (this.o.now ?? Date.now)(), res: 0,
        args: { filename: info.exepath ?? info.name },
        proc: {
          pid, ppid: info.ppid, name: info.name, uid: info.uid ?? 0, exepath: info.exepath, args: info.args, cwd: info.cwd,
          stdin: info.stdin, stdout: info.stdout, stderr: info.stderr, pidnsInode: info.pidnsInode, parents: this.o.procs.parents(info.ppid),
        },
        container: this.o.containers.resolve(info.cgroup), host: this.o.host,
      };
      this.o.onEvent(ev);
    }
    for (const pid of this.known.keys()) if (!now.has(pid)) this.o.procs.forget(pid);
    this.known = now;
  }

  start(): void {
    this.timer = setInterval(() => this.scan(), this.o.intervalMs ?? 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
