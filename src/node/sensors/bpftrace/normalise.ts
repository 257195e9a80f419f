// Turns the sensor's raw records (./parse.ts) into the engine's SyscallEvent
// (src/core/events/event.ts), enriched from procfs and attributed to a
// container. Owns: pairing an exec's argv line (`Ea`) with the exec (`E`), Falco-style names and arguments per syscall, the
// kernel-clock to wall-clock mapping, and cache invalidation on exit.
import type { FdInfo, FdKind, ProcessInfo, SyscallEvent } from '../../../core/events/event.js';
import { decodeArgv, dirChainPath, type RawHeader } from './parse.js';
import { readlinkSync, statSync, type BigIntStats } from 'node:fs';
import { CHAIN_MAX_LEVELS, CHAIN_NAME_MAX, CHMOD_EXEMPT_WRITERS, CHMOD_RECENT_MS, DROP_EXEMPT_WRITERS, FD_KINDS, RAW_SYSCALLS, kernelDev } from './program.js';
import type { ProcCache, ProcInfo } from '../procfs.js';
import { readBounded, socketInodes } from '../procfs.js';
import type { ContainerResolver } from '../container-resolver.js';

/**
 * A chmod adding an exec bit is not a drop when its process or one of its ancestors is one of these:
 * compilers, linkers and package managers (as the drop-and-execute rules' exemptions), build tools
 * (`make` running `chmod +x`), package scripts.
 */
const CHMOD_EXEMPT_ANCESTORS: ReadonlySet<string> = new Set([
  ...DROP_EXEMPT_WRITERS,
  ...CHMOD_EXEMPT_WRITERS,
  ...['make', 'gmake', 'cmake', 'ninja', 'meson', 'tcc', 'javac', 'ghc', 'mold', 'npm', 'yarn', 'pnpm', 'pipx', 'poetry', 'gradle', 'mvn'],
  ...['dpkg-deb', 'aptitude', 'unattended-upgr', 'microdnf', 'zypper', 'pacman', 'tdnf', 'snap', 'snapd', 'flatpak'],
]);

let ownPidnsInode: number | undefined;
/** Inode of this process's pid namespace (0 when unknown). */
function ownPidns(): number {
  if (ownPidnsInode === undefined) {
    try {
      ownPidnsInode = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 0);
    } catch {
      ownPidnsInode = 0;
    }
  }
  return ownPidnsInode;
}

/** The dirfd meaning "relative to the cwd" (AT_FDCWD). */
const AT_FDCWD = -100;

/**
 * A path with `.`, `..` and repeated slashes resolved lexically (the kernel's
 * view for paths without symlinks): `/etc/../etc//shadow` -> `/etc/shadow`.
 * `..` above the root stays at the root. Relative paths stay relative. A `/proc/{self,<pid>}/root`
 * prefix is dropped (`/proc/self/root/etc/cron.d/x` -> `/etc/cron.d/x`).
 */
export function normalisePath(p: string): string {
  if (p === '') return p;
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  // `/proc/self/root/etc/shadow` is `/etc/shadow` of the process's root (`/proc/<pid>/root`: of that
  // process's root, another mount namespace's file under the same name).
  if (abs && out[0] === 'proc' && out[2] === 'root' && /^(self|thread-self|\d+)$/.test(out[1] ?? '')) out.splice(0, 3);
  const joined = out.join('/');
  return abs ? `/${joined}` : joined || '.';
}

const RAW_NAMES = new Map(Object.entries(RAW_SYSCALLS).map(([k, v]) => [v, k]));

const CLONE_FLAGS: Array<[number, string]> = [
  [0x00020000, 'CLONE_NEWNS'],
  [0x02000000, 'CLONE_NEWCGROUP'],
  [0x04000000, 'CLONE_NEWUTS'],
  [0x08000000, 'CLONE_NEWIPC'],
  [0x10000000, 'CLONE_NEWUSER'],
  [0x20000000, 'CLONE_NEWPID'],
  [0x40000000, 'CLONE_NEWNET'],
  [0x00000080, 'CLONE_NEWTIME'],
];

export function cloneFlagNames(flags: number): string {
  const names = CLONE_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  return names.length ? names.join('|') : String(flags);
}

const OPEN_FLAGS: Array<[number, string]> = [
  [0x1, 'O_WRONLY'],
  [0x2, 'O_RDWR'],
  [0x40, 'O_CREAT'],
  [0x80, 'O_EXCL'],
  [0x200, 'O_TRUNC'],
  [0x400, 'O_APPEND'],
  [0x80000, 'O_CLOEXEC'],
];
export function openFlagNames(flags: number): string {
  const names = OPEN_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  if ((flags & 0x3) === 0) names.unshift('O_RDONLY');
  return names.join('|');
}

export interface NormaliserOptions {
  procs: ProcCache;
  containers: ContainerResolver;
  host: string;
  /** Wall-clock ms now and kernel monotonic ns now; injected for tests. */
  wallNow?: () => number;
  monoNowNs?: () => number;
  /** Pending argv entries kept (exec enter without exec result yet). */
  maxPending?: number;
  /** Sensitive files by `${kernel dev}:${inode}` (the program's sensitiveInodes), for their canonical path. */
  inodes?: ReadonlyMap<string, string>;
  /** Kernel device number (program.ts kernelDev()) of the host's root filesystem: files of it opened through another mount are named by their path on it. */
  rootDev?: number;
}

/** A lifecycle notice the caller may act on (cache invalidation, stats). */
export type Lifecycle = { kind: 'exit'; pid: number; containerId?: string };

export class Normaliser {
  /** An exec's argv (`Ea`), by pid, until its `E`. */
  private readonly pendingArgv = new Map<number, string[]>();
  /** Cgroup lines by `${v2 id}:${v1 id}`, from the program's `Cg` lines (printed once per cgroup); bounded. */
  private readonly cgroupNames = new Map<string, string[]>();
  /** The creator of the file a pid is executing (`Dx`, printed just before that exec's `E`). */
  private readonly pendingWriter = new Map<number, string>();
  /** Pids whose exec (the next `E`) runs a file without a link: a memfd or a deleted file (`Dm`). */
  private readonly pendingUnlinked = new Set<number>();
  /** Cgroup lines by kernel cgroup id, learnt from execs (kernel names) and fresh /proc reads; bounded. */
  private readonly byCgroupId = new Map<number, string[]>();
  /** The old name of a hard link per thread, between its `Lo` and `Lk` records (bounded). */
  private readonly linkOld = new Map<number, string>();
  /** Files a chmod made executable, by `${kernel dev}:${inode}` (chmodExec()), oldest first, bounded. */
  private readonly chmodded = new Map<string, { writer: string; pidns: number }>();
  /** Names of a directory's full chain (`Pn`, from the directory up; undefined: a name Node cannot use), by tid, until its `Pe`. */
  private readonly chainNames = new Map<number, Array<string | undefined>>();
  /** A directory's full chain, by tid, from its `Pe` until the record that uses it (null: the kernel could not place it). */
  private readonly chains = new Map<number, string | null>();
  static readonly MAX_CHMODDED = 4096;
  private graveyard: Array<{ pid: number; info: ProcInfo; at: number }> = [];
  /** How long an exited process stays cached (ns of kernel time). */
  static readonly EXIT_GRACE_NS = 2e9;
  /** Cgroups whose names are kept (the program's `@cg` map holds as many: BPFTRACE_MAP_KEYS_MAX). */
  static readonly MAX_CGROUPS = 16384;
  private readonly offsetMs: number;
  readonly maxPending: number;

  constructor(private readonly o: NormaliserOptions) {
    const wall = (o.wallNow ?? Date.now)();
    const mono = (o.monoNowNs ?? (() => Number(process.hrtime.bigint())))();
    this.offsetMs = wall - mono / 1e6;
    this.maxPending = o.maxPending ?? 4096;
  }

  private reap(nowNs: number): void {
    let i = 0;
    while (i < this.graveyard.length && nowNs - this.graveyard[i]!.at > Normaliser.EXIT_GRACE_NS) {
      const g = this.graveyard[i]!;
      // Only if the pid was not reused meanwhile (a new exec replaces the cached object).
      if (this.o.procs.peek(g.pid) === g.info) this.o.procs.forget(g.pid);
      i++;
    }
    if (i > 0) this.graveyard = this.graveyard.slice(i);
    if (this.graveyard.length > 65_536) this.graveyard = this.graveyard.slice(-32_768);
  }

  /** Wall-clock ms of a kernel timestamp. */
  wallTime(ktimeNs: number): number {
    return this.offsetMs + ktimeNs / 1e6;
  }

  get pending(): number {
    return this.pendingArgv.size;
  }

  /** One raw record; returns the engine event (if the record makes one) and a lifecycle notice. */
  record(r: RawHeader): { event?: SyscallEvent; life?: Lifecycle } {
    const f = r.rest;
    switch (r.code) {
      case 'Ea':
        // Printed by the probe just before this exec's `E` (same CPU, adjacent lines).
        this.pendingArgv.delete(r.pid);
        this.pendingArgv.set(r.pid, decodeArgv(f[0] ?? ''));
        if (this.pendingArgv.size > this.maxPending) {
          const oldest = this.pendingArgv.keys().next().value;
          if (oldest !== undefined) this.pendingArgv.delete(oldest);
        }
        return {};
      case 'Cg': {
        // A cgroup's first exec: its kernel leaf names, and /proc's full lines while the process lives (pod paths).
        const key = `${r.cgroupId}:${f[0] ?? '0'}`;
        this.cgroupNames.delete(key);
        this.cgroupNames.set(key, kernelCgroupLines(f[1] ?? '', f[2] ?? '', this.o.procs.fs.cgroup(r.pid)));
        if (this.cgroupNames.size > Normaliser.MAX_CGROUPS) {
          const oldest = this.cgroupNames.keys().next().value;
          if (oldest !== undefined) this.cgroupNames.delete(oldest);
        }
        return {};
      }
      case 'Q':
        return { life: this.exited(r.pid, r.ktimeNs) };
      case 'Dx':
        this.pendingWriter.delete(r.pid);
        this.pendingWriter.set(r.pid, f[0] ?? '');
        if (this.pendingWriter.size > this.maxPending) {
          const oldest = this.pendingWriter.keys().next().value;
          if (oldest !== undefined) this.pendingWriter.delete(oldest);
        }
        return {};
      case 'Cx':
        return { event: this.chmodExec(r, f) };
      case 'Dm':
        this.pendingUnlinked.add(r.pid);
        if (this.pendingUnlinked.size > this.maxPending) this.pendingUnlinked.clear();
        return {};
      case 'Pn':
      case 'Pe':
        this.chainRecord(r.code, r.tid, f);
        return {};
      case 'E':
        return { event: this.exec(r, f) };
      case 'O': {
        const res = Number(f[0]);
        // The kernel's mark (program.ts REP_MARK): the call's flags in the low 32 bits, bit 41 for openat2.
        const mark = Number(f[1]);
        const flags = mark % 2 ** 32;
        const openat2 = Math.floor(mark / 2 ** 41) % 2 === 1;
        const dirfd = Number(f[2]);
        const ino = Number(f[3]);
        const dev = Number(f[4]);
        // This open created the file (FMODE_CREATED): its O_TRUNC truncated nothing.
        const created = f[5] !== '0';
        const given = f[f.length - 1] ?? '';
        // A relative name: the kernel's chain of the opened file's directory, when it could place it.
        const dir = given.startsWith('/') ? undefined : dirChainPath(f.slice(6, -1));
        const base = given.slice(given.lastIndexOf('/') + 1);
        const path = dir !== undefined ? normalisePath(`${dir}/${base}`) : this.resolve(r.pid, dirfd, given);
        // A sensitive file reached by another name (hard link, bind mount, another mount namespace)
        // is named by its canonical path; the name the process used stays in evt.arg.name. So is a file
        // of the host's root filesystem opened through another mount of it (a bind mount of / or /etc).
        const known = ino > 0 ? this.o.inodes?.get(`${dev}:${ino}`) : undefined;
        const onFs = this.o.rootDev !== undefined && dev === this.o.rootDev && base ? dirChainPath(f.slice(6, -1), true) : undefined;
        const fdName = known ?? (onFs !== undefined ? normalisePath(`${onFs}/${base}`) : path);
        return {
          event: this.make(
            r,
            openat2 ? 'openat2' : 'openat',
            { name: path, flags, fd: res, dirfd, ...(known ? { ino, dev } : {}) },
            { type: 'file', name: fdName, ...(res >= 0 ? { num: res, created } : {}) },
            res,
          ),
        };
      }
      case 'C':
      case 'K': {
        const fdnum = Number(f[0]);
        const ip = f[2] ?? '';
        const port = Number(f[3]);
        const type: FdKind = f[1] === '6' ? 'ipv6' : 'ipv4';
        const sock = this.socket(r.pid, fdnum);
        // Falco's client/server model (event.ts): for connect the local end is the client, for accept the server.
        const fd: FdInfo =
          r.code === 'C'
            ? {
                num: fdnum,
                type,
                name: `${sock.local ? hostPort(sock.local.ip, sock.local.port) : ''}->${hostPort(ip, port)}`,
                dip: ip,
                dport: port,
                l4proto: sock.proto,
              }
            : {
                num: fdnum,
                type,
                name: `${hostPort(ip, port)}->${sock.local ? hostPort(sock.local.ip, sock.local.port) : ''}`,
                sip: ip,
                sport: port,
                l4proto: sock.proto,
              };
        if (sock.local) {
          if (r.code === 'C') {
            fd.sip = sock.local.ip;
            fd.sport = sock.local.port;
          } else {
            fd.dip = sock.local.ip;
            fd.dport = sock.local.port;
          }
        }
        return { event: this.make(r, r.code === 'C' ? 'connect' : 'accept4', { fd: fdnum, addr: hostPort(ip, port) }, fd) };
      }
      case 'Cu': {
        const path = f[1] ?? '';
        return { event: this.make(r, 'connect', { fd: Number(f[0]), addr: path }, { num: Number(f[0]), type: 'unix', name: path }) };
      }
      case 'So':
        return { event: this.make(r, 'socket', { domain: Number(f[0]) === 17 ? 'AF_PACKET' : Number(f[0]), type: Number(f[1]) }) };
      case 'D': {
        const oldfd = Number(f[0]);
        const newfd = Number(f[1]);
        const procs = this.o.procs.fs;
        // The old fd may already be closed when we look (dup2 then close is the usual idiom): the new one is the same file.
        const target = procs.fdTarget(r.pid, oldfd) ?? procs.fdTarget(r.pid, newfd);
        // Its kind as the kernel saw it at the call (the probe's); /proc only for a record without it.
        const kind = FD_KINDS[Number(f[2])] || (procs.fdKind(r.pid, oldfd) ?? procs.fdKind(r.pid, newfd) ?? 'unknown');
        const ev = this.make(r, 'dup2', { oldfd, newfd, fd: oldfd }, { num: oldfd, type: kind, name: target ?? '' });
        // The standard streams changed: the cached view of them is stale.
        if (ev.proc) {
          const key = newfd === 0 ? 'stdin' : newfd === 1 ? 'stdout' : 'stderr';
          ev.proc[key] = kind;
          const cached = this.o.procs.peek(r.pid);
          if (cached) cached[key] = kind;
        }
        return { event: ev };
      }
      case 'P': {
        const req = Number(f[0]);
        // Numeric, as the engine renders arguments Falco's way (evt.arg.request contains PTRACE_ATTACH).
        return { event: this.make(r, 'ptrace', { request: req, pid: Number(f[1]) }) };
      }
      case 'S':
        return { event: this.make(r, 'setns', { fd: Number(f[0]), nstype: cloneFlagNames(Number(f[1])) }) };
      case 'U':
        return { event: this.make(r, 'unshare', { flags: cloneFlagNames(Number(f[0])) }) };
      case 'M': {
        const dir = f[2] ?? '';
        return { event: this.make(r, 'mount', { flags: Number(f[0]), type: f[1] ?? '', dir }, { type: 'directory', name: dir }) };
      }
      case 'H':
        return { event: this.make(r, 'open_by_handle_at', { mountfd: Number(f[0]), flags: Number(f[1]) }) };
      case 'B':
        return { event: this.make(r, 'reboot', { cmd: Number(f[0]) }) };
      case 'Y':
        return { event: this.make(r, 'bpf', { cmd: Number(f[0]) }) };
      case 'I':
      case 'W':
      case 'V': {
        // Reported on exit: the uid the caller had before the call is the event's user.
        const n = r.code === 'I' ? 0 : 1;
        const args: SyscallEvent['args'] = r.code === 'I' ? { uid: Number(f[0]) } : { ruid: Number(f[0]), euid: Number(f[1]) };
        const ev = this.make(r, r.code === 'I' ? 'setuid' : r.code === 'W' ? 'setreuid' : 'setresuid', args, undefined, Number(f[1 + n]));
        ev.proc.uid = Number(f[2 + n]);
        return { event: ev };
      }
      case 'T': {
        const name = f[0] ?? '';
        const path = f[2] ?? '';
        return { event: this.make(r, name, { arg: Number(f[1]), ...(path ? { name: path } : {}) }, path ? { type: 'directory', name: path } : undefined) };
      }
      case 'G':
        return { event: this.make(r, 'setgid', { gid: Number(f[0]) }) };
      case 'J':
        return { event: this.make(r, 'capset', {}) };
      case 'Z':
        return { event: this.make(r, 'memfd_create', { flags: Number(f[0]), name: f[1] ?? '' }, { type: 'memfd', name: `memfd:${f[1] ?? ''}` }) };
      case 'N': {
        const [oldp = '', newp = ''] = (f[0] ?? '').split('\x1f');
        const from = this.absolute(r.pid, oldp);
        const to = this.absolute(r.pid, newp);
        return { event: this.make(r, 'renameat2', { oldpath: from, newpath: to }, { type: 'file', name: to }) };
      }
      case 'Sy': {
        // The new name is relative to newdfd; a symlink's target is kept as written (it is resolved when used).
        const [target = '', name = ''] = (f[1] ?? '').split('\x1f');
        const linkpath = this.resolve(r.pid, Number(f[0]), name);
        return { event: this.make(r, 'symlinkat', { target, linkpath }, { type: 'file', name: linkpath }) };
      }
      case 'Lo':
      case 'Lk': {
        // A hard link: `Lo` (the old name), then `Lk` (the new one). Each name is placed by the kernel's
        // full chain of its directory (the dirfd's, or the cwd's), printed before it, when it could (the
        // `ln` is usually gone from /proc by now), else through /proc.
        const dfd = Number(f[0]);
        const name = f[f.length - 1] ?? '';
        const chain = this.takeChain(r.tid);
        const dir = !name.startsWith('/') && name !== '' && (dfd === AT_FDCWD || dfd >= 0) ? chain : undefined;
        const path = dir !== undefined ? normalisePath(`${dir}/${name}`) : this.resolve(r.pid, dfd, name);
        if (r.code === 'Lo') {
          this.linkOld.delete(r.tid);
          this.linkOld.set(r.tid, path);
          if (this.linkOld.size > 1024) this.linkOld.delete(this.linkOld.keys().next().value!);
          return {};
        }
        const oldpath = this.linkOld.get(r.tid) ?? '';
        this.linkOld.delete(r.tid);
        return { event: this.make(r, 'linkat', { oldpath, newpath: path }, { type: 'file', name: path }) };
      }
      case 'L': {
        const given = f[f.length - 1] ?? '';
        // Relative to the cwd: the kernel's chain of the cwd, when it could place it (the process may be gone from /proc).
        const cwd = Number(f[1]) === AT_FDCWD && !given.startsWith('/') ? dirChainPath(f.slice(2, -1)) : undefined;
        const path = cwd !== undefined ? normalisePath(`${cwd}/${given}`) : this.resolve(r.pid, Number(f[1]), given);
        return { event: this.make(r, 'unlinkat', { flags: Number(f[0]), dirfd: Number(f[1]), name: path }, { type: 'file', name: path }) };
      }
      case 'X': {
        const id = Number(f[0]);
        return { event: this.make(r, RAW_NAMES.get(id) ?? `syscall_${id}`, { id }) };
      }
      default:
        return {};
    }
  }

  /** A level (`Pn`: its length in the kernel, its name) or the end (`Pe`: the levels printed, -1: not placed) of a full chain. */
  private chainRecord(code: string, tid: number, f: string[]): void {
    const names = this.chainNames.get(tid) ?? [];
    if (code === 'Pn') {
      const len = Number(f[0]);
      const name = f[1] ?? '';
      const usable = len <= CHAIN_NAME_MAX && Buffer.byteLength(name) === len && name !== '' && !name.includes('/') && name !== '.' && name !== '..';
      if (names.length <= CHAIN_MAX_LEVELS) names.push(usable ? name : undefined);
      this.chainNames.delete(tid);
      this.chainNames.set(tid, names);
      if (this.chainNames.size > 1024) this.chainNames.delete(this.chainNames.keys().next().value!);
      return;
    }
    this.chainNames.delete(tid);
    const levels = Number(f[0]);
    const placed = levels >= 0 && levels === names.length && names.every((n) => n !== undefined);
    this.chains.delete(tid);
    this.chains.set(tid, placed ? `/${names.reverse().join('/')}` : null);
    if (this.chains.size > 1024) this.chains.delete(this.chains.keys().next().value!);
  }

  /** The full chain the kernel printed for this tid's record (undefined: none, or not placed), consumed. */
  private takeChain(tid: number): string | undefined {
    const c = this.chains.get(tid);
    this.chains.delete(tid);
    return c ?? undefined;
  }

  /**
   * An exec (`E`, after its `Ea`): the process's view from the kernel's fields. /proc is read only for
   * the full cmdline when the kernel's argv was cut and for a cgroup never announced (`Cg`). The cwd of
   * an exec by a relative name is the kernel's (the chain printed before the `E`), and its executable is
   * that name in it; otherwise the cwd is the one before the exec (the fork copy's, else the parent's),
   * read again when a relative path needs it (absolute()), and the executable's path is the filename.
   */
  private exec(r: RawHeader, f: string[]): SyscallEvent {
    const flags = Number(f[0]);
    const filename = f[11] ?? '';
    const kargv = this.pendingArgv.get(r.pid);
    this.pendingArgv.delete(r.pid);
    const fs = this.o.procs.fs;
    // Before the exec, the pid was a copy of its parent (or of the fork copy made at its first event).
    const before = this.o.procs.peek(r.pid) ?? this.o.procs.peek(r.ppid);
    // A relative filename: the kernel printed the chain of the cwd it resolved it in (program.ts fullChain()).
    const kernelCwd = filename.startsWith('/') ? undefined : this.takeChain(r.tid);
    const cwd = kernelCwd ?? before?.cwd;
    const cgroup = this.cgroupNames.get(`${r.cgroupId}:${f[8] ?? '0'}`) ?? fs.cgroup(r.pid) ?? before?.cgroup;
    const info: ProcInfo = {
      pid: r.pid,
      ppid: r.ppid,
      name: r.comm,
      uid: r.uid,
      gid: Number(f[1]),
      loginuid: Number(f[2]),
      tty: Number(f[3]),
      execNs: r.ktimeNs,
    };
    // The parent's comm as the kernel had it at the exec: names the parent when it is gone before
    // it is looked up (a subshell that forked without exec, as in ldd's command substitution).
    if (f[10]) info.parentName = f[10];
    for (const [k, key] of [
      [0, 'stdin'],
      [1, 'stdout'],
      [2, 'stderr'],
    ] as const) {
      const kind = FD_KINDS[(flags >> (4 + 4 * k)) & 0xf];
      if (kind) info[key] = kind;
    }
    if (r.pidnsInode) info.pidnsInode = r.pidnsInode;
    if (cwd) info.cwd = cwd;
    if (cgroup) info.cgroup = cgroup;
    if (r.cgroupId) {
      info.cgroupId = r.cgroupId;
      this.learnCgroup(r.cgroupId, cgroup);
    }
    this.o.procs.put(info);
    const ev = this.make(r, 'execve', {}, undefined, 0, info);
    const exepath = filename.startsWith('/')
      ? normalisePath(filename)
      : kernelCwd !== undefined
        ? normalisePath(`${kernelCwd}/${filename}`)
        : (fs.link(r.pid, 'exe') ?? this.absolute(r.pid, filename));
    ev.proc.exepath = exepath;
    // The kernel's argv is capped (ARGV_BYTES): when it was cut and /proc still has the process, its cmdline is complete.
    const cut = (flags & 2) !== 0 ? fs.cmdline(r.pid) : undefined;
    const args = cut && cut.length > 0 ? cut : kargv && kargv.length > 0 && !(kargv.length === 1 && kargv[0] === '') ? kargv : undefined;
    if (args) ev.proc.args = args;
    else delete ev.proc.args;
    ev.args.filename = exepath;
    if (args) ev.args.cmdline = args.join(' ');
    // Fileless execution: the kernel saw an executable without a link (a memfd, a deleted file).
    if ((flags & 1) !== 0) ev.proc.exeFromMemfd = true;
    this.pendingUnlinked.delete(r.pid);
    if (f[5] && f[5] !== '0') ev.proc.exeIdentity = `${f[4]}:${f[5]}:${f[6]}:${f[7]}`;
    const writer = this.pendingWriter.get(r.pid) ?? (f[5] && f[5] !== '0' ? this.chmodWriter(`${f[4]}:${f[5]}`, r.pidnsInode) : undefined);
    this.pendingWriter.delete(r.pid);
    if (writer) ev.proc.exeWriter = writer;
    else delete ev.proc.exeWriter;
    info.args = args;
    info.exepath = exepath;
    return ev;
  }

  /**
   * A process exited (the program's batched exit map, or a `Q` line): what was cached about it is
   * forgotten after EXIT_GRACE_NS, unless the pid has exec'd again since (pid reuse).
   */
  exited(pid: number, ktimeNs: number): Lifecycle {
    const p = this.o.procs.peek(pid);
    const current = p && (p.execNs ?? 0) <= ktimeNs ? p : undefined;
    // Forget later, not now: bpftrace reads per-CPU buffers in turn, so a process's last
    // events from another CPU can arrive after its exit and still need its cached view.
    if (current) this.graveyard.push({ pid, info: current, at: ktimeNs });
    this.reap(ktimeNs);
    const cid = current?.cgroup ? this.o.containers.resolve(current.cgroup).id : undefined;
    return { kind: 'exit', pid, ...(cid && cid !== 'host' ? { containerId: cid } : {}) };
  }

  /** A path as the kernel resolves it: relative to the cwd, normalised (`.`, `..`, `//`). */
  private absolute(pid: number, p: string): string {
    if (p === '') return p;
    if (p.startsWith('/')) return normalisePath(p);
    // The cwd now (a shell's `cd` after its exec), else the cached one.
    const cwd = this.o.procs.fs.link(pid, 'cwd') ?? this.o.procs.peek(pid)?.cwd ?? this.o.procs.get(pid)?.cwd;
    if (!cwd) return p;
    return normalisePath(`${cwd}/${p}`);
  }

  /**
   * A chmod that added an exec bit (`Cx`): when the file is new (last written at most CHMOD_RECENT_MS
   * before) and neither the chmod's process nor its ancestors (up to four, from the
   * cache) are a compiler, build tool or package manager, the file is remembered by its kernel
   * (device, inode) with the process's name, which its exec then carries as `proc.exe_writer` (the
   * drop-and-execute rules). The file is looked at through the process's root, or its parent's (the
   * `chmod` has usually exited), so a container's path is the container's file. A set-id bit asked
   * for that the file now has is returned as a chmod/fchmod/fchmodat event (evt.arg.mode, evt.arg.filename)
   * for the set-id rule, new file or not.
   */
  private chmodExec(r: RawHeader, f: string[]): SyscallEvent | undefined {
    const dfd = Number(f[0]);
    const mode = Number(f[1]);
    const name = f[f.length - 1] ?? '';
    if (name === '') return;
    const dir = !name.startsWith('/') && (dfd === AT_FDCWD || dfd >= 0) ? dirChainPath(f.slice(4, -1)) : undefined;
    const path = dir !== undefined ? normalisePath(`${dir}/${name}`) : this.resolve(r.pid, dfd, name);
    if (!path.startsWith('/')) return;
    const chain: string[] = [r.comm];
    for (let pid = r.ppid, i = 0; i < 4 && pid > 1; i++) {
      const p = this.o.procs.peek(pid) ?? this.o.procs.get(pid);
      if (!p) break;
      chain.push(p.name);
      pid = p.ppid;
    }
    if (chain.some((c) => CHMOD_EXEMPT_ANCESTORS.has(c))) return;
    // Through the process's root, its parent's, or (both gone) the agent's own for a process of the
    // agent's pid namespace, else another live process's of the same pid namespace (a container dropper
    // that chmods and execs at once: the container's root). /proc is scanned only when the first fail.
    const procRoot = (pid: number) => `${this.o.procs.fs.root}/${pid}/root`;
    const ownNs = r.pidnsInode !== 0 && r.pidnsInode === ownPidns();
    const fs = this.o.procs.fs;
    function* roots(): Generator<string> {
      yield procRoot(r.pid);
      yield procRoot(r.ppid);
      if (ownNs) yield '';
      else if (r.pidnsInode !== 0) {
        const other = fs.pidInNamespace(r.pidnsInode, [r.pid, r.ppid]);
        if (other !== undefined) yield procRoot(other);
      }
    }
    let st: BigIntStats | undefined;
    for (const root of roots()) {
      try {
        st = statSync(`${root}${path}`, { bigint: true });
        break;
      } catch {
        /* gone, or not there: the next root */
      }
    }
    if (!st || !st.isFile()) return;
    // A set-id bit asked for and now on the file (the record is the call's entry: the file tells it
    // took effect): a chmod event for the rules, named as the kernel's call (fchmod: by its file).
    const byFd = f[2] !== undefined && f[2] !== '0';
    let setid: SyscallEvent | undefined;
    if ((mode & 0o6000) !== 0 && (Number(st.mode) & 0o6000) !== 0) {
      const type = byFd ? 'fchmod' : dfd === AT_FDCWD ? 'chmod' : 'fchmodat';
      setid = this.make(r, type, { mode, filename: path }, undefined, 0);
    }
    if ((mode & 0o111) === 0) return setid;
    // Written recently (the mtime, not the birth time: an image layer unpacked a minute ago keeps its
    // files' old mtimes, a download or a copy has a new one).
    if ((this.o.wallNow?.() ?? Date.now()) - Number(st.mtimeMs) > CHMOD_RECENT_MS) return setid;
    const key = byFd ? `${f[3]}:${f[2]}` : `${kernelDev(Number(st.dev))}:${st.ino}`;
    this.chmodded.delete(key);
    this.chmodded.set(key, { writer: r.comm, pidns: r.pidnsInode });
    if (this.chmodded.size > Normaliser.MAX_CHMODDED) this.chmodded.delete(this.chmodded.keys().next().value!);
    return setid;
  }

  /** The writer of a file made executable by a chmod (chmodExec()), for an exec in the same pid namespace. */
  private chmodWriter(key: string, pidns: number): string | undefined {
    const w = this.chmodded.get(key);
    return w && w.pidns === pidns ? w.writer : undefined;
  }

  /** A path of an *at syscall: relative to its dirfd (AT_FDCWD: the cwd), normalised. */
  private resolve(pid: number, dirfd: number, p: string): string {
    if (p.startsWith('/') || p === '' || dirfd === AT_FDCWD || !Number.isInteger(dirfd) || dirfd < 0) return this.absolute(pid, p);
    const dir = this.o.procs.fs.fdTarget(pid, dirfd);
    if (!dir || !dir.startsWith('/')) return this.absolute(pid, p);
    return normalisePath(`${dir}/${p}`);
  }

  /** Protocol and local address of a socket fd, from the process's own /proc/PID/net tables. */
  private socket(pid: number, fd: number): { proto: 'tcp' | 'udp'; local?: { ip: string; port: number } } {
    const t = this.o.procs.fs.fdTarget(pid, fd);
    const m = t ? /^socket:\[(\d+)\]$/.exec(t) : null;
    if (!m) return { proto: 'tcp' };
    const inode = Number(m[1]);
    for (const [f, proto] of [
      ['tcp', 'tcp'],
      ['udp', 'udp'],
      ['tcp6', 'tcp'],
      ['udp6', 'udp'],
    ] as const) {
      const text = readNet(this.o.procs.fs.root, pid, f);
      if (!text) continue;
      const local = localAddress(text, inode);
      if (local !== undefined) return local ? { proto, local } : { proto };
      if (socketInodes(text).has(inode)) return { proto };
    }
    return { proto: 'tcp' };
  }

  private learnCgroup(id: number, lines: string[] | undefined): void {
    if (!lines) return;
    this.byCgroupId.delete(id);
    this.byCgroupId.set(id, lines);
    if (this.byCgroupId.size > 4096) {
      const oldest = this.byCgroupId.keys().next().value;
      if (oldest !== undefined) this.byCgroupId.delete(oldest);
    }
  }

  /**
   * The event's own cgroup id decides its container: a process that joined a container's
   * cgroup after its exec (nsenter, runc's init, cgroup.procs writes) carries the new id,
   * and its cached cgroup lines are replaced (from an exec seen in that cgroup, else /proc).
   */
  private currentCgroup(r: RawHeader, info: ProcInfo): void {
    if (!r.cgroupId) return;
    if (info.cgroupId === undefined) {
      info.cgroupId = r.cgroupId;
      return;
    }
    if (info.cgroupId === r.cgroupId) return;
    const lines = this.byCgroupId.get(r.cgroupId) ?? this.o.procs.fs.read(r.pid)?.cgroup;
    info.cgroupId = r.cgroupId;
    if (lines) {
      info.cgroup = lines;
      this.learnCgroup(r.cgroupId, lines);
    }
  }

  /**
   * Until it execs, a child is a copy of its parent: reading /proc later would show whatever it
   * became, so the first event of an unknown pid that still has its parent's name (no exec since
   * the fork: the kernel's comm) takes the parent's cached view. (No fork probe: every line names
   * the parent, and a probe per fork costs as much as the exec's.)
   */
  private forkCopy(r: RawHeader): ProcInfo | undefined {
    if (this.o.procs.peek(r.pid) || r.ppid <= 0 || r.ppid === r.pid) return undefined;
    const parent = this.o.procs.peek(r.ppid);
    if (!parent || parent.name !== r.comm) return undefined;
    const copy = { ...parent, pid: r.pid, ppid: r.ppid };
    this.o.procs.put(copy);
    return copy;
  }

  private make(r: RawHeader, type: string, args: SyscallEvent['args'], fd?: FdInfo, res?: number, infoIn?: ProcInfo): SyscallEvent {
    const info = infoIn ?? this.forkCopy(r) ?? this.o.procs.get(r.pid);
    if (info && !infoIn) this.currentCgroup(r, info);
    const proc: ProcessInfo = {
      pid: r.pid,
      tid: r.tid,
      ppid: r.ppid || info?.ppid || 0,
      name: r.comm || info?.name || '',
      uid: r.uid,
      pidnsInode: r.pidnsInode || info?.pidnsInode,
      cgroupId: r.cgroupId,
    };
    if (info) {
      if (info.exepath) proc.exepath = info.exepath;
      if (info.args) proc.args = info.args;
      if (info.cwd) proc.cwd = info.cwd;
      if (info.gid !== undefined) proc.gid = info.gid;
      if (info.loginuid !== undefined) proc.loginuid = info.loginuid;
      if (info.tty !== undefined) proc.tty = info.tty;
      if (info.stdin) proc.stdin = info.stdin;
      if (info.stdout) proc.stdout = info.stdout;
      if (info.stderr) proc.stderr = info.stderr;
    }
    proc.parents = this.o.procs.parents(proc.ppid);
    if (proc.parents.length === 0 && info?.parentName && proc.ppid > 0 && proc.ppid === info.ppid) proc.parents = [{ pid: proc.ppid, name: info.parentName }];
    const ev: SyscallEvent = {
      source: 'syscall',
      type,
      time: this.wallTime(r.ktimeNs),
      args,
      proc,
      container: this.o.containers.resolve(info?.cgroup),
      host: this.o.host,
    };
    if (res !== undefined) ev.res = res;
    if (fd) ev.fd = fd;
    return ev;
  }
}

/**
 * Cgroup lines for the container resolver from the leaf names the kernel gave
 * (`<64 hex>`, `docker-<id>.scope`, ...). A leaf that names a container is
 * enough; otherwise the /proc lines (when read) are kept.
 */
export function kernelCgroupLines(v1Leaf: string, v2Leaf: string, procLines?: string[]): string[] {
  const lines = [`1:kernel:/${v1Leaf}`, `0::/${v2Leaf}`];
  return procLines ? [...lines, ...procLines] : lines;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Local address of the socket with `inode` in a /proc/net/{tcp,udp} table: null when found without a v4 address, undefined when absent. */
export function localAddress(table: string, inode: number): { ip: string; port: number } | null | undefined {
  const want = String(inode);
  for (const line of table.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[9] !== want) continue;
    const [hexIp, hexPort] = (cols[1] ?? '').split(':');
    if (!hexIp || !hexPort || hexIp.length !== 8) return null;
    // /proc prints the IPv4 address as a little-endian 32-bit number.
    const n = parseInt(hexIp, 16);
    const ip = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
    return { ip, port: parseInt(hexPort, 16) };
  }
  return undefined;
}

function readNet(root: string, pid: number, file: string): string | undefined {
  return readBounded(`${root}/${pid}/net/${file}`, 1024 * 1024);
}
