// Account files sensor: /etc/passwd, /etc/shadow and /etc/group of the host
// and of each container's root (reached through /proc/PID/root of one of its
// processes), checked every interval by a stat (no read unless the file
// changed), read bounded, parsed and diffed (src/core/accounts); each
// process's cgroup is read once, when it is first seen. Each
// finding (a clone account, a duplicate uid, a hidden account, an account or
// privileged group member added while no package manager ran) is one
// `account` event with the changed line, password hashes masked; the rules
// (rules/builtin/user.yaml) raise `user/illegal-account`. The first reading
// of a root is its baseline. Whether a package manager ran: one of its
// processes running in that root when the files changed (or seen at an
// earlier change), or its package database changed, within
// `packageManagerSeconds`. Files are opened without following a symbolic
// link and only when regular, so a container cannot point the sensor at a
// host file or a FIFO. A `Sensor` (./sensor.ts).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ContainerInfo, SyscallEvent } from '../../core/events/event.js';
import { ACCOUNT_FILES, parseAccountFile, type AccountFile } from '../../core/accounts/files.js';
import { diffAccounts, type AccountSnapshot } from '../../core/accounts/diff.js';
import type { AccountThresholds } from '../../core/behavior/thresholds.js';
import { containerFromCgroup, type ContainerResolver } from './container-resolver.js';
import { readBounded } from './procfs.js';
import { SensorStatus, type Sensor, type SensorHealth, type SensorSink } from './sensor.js';

export interface AccountFilesOptions {
  containers: ContainerResolver;
  host: string;
  thresholds: AccountThresholds;
  now?: () => number;
  /** Wall clock compared with file modification times (default Date.now). */
  wallNow?: () => number;
  monoMs?: () => number;
  /** The host's root (default `/`): its account files are watched unless `host` is false. */
  hostRoot?: string;
  watchHost?: boolean;
  /** Watch containers' roots through /proc (default true). */
  watchContainers?: boolean;
  procRoot?: string;
}

/** Process names of package managers (comm, at most 15 characters). */
export const PACKAGE_MANAGER_PROCS: ReadonlySet<string> = new Set([
  'dpkg',
  'apt',
  'apt-get',
  'aptitude',
  'unattended-upgr',
  'rpm',
  'yum',
  'dnf',
  'microdnf',
  'zypper',
  'apk',
  'pacman',
  'tdnf',
]);

/** Package databases: a change of one says a package manager ran. */
export const PACKAGE_DATABASES: readonly string[] = [
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/updates',
  '/lib/apk/db/installed',
  '/var/lib/rpm',
  '/usr/lib/sysimage/rpm',
  '/var/lib/pacman/local',
];

interface RootState {
  /** Path prefix of the root: `/` for the host, `/proc/PID/root/` for a container. */
  prefix: string;
  /** Device and inode of the root directory: a container's root that changes identity starts a new baseline. */
  rootId?: string;
  container: ContainerInfo;
  sigs: Partial<Record<AccountFile, string>>;
  /** Bytes of each file held (parsed) in `snapshot`. */
  held: Partial<Record<AccountFile, number>>;
  snapshot?: AccountSnapshot;
  /** Last time (mono ms) a package manager process was seen in it (when its files changed). */
  pmSeenAt?: number;
}

function dirId(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

/** Memory bound over all roots: account files are small, so only a hostile root comes near it. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;

type ReadResult = { text: string } | { missing: true } | { refused: string };

export class AccountFilesSensor implements Sensor {
  readonly name = 'accounts';
  private readonly status: SensorStatus;
  private sink?: SensorSink;
  private timer?: NodeJS.Timeout;
  private readonly roots = new Map<string, RootState>();
  private readonly procRoot: string;
  private readonly mono: () => number;
  checks = 0;
  /** Bytes of account files held over all roots (at most MAX_HELD_BYTES). */
  heldBytes = 0;

  constructor(private readonly o: AccountFilesOptions) {
    this.procRoot = o.procRoot ?? '/proc';
    this.mono = o.monoMs ?? (() => performance.now());
    const what = [o.watchHost !== false ? 'the host' : '', o.watchContainers !== false ? 'each container' : ''].filter(Boolean).join(' and ');
    this.status = new SensorStatus(`account files (passwd, shadow, group) of ${what} checked every ${o.thresholds.intervalMs} ms`);
  }

  async start(sink: SensorSink): Promise<void> {
    if (this.timer) return;
    this.status.state = 'starting';
    this.check();
    this.sink = sink;
    this.timer = setInterval(() => this.check(), this.o.thresholds.intervalMs);
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

  get rootCount(): number {
    return this.roots.size;
  }

  /** One round: find the roots (and package managers running in them), then look at each root's files. */
  check(): void {
    this.checks++;
    const now = this.mono();
    const live = new Set<string>();
    if (this.o.watchHost !== false) {
      const root = this.o.hostRoot ?? '/';
      live.add('host');
      if (!this.roots.has('host')) this.roots.set('host', { prefix: root.endsWith('/') ? root : `${root}/`, container: { id: 'host' }, sigs: {}, held: {} });
    }
    if (this.o.watchContainers !== false) this.findContainers(live);
    for (const [key, st] of this.roots)
      if (!live.has(key)) {
        this.release(st);
        this.roots.delete(key);
      }
    for (const [key, st] of this.roots) this.checkRoot(key, st, now);
  }

  /** Container of each pid seen (null: a host process), read once per process: the cgroup of a process rarely changes. */
  private pidContainer = new Map<string, { id: string; lines: string[] } | null>();

  private findContainers(live: Set<string>): void {
    const hostRootId = dirId(`${this.procRoot}/1/root/`) ?? dirId('/');
    let pids: string[] = [];
    try {
      pids = readdirSync(this.procRoot).filter((n) => /^\d+$/.test(n));
    } catch {
      return;
    }
    const next = new Map<string, { id: string; lines: string[] } | null>();
    for (const p of pids) {
      let c = this.pidContainer.get(p);
      if (c === undefined) {
        const cg = readBounded(`${this.procRoot}/${p}/cgroup`, 16 * 1024);
        if (cg === undefined) continue;
        const lines = cg.split('\n').filter((l) => l.length > 0);
        const id = containerFromCgroup(lines)?.id;
        c = id ? { id, lines } : null;
      }
      next.set(p, c);
      if (!c || live.has(c.id)) continue;
      // The runtime's init process is in the container's cgroup before it enters the container's root
      // (runc before pivot_root): its root is the host's, not the container's.
      const rootId = dirId(`${this.procRoot}/${p}/root/`);
      if (rootId === undefined || rootId === hostRootId) {
        next.delete(p); // looked at again next round
        continue;
      }
      let st = this.roots.get(c.id);
      if (!st) {
        if (this.roots.size >= this.o.thresholds.maxRoots) continue;
        st = { prefix: '', container: this.o.containers.resolve(c.lines), sigs: {}, held: {} };
        this.roots.set(c.id, st);
      }
      live.add(c.id);
      if (st.rootId !== undefined && st.rootId !== rootId) {
        st.sigs = {};
        this.release(st);
        delete st.snapshot;
      }
      st.rootId = rootId;
      // One of its processes gives the way in; the first one alive this round.
      st.prefix = `${this.procRoot}/${p}/root/`;
      if (!st.container.image) st.container = this.o.containers.resolve(c.lines);
    }
    this.pidContainer = next;
  }

  /** Whether a package manager process runs in the root now (looked at only when accounts were added). */
  private packageManagerRunning(key: string): boolean {
    for (const [p, c] of this.pidContainer) {
      if ((c?.id ?? 'host') !== key) continue;
      if (PACKAGE_MANAGER_PROCS.has(readBounded(`${this.procRoot}/${p}/comm`, 64)?.trim() ?? '')) return true;
    }
    return false;
  }

  /** Files of a root whose package database changed recently, or where a package manager ran. */
  private packageManagerRan(key: string, st: RootState, now: number): boolean {
    const win = this.o.thresholds.packageManagerSeconds * 1000;
    if (this.packageManagerRunning(key)) st.pmSeenAt = now;
    if (st.pmSeenAt !== undefined && now - st.pmSeenAt <= win) return true;
    const wall = (this.o.wallNow ?? Date.now)();
    for (const db of PACKAGE_DATABASES) {
      try {
        if (wall - lstatSync(`${st.prefix}${db.slice(1)}`).mtimeMs <= win) return true;
      } catch {
        // not this distribution's
      }
    }
    return false;
  }

  private checkRoot(key: string, st: RootState, now: number): void {
    // A root whose /etc is a symbolic link would be read through our own root: not followed.
    try {
      if (!lstatSync(`${st.prefix}etc`).isDirectory()) return;
    } catch {
      return;
    }
    let changed = false;
    const next: AccountSnapshot = { ...(st.snapshot ?? {}) };
    for (const f of ACCOUNT_FILES) {
      const path = `${st.prefix}etc/${f}`;
      let sig: string;
      try {
        const s = lstatSync(path);
        sig = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.isFile() ? 'f' : 'o'}`;
      } catch {
        sig = 'missing';
      }
      if (st.sigs[f] === sig) continue;
      st.sigs[f] = sig;
      const had = st.held[f] ?? 0;
      const r = this.read(path, MAX_HELD_BYTES - (this.heldBytes - had));
      this.heldBytes -= had;
      delete st.held[f];
      delete next[f];
      if ('text' in r) {
        const parsed = parseAccountFile(f, r.text);
        this.status.bad += parsed.bad;
        next[f] = parsed;
        st.held[f] = r.text.length;
        this.heldBytes += r.text.length;
      } else {
        if ('refused' in r) {
          this.status.bad++;
          if (this.sink)
            this.sink.notice?.(
              `account files: ${st.container.id === 'host' ? 'host' : `container ${st.container.id.slice(0, 12)}`} /etc/${f} not read: ${r.refused}`,
            );
        }
      }
      changed = true;
    }
    if (!changed) return;
    const prev = st.snapshot;
    st.snapshot = next;
    if (!prev || !this.sink) return;
    // Only additions depend on the package manager: the (costlier) look for one is made when the files changed.
    const findings = diffAccounts(prev, next, { packageManager: this.packageManagerRan(key, st, now) });
    for (const x of findings) {
      const ev: SyscallEvent = {
        source: 'syscall',
        type: 'account',
        time: (this.o.now ?? Date.now)(),
        args: {
          path: `/etc/${x.file}`,
          file: x.file,
          finding: x.kind,
          account: x.account,
          ...(x.id !== undefined ? { id: x.id } : {}),
          change: x.change,
          lineno: x.lineno,
          line: x.line,
          detail: x.detail,
        },
        fd: { type: 'file', name: `/etc/${x.file}` },
        proc: { pid: 0, ppid: 0, name: '', uid: -1 },
        container: st.container,
        host: this.o.host,
      };
      this.status.events++;
      this.sink.event(ev);
    }
  }

  /** Forget what a root holds (it went away, or its root changed). */
  private release(st: RootState): void {
    for (const f of ACCOUNT_FILES) this.heldBytes -= st.held[f] ?? 0;
    st.held = {};
    st.sigs = {};
  }

  /** A regular file, not through a final symbolic link, never blocking (FIFO), at most maxFileBytes (and `budget`). */
  private read(path: string, budget: number): ReadResult {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
      if (code === 'ELOOP') return { refused: 'a symbolic link' };
      return { refused: code ?? 'unreadable' };
    }
    try {
      const s = fstatSync(fd);
      if (!s.isFile()) return { refused: 'not a regular file' };
      const max = this.o.thresholds.maxFileBytes;
      if (s.size > max) return { refused: `larger than ${max} bytes` };
      if (s.size > budget) return { refused: `the sensor's budget of ${MAX_HELD_BYTES} bytes of account files is spent` };
      const buf = Buffer.allocUnsafe(max + 1);
      let n = 0;
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, null);
        if (r <= 0) break;
        n += r;
      }
      if (n > max) return { refused: `larger than ${max} bytes` };
      return { text: buf.subarray(0, n).toString('utf8') };
    } catch (e) {
      return { refused: (e as NodeJS.ErrnoException).code ?? 'unreadable' };
    } finally {
      closeSync(fd);
    }
  }
}
