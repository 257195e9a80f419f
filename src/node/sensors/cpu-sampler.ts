// CPU sampling sensor: every interval, the CPU time of every process
// (/proc/PID/stat utime + stime) and of every container (its cgroup's CPU
// counter: cgroup v1 cpuacct.usage, v2 cpu.stat usage_usec). A process that
// sustains high CPU (sampling parameters: src/core/behavior/thresholds.ts; the CPU threshold: the detection policy's `cpu`, read live; episodes:
// src/core/behavior/cpu.ts) is looked at once: its executable (from the
// container's writable layer? deleted? in a temp dir?), its outbound
// connections (its fds against its network namespace's socket tables) and
// its name; the result is one `procstat` event with the miner traits found
// (src/core/behavior/miner-traits.ts), which the rules turn into
// `system/abnormal-process-behavior`. Cost: one small read per process and
// per container per interval, and the deeper look only at processes above
// the threshold; `maxProcesses` bounds a sample. A `Sensor` (./sensor.ts).
import { readdirSync, readlinkSync, lstatSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { FdInfo, SyscallEvent } from '../../core/events/event.js';
import { cpuPercent, CpuEpisodes, episodeAverage, episodeSeconds, type CpuEpisode } from '../../core/behavior/cpu.js';
import { minerTraits } from '../../core/behavior/miner-traits.js';
import { outboundConnections, parseSocketTable, type SocketRow } from '../../core/behavior/sockets.js';
import type { CpuLevel, CpuThresholds } from '../../core/behavior/thresholds.js';
import { containerFromCgroup, type ContainerResolver } from './container-resolver.js';
import { readBounded, type ProcCache } from './procfs.js';
import { PollingSensor } from './sensor.js';

export interface CpuSamplerOptions {
  procs: ProcCache;
  containers: ContainerResolver;
  host: string;
  /** Sampling parameters. */
  thresholds: CpuThresholds;
  /** The CPU threshold in force, read at each sample (the engine's `thresholds.cpu`: detection policies, live). */
  level: () => CpuLevel;
  /** Wall clock for event times (default Date.now). */
  now?: () => number;
  /** Monotonic clock in ms for the intervals (default performance.now). */
  monoMs?: () => number;
  /** Pids never reported (the agent itself). */
  ignore?: Set<number>;
  procRoot?: string;
  cgroupRoot?: string;
}

/** utime + stime (ticks) and start time of a /proc/PID/stat line; undefined when it is not one. */
export function parseCpuStat(text: string): { comm: string; ticks: number; startTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  if (!Number.isSafeInteger(utime) || !Number.isSafeInteger(stime) || !Number.isSafeInteger(start) || utime < 0 || stime < 0) return undefined;
  return { comm: text.slice(open + 1, close), ticks: utime + stime, startTicks: start };
}

/** The writable (upper) directory of the overlay mounted at `/` in a mountinfo text, if any. */
export function overlayUpperDir(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    if (left[4] !== '/') continue;
    const right = line.slice(sep + 3).split(' ');
    if (right[0] !== 'overlay') continue;
    const m = /(?:^|,)upperdir=([^,]+)/.exec(right[2] ?? '');
    // mountinfo escapes space, tab, newline and backslash as octal.
    if (m) return m[1]!.replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  }
  return undefined;
}

const MAX_FDS = 4096;
const MAX_CGROUP_DIRS = 20_000;

export class CpuSampler extends PollingSensor {
  readonly name = 'cpu';
  private readonly episodes: CpuEpisodes;
  private prev = new Map<string, { ticks: number; at: number }>();
  private containerPrev = new Map<string, { usageNs: number; at: number; percent: number }>();
  private readonly procRoot: string;
  private readonly cgroupRoot: string;
  private readonly mono: () => number;
  samples = 0;
  /** Time spent sampling (ms, monotonic): the sensor's own cost. */
  busyMs = 0;

  constructor(private readonly o: CpuSamplerOptions) {
    const t = o.thresholds;
    const l = o.level();
    super(
      `CPU sampling of processes and containers every ${t.intervalMs} ms (alert at ${l.percent}% for ${l.duration / 1000} s with miner traits, as the detection policy's cpu threshold says)`,
      t.intervalMs,
    );
    this.procRoot = o.procRoot ?? '/proc';
    this.cgroupRoot = o.cgroupRoot ?? '/sys/fs/cgroup';
    this.mono = o.monoMs ?? (() => performance.now());
    this.episodes = new CpuEpisodes(o.level);
  }

  /** The first sample is the baseline CPU times are measured from. */
  protected override prime(): void {
    this.sample();
  }

  poll(): void {
    this.sample();
  }

  /** Per-container CPU percent of the last sample (container id -> percent of one CPU). */
  containerCpu(): Map<string, number> {
    return new Map([...this.containerPrev].map(([id, v]) => [id, v.percent]));
  }

  private pids(): number[] {
    try {
      return readdirSync(this.procRoot)
        .filter((n) => /^\d+$/.test(n))
        .slice(0, this.o.thresholds.maxProcesses)
        .map(Number);
    } catch {
      return [];
    }
  }

  /** One sample: every process's CPU, every container's, and a look at the processes whose high CPU is sustained. */
  sample(): void {
    const t0 = this.mono();
    this.samples++;
    this.sampleContainers(t0);
    const alive = new Set<string>();
    const next = new Map<string, { ticks: number; at: number }>();
    for (const pid of this.pids()) {
      const text = readBounded(`${this.procRoot}/${pid}/stat`, 4096);
      if (text === undefined) continue; // exited meanwhile
      const st = parseCpuStat(text);
      if (!st) {
        this.status.bad++;
        continue;
      }
      const key = `${pid}:${st.startTicks}`;
      alive.add(key);
      const now = this.mono();
      next.set(key, { ticks: st.ticks, at: now });
      const before = this.prev.get(key);
      if (!before || this.o.ignore?.has(pid)) continue;
      const pct = cpuPercent(before.ticks, st.ticks, now - before.at);
      const ep = this.episodes.observe(key, before.at, now, pct);
      if (ep && this.episodes.due(ep, now)) this.look(pid, ep, now);
    }
    this.prev = next;
    this.episodes.retain(alive);
    this.busyMs += this.mono() - t0;
  }

  /** The sustained process's traits, and its event when it is the first report or the first with traits. */
  private look(pid: number, ep: CpuEpisode, now: number): void {
    const info = this.o.procs.get(pid, true);
    if (!info) return;
    const exe = info.exepath;
    const deleted = exe?.endsWith(' (deleted)') ?? false;
    const container = containerFromCgroup(info.cgroup ?? []);
    let upper = false;
    if (container && exe && !deleted) {
      const dir = overlayUpperDir(readBounded(`${this.procRoot}/${pid}/mountinfo`, 1024 * 1024) ?? '');
      if (dir) {
        try {
          upper = lstatSync(`${dir}${exe}`).isFile();
        } catch {
          upper = false;
        }
      }
    }
    const conns = this.connections(pid);
    const r = minerTraits(
      {
        name: info.name,
        ...(info.args?.[0] ? { argv0: info.args[0] } : {}),
        ...(exe ? { exepath: exe } : {}),
        exeDeleted: deleted,
        exeUpperLayer: upper,
        connections: conns,
      },
      this.o.thresholds.usualPorts,
    );
    const first = ep.reported === 'no';
    this.episodes.mark(ep, now, r.traits.length > 0);
    if (!first && r.traits.length === 0) return;
    if (!this.sink) return;
    const c = r.connection;
    const fd: FdInfo | undefined = c
      ? {
          type: c.remoteAddr.includes(':') ? 'ipv6' : 'ipv4',
          name: `${c.localAddr}:${c.localPort}->${c.remoteAddr}:${c.remotePort}`,
          sip: c.localAddr,
          sport: c.localPort,
          dip: c.remoteAddr,
          dport: c.remotePort,
          l4proto: c.proto,
          connected: true,
        }
      : undefined;
    const cinfo = this.o.containers.resolve(info.cgroup);
    const ccpu = container ? this.containerPrev.get(container.id)?.percent : undefined;
    const ev: SyscallEvent = {
      source: 'syscall',
      type: 'procstat',
      time: (this.o.now ?? Date.now)(),
      args: {
        cpu_percent: Math.round(episodeAverage(ep)),
        seconds: Math.round(episodeSeconds(ep)),
        traits: r.traits.join(','),
        dports: r.unusualPorts.join(','),
        exe_layer: upper ? 'upper' : '',
        ...(ccpu !== undefined ? { container_cpu_percent: Math.round(ccpu) } : {}),
      },
      proc: {
        pid,
        ppid: info.ppid,
        name: info.name,
        uid: info.uid ?? -1,
        ...(exe ? { exepath: exe } : {}),
        ...(info.args ? { args: info.args } : {}),
        ...(info.cwd ? { cwd: info.cwd } : {}),
        exeUpperLayer: upper,
        exeFromMemfd: deleted || (exe?.startsWith('/memfd:') ?? false),
        parents: this.o.procs.parents(info.ppid),
      },
      ...(fd ? { fd } : {}),
      container: cinfo,
      host: this.o.host,
    };
    this.status.events++;
    this.sink.event(ev);
  }

  /** Outbound connections of a process: its socket fds against its network namespace's tables. */
  private connections(pid: number) {
    const inodes = new Set<number>();
    let names: string[] = [];
    try {
      names = readdirSync(`${this.procRoot}/${pid}/fd`).slice(0, MAX_FDS);
    } catch {
      return [];
    }
    for (const n of names) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${this.procRoot}/${pid}/fd/${n}`));
        if (m) inodes.add(Number(m[1]));
      } catch {
        // closed meanwhile
      }
    }
    if (inodes.size === 0) return [];
    const tables: Array<{ proto: 'tcp' | 'udp'; rows: SocketRow[] }> = [];
    for (const [file, proto] of [
      ['tcp', 'tcp'],
      ['tcp6', 'tcp'],
      ['udp', 'udp'],
      ['udp6', 'udp'],
    ] as const) {
      const text = readBounded(`${this.procRoot}/${pid}/net/${file}`, 4 * 1024 * 1024);
      if (text === undefined) continue;
      const t = parseSocketTable(text);
      this.status.bad += t.bad;
      tables.push({ proto, rows: t.rows });
    }
    return outboundConnections(tables, inodes);
  }

  /** Container CPU from the cgroup counters: v1 cpuacct.usage (ns), v2 cpu.stat usage_usec. */
  private sampleContainers(now: number): void {
    const seen = new Set<string>();
    const v1 = `${this.cgroupRoot}/cpuacct`;
    let visited = 0;
    const walk = (dir: string, depth: number, v2: boolean) => {
      if (depth > 6 || visited >= MAX_CGROUP_DIRS) return;
      let entries: string[];
      try {
        entries = readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name);
      } catch {
        return;
      }
      for (const name of entries) {
        visited++;
        const path = `${dir}/${name}`;
        const c = containerFromCgroup([`0::/${name}`]);
        if (c && !seen.has(c.id)) {
          const usageNs = v2 ? v2Usage(path) : Number(readBounded(`${path}/cpuacct.usage`, 64)?.trim());
          if (usageNs !== undefined && Number.isFinite(usageNs)) {
            seen.add(c.id);
            const before = this.containerPrev.get(c.id);
            const percent = before && now > before.at ? ((usageNs - before.usageNs) / 1e6 / (now - before.at)) * 100 : 0;
            this.containerPrev.set(c.id, { usageNs, at: now, percent: Math.max(0, percent) });
          }
          continue;
        }
        walk(path, depth + 1, v2);
      }
    };
    let isV1 = false;
    try {
      isV1 = lstatSync(v1).isDirectory() || lstatSync(v1).isSymbolicLink();
    } catch {
      isV1 = false;
    }
    walk(isV1 ? v1 : this.cgroupRoot, 0, !isV1);
    for (const id of this.containerPrev.keys()) if (!seen.has(id)) this.containerPrev.delete(id);
  }
}

function v2Usage(path: string): number | undefined {
  const m = /^usage_usec (\d+)$/m.exec(readBounded(`${path}/cpu.stat`, 4096) ?? '');
  return m ? Number(m[1]) * 1000 : undefined;
}
