// procfs reader: what /proc says about a process, read with size limits, and
// a bounded cache invalidated on process exit. Owns: parsing of
// /proc/PID/{stat,status,cmdline,exe,cwd,fd/N,ns/pid,cgroup} and of the socket
// tables (/proc/PID/net/{tcp,tcp6,udp,udp6,unix}) that tell an IPv4 socket
// from a unix one. Every read may fail (the process exited): fields are then
// left out, never invented.
import { openSync, readSync, closeSync, readlinkSync, readdirSync } from 'node:fs';
import type { FdKind } from '../../core/events/event.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** comm (at most 15 bytes, as the kernel keeps it). */
  name: string;
  exepath?: string;
  args?: string[];
  cwd?: string;
  uid?: number;
  gid?: number;
  loginuid?: number;
  tty?: number;
  stdin?: FdKind;
  stdout?: FdKind;
  stderr?: FdKind;
  pidnsInode?: number;
  /** Raw lines of /proc/PID/cgroup (for the container resolver). */
  cgroup?: string[];
  /** The kernel cgroup id (bpftrace's `cgroup`) the `cgroup` lines belong to, when known. */
  cgroupId?: number;
  /** Start time in clock ticks after boot (field 22 of stat): with pid, identifies a process across pid reuse. */
  startTicks?: number;
  /** Kernel time (ns) of the exec this view was made at (the eBPF sensor): an exit before it was the pid's previous process. */
  execNs?: number;
  /** The parent's comm at the exec (the eBPF sensor), for when the parent is gone before it is looked up. */
  parentName?: string;
}

export const PROC_LIMITS = { fileBytes: 64 * 1024, cmdlineArgs: 256, parentDepth: 8 };

/** Read at most `max` bytes of a (proc) file; undefined when it cannot be read. */
export function readBounded(path: string, max = PROC_LIMITS.fileBytes): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.allocUnsafe(max);
    let n = 0;
    while (n < max) {
      const r = readSync(fd, buf, n, max - n, null);
      if (r <= 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Parse /proc/PID/stat; comm may contain spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): { pid: number; comm: string; state: string; ppid: number; ttyNr: number; startTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] = state (field 3), rest[1] = ppid (4), rest[4] = tty_nr (7), rest[19] = starttime (22)
  const ppid = Number(rest[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid, ttyNr: Number(rest[4] ?? 0), startTicks: Number(rest[19] ?? 0) };
}

/** What an fd link target (`socket:[123]`, `/dev/pts/0`, `pipe:[9]`) is, without socket family. */
export function fdKindOfTarget(target: string): FdKind {
  if (target.startsWith('socket:')) return 'socket';
  if (target.startsWith('pipe:')) return 'pipe';
  if (target.startsWith('/dev/pts/') || target.startsWith('/dev/tty') || target === '/dev/console') return 'tty';
  if (target.startsWith('/memfd:')) return 'memfd';
  if (target.startsWith('anon_inode:')) {
    if (target.includes('inotify')) return 'inotify';
    if (target.includes('signalfd')) return 'signalfd';
    if (target.includes('timerfd')) return 'timerfd';
    if (target.includes('eventfd') || target.includes('eventpoll')) return 'event';
    return 'unknown';
  }
  if (target.startsWith('/')) return 'file';
  return 'unknown';
}

/** Socket inodes listed in a /proc/net/{tcp,udp,...} table (column 10). */
export function socketInodes(table: string): Set<number> {
  return inodeColumn(table, 10);
}

/** Unix socket inodes of /proc/net/unix (column 7). */
export function unixInodes(table: string): Set<number> {
  return inodeColumn(table, 7);
}

/** The positive inode numbers in column `column` (1-based) of a /proc/net table's rows after its header. */
function inodeColumn(table: string, column: number): Set<number> {
  const out = new Set<number>();
  const lines = table.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i]!.trim().split(/\s+/);
    if (cols.length >= column) {
      const inode = Number(cols[column - 1]);
      if (inode > 0) out.add(inode);
    }
  }
  return out;
}

export class ProcFs {
  constructor(readonly root = '/proc') {}

  /** The socket family behind `socket:[inode]` of a process (its own network namespace's tables). */
  socketKind(pid: number, inode: number): FdKind {
    const net = `${this.root}/${pid}/net`;
    for (const [file, kind] of [
      ['tcp', 'ipv4'],
      ['udp', 'ipv4'],
      ['tcp6', 'ipv6'],
      ['udp6', 'ipv6'],
      ['raw', 'ipv4'],
    ] as const) {
      const t = readBounded(`${net}/${file}`, 1024 * 1024);
      if (t && socketInodes(t).has(inode)) return kind;
    }
    const u = readBounded(`${net}/unix`, 1024 * 1024);
    if (u && unixInodes(u).has(inode)) return 'unix';
    return 'socket';
  }

  fdKind(pid: number, fd: number): FdKind | undefined {
    const t = link(`${this.root}/${pid}/fd/${fd}`);
    if (t === undefined) return undefined;
    const k = fdKindOfTarget(t);
    if (k !== 'socket') return k;
    const m = /^socket:\[(\d+)\]$/.exec(t);
    return m ? this.socketKind(pid, Number(m[1])) : 'socket';
  }

  /** Inode of a process's pid namespace (`self` for ours); undefined when it cannot be read. */
  pidNamespace(pid: number | 'self'): number | undefined {
    const m = /\[(\d+)\]/.exec(link(`${this.root}/${pid}/ns/pid`) ?? '');
    return m ? Number(m[1]) : undefined;
  }

  fdTarget(pid: number, fd: number): string | undefined {
    return link(`${this.root}/${pid}/fd/${fd}`);
  }

  /** The links of /proc/PID (`exe`, `cwd`); undefined when the process is gone. */
  link(pid: number, name: 'exe' | 'cwd'): string | undefined {
    return link(`${this.root}/${pid}/${name}`);
  }

  /** argv from /proc/PID/cmdline; undefined when the process is gone. */
  cmdline(pid: number): string[] | undefined {
    const cmd = readBounded(`${this.root}/${pid}/cmdline`);
    return cmd ? splitCmdline(cmd) : undefined;
  }

  /** Lines of /proc/PID/cgroup; undefined when the process is gone. */
  cgroup(pid: number): string[] | undefined {
    const cg = readBounded(`${this.root}/${pid}/cgroup`, 16 * 1024);
    return cg ? cg.split('\n').filter((l) => l.length > 0) : undefined;
  }

  /** Everything /proc says about pid; undefined when the process is gone. */
  read(pid: number): ProcInfo | undefined {
    const dir = `${this.root}/${pid}`;
    const statText = readBounded(`${dir}/stat`, 4096);
    const st = statText ? parseStat(statText) : undefined;
    if (!st) return undefined;
    const info: ProcInfo = { pid, ppid: st.ppid, name: st.comm, tty: st.ttyNr, startTicks: st.startTicks };
    const status = readBounded(`${dir}/status`, 16 * 1024);
    if (status) {
      const uid = /^Uid:\s*(\d+)/m.exec(status);
      const gid = /^Gid:\s*(\d+)/m.exec(status);
      if (uid) info.uid = Number(uid[1]);
      if (gid) info.gid = Number(gid[1]);
    }
    const lu = readBounded(`${dir}/loginuid`, 64);
    if (lu && /^\d+$/.test(lu.trim())) info.loginuid = Number(lu.trim());
    const exe = this.link(pid, 'exe');
    if (exe) info.exepath = exe;
    const cwd = this.link(pid, 'cwd');
    if (cwd) info.cwd = cwd;
    const args = this.cmdline(pid);
    if (args) info.args = args;
    info.stdin = this.fdKind(pid, 0);
    info.stdout = this.fdKind(pid, 1);
    info.stderr = this.fdKind(pid, 2);
    const ns = link(`${dir}/ns/pid`);
    const nsm = ns ? /\[(\d+)\]/.exec(ns) : null;
    if (nsm) info.pidnsInode = Number(nsm[1]);
    const cg = this.cgroup(pid);
    if (cg) info.cgroup = cg;
    return info;
  }

  /**
   * A live process of the pid namespace `pidns` other than `except` (at most `max` of /proc looked at):
   * a container's root after the process that touched a file and its parent are gone.
   */
  pidInNamespace(pidns: number, except: readonly number[], max = 4096): number | undefined {
    for (const pid of this.pids().slice(0, max)) if (!except.includes(pid) && this.pidNamespace(pid) === pidns) return pid;
    return undefined;
  }

  /** Pids of all processes now (the inventory at start, and the polling fallback). */
  pids(): number[] {
    try {
      return readdirSync(this.root)
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    } catch {
      return [];
    }
  }
}

export function splitCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.slice(0, PROC_LIMITS.cmdlineArgs);
}

/**
 * A bounded cache of ProcInfo by pid. Entries are dropped on process exit
 * (`forget`) and the oldest go first when full, so memory stays bounded on a
 * busy host whatever the exit events do.
 */
export class ProcCache {
  private readonly m = new Map<number, ProcInfo>();
  hits = 0;
  misses = 0;
  constructor(
    readonly fs: ProcFs,
    readonly max = 8192,
  ) {}

  get(pid: number, refresh = false): ProcInfo | undefined {
    const c = this.m.get(pid);
    if (c && !refresh) {
      this.hits++;
      return c;
    }
    this.misses++;
    const info = this.fs.read(pid);
    if (info) this.put(info);
    else if (c) return c;
    return info;
  }

  peek(pid: number): ProcInfo | undefined {
    return this.m.get(pid);
  }

  put(info: ProcInfo): void {
    this.m.delete(info.pid);
    this.m.set(info.pid, info);
    if (this.m.size > this.max) {
      const oldest = this.m.keys().next().value;
      if (oldest !== undefined) this.m.delete(oldest);
    }
  }

  forget(pid: number): void {
    this.m.delete(pid);
  }

  get size(): number {
    return this.m.size;
  }

  /** Ancestors nearest first, from the cache or /proc, up to `depth`. */
  parents(ppid: number, depth = PROC_LIMITS.parentDepth): Array<{ pid: number; name: string; exepath?: string; args?: string[] }> {
    const out: Array<{ pid: number; name: string; exepath?: string; args?: string[] }> = [];
    let cur = ppid;
    const seen = new Set<number>();
    while (cur > 0 && out.length < depth && !seen.has(cur)) {
      seen.add(cur);
      const p = this.get(cur);
      if (!p) break;
      out.push({ pid: p.pid, name: p.name, exepath: p.exepath, args: p.args });
      cur = p.ppid;
    }
    return out;
  }
}
