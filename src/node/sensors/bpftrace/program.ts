// The bpftrace program the eBPF sensor runs, generated from options.
// Owns: which tracepoints are attached, the in-probe filters that keep the
// event volume bounded (openat only for sensitive paths and writes to
// protected paths, compared as integers in the kernel: no string is copied
// for an open that is not reported), and the line format every probe prints,
// which ./parse.ts reads back. Tracepoints only: this kernel family has no
// kprobes. x86_64 only (syscall numbers, the saved-register layout).
//
// Line format (one bpftrace printf per event, tab-separated):
//   CODE nsecs pid tid ppid uid pidns cgroup comm [code-specific fields...]
// String fields a process controls (paths, names) come last so a tab inside
// one can only corrupt that field, never shift the numeric ones.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** x86_64 syscall numbers of calls that have no dedicated tracepoint here. */
export const RAW_SYSCALLS: Record<string, number> = {
  init_module: 175,
  delete_module: 176,
  kexec_load: 246,
  finit_module: 313,
  kexec_file_load: 320,
};

/** Reads of these (any flags) are reported: credential and persistence files. */
export const DEFAULT_SENSITIVE_PATHS: readonly string[] = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/root/.ssh',
  '/etc/ssh/ssh_host_',
  '/etc/cron',
  '/var/spool/cron',
  '/etc/systemd/system',
  '/etc/init.d',
  '/etc/rc.local',
  '/etc/ld.so.preload',
  '/proc/sys/kernel/core_pattern',
  '/sys/fs/cgroup/release_agent',
];

/**
 * Sensitive files are also recognised on syscall exit by the opened file's
 * name (the dentry's, whatever path led there: relative to the cwd or a
 * dirfd, `..`, `//`, a hard link with the same name) ...
 */
export const SENSITIVE_BASENAMES: readonly string[] = [
  'shadow',
  'gshadow',
  'shadow-',
  'gshadow-',
  'opasswd',
  'master.passwd',
  'sudoers',
  'authorized_keys',
  'ld.so.preload',
  'core_pattern',
  'crontab',
  'credentials',
  '.git-credentials',
  '.netrc',
  '.pgpass',
  '.my.cnf',
  '.vault-token',
  'credentials.db',
  'application_default_credentials.json',
  'accessTokens.json',
  'msal_token_cache.json',
  'environ',
];
/** ... or whose name starts with one of these (SSH private keys, host keys). */
export const SENSITIVE_NAME_PREFIXES: readonly string[] = ['id_', 'ssh_host_'];
/** ... and these names whatever their directory, when opened for writing (cgroup escapes mount the hierarchy anywhere; /proc/PID/{mem,exe}). */
export const WRITE_WATCHED_BASENAMES: readonly string[] = [
  'release_agent',
  'notify_on_release',
  'mem',
  'exe',
  'uevent_helper',
  'modprobe',
  'runc',
  'containerd-shim',
  '.bash_history',
  '.zsh_history',
  '.sh_history',
  '.ash_history',
  '.history',
  '.python_history',
  '.mysql_history',
  '.psql_history',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  'authorized_keys2',
];
/** Opens with O_TRUNC under these are reported (log clearing). */
export const TRUNCATE_WATCHED_PREFIXES: readonly string[] = ['/var/log/'];

/** A file identified by (device, inode) as the kernel sees it (sb->s_dev, i_ino): hard links, bind mounts and other mount namespaces reach the same pair. */
export interface FileIdentity {
  path: string;
  /** Kernel-internal device number (MAJOR << 20 | MINOR), see kernelDev(). */
  dev: number;
  ino: number;
}

/** Host files recognised by (device, inode) whatever the path that reaches them. */
export const DEFAULT_SENSITIVE_FILES: readonly string[] = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/crontab',
  '/etc/ld.so.preload',
  '/root/.ssh/authorized_keys',
  '/etc/ssh/sshd_config',
  '/etc/kubernetes/admin.conf',
  '/etc/kubernetes/kubelet.conf',
  '/var/lib/kubelet/config.yaml',
];

/** (device, inode) of those of `paths` that exist as regular files (at most 32: each is a test in the open exit probe). */
export function sensitiveIdentities(paths: readonly string[] = DEFAULT_SENSITIVE_FILES): FileIdentity[] {
  const out: FileIdentity[] = [];
  for (const path of paths) {
    try {
      const st = statSync(path);
      if (st.isFile()) out.push({ path, dev: kernelDev(st.dev), ino: st.ino });
    } catch {
      // Absent on this host: nothing to recognise.
    }
    if (out.length >= 32) break;
  }
  return out;
}

/** The kernel device number of the filesystem of `path` (the host's root: files opened through a bind mount of it are named by their path on it). */
export function rootDevice(path = '/'): number | undefined {
  try {
    return kernelDev(statSync(path).dev);
  } catch {
    return undefined;
  }
}

/** The kernel-internal device number (sb->s_dev) of a user-space st_dev. */
export function kernelDev(stDev: number): number {
  const major = Math.floor(stDev / 256) & 0xfff;
  const minor = (stDev & 0xff) | (Math.floor(stDev / 4096) & 0xfff00);
  return major * 1048576 + minor;
}

/**
 * Host-side high-risk syscalls: each name the `high_risk_syscalls` list of
 * rules/builtin/high-risk-syscall.yaml uses has a probe here (dedicated
 * tracepoints, or RAW_SYSCALLS); the coverage test holds both to this one list.
 */
export const HIGH_RISK_SYSCALLS: readonly string[] = [
  'open_by_handle_at',
  'setns',
  'unshare',
  'reboot',
  'mount',
  'umount2',
  'bpf',
  'init_module',
  'finit_module',
  'delete_module',
  'kexec_load',
  'kexec_file_load',
  'pivot_root',
  'perf_event_open',
  'userfaultfd',
  'keyctl',
];

/** Opens with write intent under these are reported (system dirs, key files). */
export const DEFAULT_PROTECTED_PREFIXES: readonly string[] = [
  '/etc/',
  '/bin/',
  '/sbin/',
  '/usr/bin/',
  '/usr/sbin/',
  '/usr/lib/',
  '/lib/',
  '/boot/',
  '/root/',
  '/var/spool/cron',
  '/proc/sys/',
  '/sys/fs/cgroup/',
  '/sys/kernel/',
  '/run/systemd/system/',
  '/var/spool/at/',
  '/var/www/',
  '/srv/www/',
  '/usr/share/nginx/',
  '/usr/local/tomcat/',
];

export interface ProgramOptions {
  /**
   * Attach raw_syscalls:sys_enter for module loading and kexec (default true). Enabling that
   * tracepoint puts every syscall of every task on the kernel's tracing slow path: it is the
   * sensor's largest cost on syscall-heavy workloads (bench/README.md).
   */
  rawSyscalls?: boolean;
  /**
   * Syscalls that have a tracepoint of their own on this kernel (syscallTracepoints()): those of
   * RAW_SYSCALLS are traced there instead of through raw_syscalls. Undefined: none known.
   */
  syscallTracepoints?: ReadonlySet<string>;
  /** Index of a cgroup v1 controller with a mounted hierarchy (cgroup_subsys_id), whose leaf names the container; undefined on pure cgroup v2. */
  v1SubsysIndex?: number;
  /** Paths (prefixes) whose opens are always reported. */
  sensitivePaths?: readonly string[];
  /** Path prefixes whose opens with write flags are reported (policy file-protection paths are added here). */
  protectedPrefixes?: readonly string[];
  /** Files recognised by (device, inode) on open, whatever the path (sensitiveIdentities() of the host's sensitive files). */
  sensitiveInodes?: readonly FileIdentity[];
  /**
   * Inode of the host's pid namespace (/proc/self/ns/pid of the sensor). Defined: files created with an
   * exec bit are remembered (except by DROP_EXEMPT_WRITERS): those a container's process created (`@wr`)
   * and those a host process created (`@wh`, its own map, so the host's writes cannot crowd out the
   * containers'). An exec of one names its creator (`proc.exe_writer`, the drop-and-execute rules): any
   * exec of a container-created file, and a host exec of a host-created one (a runtime unpacking an
   * image layer on the host is not a drop into the container). Undefined: no file is remembered.
   */
  hostPidns?: number;
  /**
   * Identical execs (EXEC_REPEAT_KEY) within this many ms of the last one reported are counted in the
   * kernel instead of printed (default EXEC_REPEAT_WINDOW_MS; 0: every exec is printed).
   */
  execRepeatWindowMs?: number;
  /** Tests only: the exec key hash is ANDed with this, then its bit 0 set (0n: every exec has the hash 1, a forced collision). */
  execRepeatHashMask?: bigint;
  /** The kernel has the fchmodat2 tracepoint (Linux 6.6+; default true). */
  chmodat2?: boolean;
  /** The kernel has the openat2 tracepoints (Linux 5.6+; default: whether tracefs lists them). */
  openat2?: boolean;
}

/** Default window of the kernel's exec burst aggregation (ms). */
export const EXEC_REPEAT_WINDOW_MS = 1000;
/** How often the program forgets the execs it reported (the `@ex` map; a cleared key is reported again). */
export const EXEC_REPEAT_CLEAR_S = 10;

/**
 * Files created in containers that the program remembers (by device, inode and generation, so a reused
 * inode is not mistaken for the dropped file), the bpftrace map's size (BPFTRACE_MAP_KEYS_MAX, programEnv):
 * once full, later creations are not remembered until the sensor restarts. Only creations that ask for
 * an exec bit count (the open's mode, r10): every other file a container writes (logs, caches, the
 * containers of other users of the host) used to fill the map within minutes on a busy host, after which
 * no drop was seen (the attack suite's "unreliable" drop-and-execute).
 */
export const DROPPED_FILES_MAX = 16384;

/**
 * Creators whose executables the program does not remember (compared with the task's comm in the
 * kernel): linkers, compilers and package managers, whose new executables are run as a matter of course
 * (the drop-and-execute rules exempt them too; remembering them would fill the map on a build host).
 */
export const DROP_EXEMPT_WRITERS: readonly string[] = [
  'ld',
  'ld.bfd',
  'ld.gold',
  'ld.lld',
  'lld',
  'mold',
  'collect2',
  'cc',
  'gcc',
  'g++',
  'c++',
  'clang',
  'clang++',
  'go',
  'compile',
  'link',
  'rustc',
  'cargo',
  'dpkg',
  'apt',
  'apt-get',
  'rpm',
  'dnf',
  'yum',
  'apk',
  'pip',
  'pip3',
];

/**
 * Tasks whose chmod adding an exec bit is not reported (beside DROP_EXEMPT_WRITERS): archivers restoring
 * modes (the files they create with an exec bit are remembered by the openat probe already).
 */
export const CHMOD_EXEMPT_WRITERS: readonly string[] = ['tar', 'cpio', 'bsdtar'];
/** A chmod adding an exec bit counts as a drop when the file was last written (its mtime) at most this long before. */
export const CHMOD_RECENT_MS = 10 * 60_000;
/** The mode bits whose chmod the program reports (`Cx`): an exec bit (0o111) or a set-id bit (0o6000). */
const CHMOD_REPORTED_BITS = 0o111 | 0o6000;

// O_WRONLY | O_RDWR | O_CREAT | O_TRUNC
const WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;
const O_TRUNC = 0x200;
const O_CREAT = 0x40;
/** bpftrace reads at most this many bytes of a string (BPFTRACE_STRLEN). */
export const STRLEN = 128;

const HDR = '\\t%llu\\t%d\\t%d\\t%d\\t%d\\t%u\\t%llu\\t%s';
const HDR_ARGS = 'nsecs, pid, tid, curtask->real_parent->tgid, uid, curtask->nsproxy->pid_ns_for_children->ns.inum, cgroup, comm';
function emit(code: string, extraFmt: string, extraArgs: string): string {
  return `printf("${code}${HDR}${extraFmt}\\n", ${HDR_ARGS}${extraArgs ? `, ${extraArgs}` : ''});`;
}

/** A bpftrace string literal for a path prefix; rejects what the literal cannot carry. */
function lit(s: string): string {
  if (!/^[\x20-\x7e]+$/.test(s) || /["\\]/.test(s)) throw new Error(`path not usable in a probe filter: ${JSON.stringify(s)}`);
  return `"${s}"`;
}

/**
 * Little-endian 64-bit words of `s` (as the probe reads a string eight bytes at a time), each with
 * the mask of the bytes `s` fills: word k holds bytes 8k..8k+7.
 */
export function stringWords(s: string): Array<{ value: bigint; mask: bigint }> {
  const b = Buffer.from(s, 'latin1');
  const out: Array<{ value: bigint; mask: bigint }> = [];
  for (let k = 0; k * 8 < b.length; k++) {
    let value = 0n;
    let mask = 0n;
    for (let i = 0; i < 8 && k * 8 + i < b.length; i++) {
      value |= BigInt(b[k * 8 + i]!) << BigInt(8 * i);
      mask |= 0xffn << BigInt(8 * i);
    }
    out.push({ value, mask });
  }
  return out;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** A test that the bytes in words `$<v>0`, `$<v>1`, ... start with `s` (integer compares: no string copy, no stack per literal). */
function wordsTest(v: string, s: string): string {
  return stringWords(s)
    .map((w, k) => (w.mask === 0xffffffffffffffffn ? `$${v}${k} == ${hex(w.value)}` : `($${v}${k} & ${hex(w.mask)}) == ${hex(w.value)}`))
    .join(' && ');
}

function usable(s: string): string {
  lit(s);
  return s;
}

/** Path prefixes as the probe compares them: at most STRLEN - 1 bytes, deduplicated, non-empty. */
function cutPrefixes(prefixes: readonly string[]): string[] {
  return [...new Set(prefixes.map((p) => usable(p).slice(0, STRLEN - 1)))].filter((p) => p.length > 0);
}

/** Any of `prefixes` is a prefix of the path in words `$u0`, `$u1`, ... */
function pathPrefixTest(prefixes: readonly string[]): string {
  return prefixes.length ? prefixes.map((p) => `(${wordsTest('u', p)})`).join(' || ') : '0';
}

/** The file name in words `$n0`, `$n1`, ... (its length in `$nl`) is one of `names` or starts with one of `prefixes`. */
function nameTest(names: readonly string[], prefixes: readonly string[] = []): string {
  const t = [
    ...names.map((n) => `($nl == ${Buffer.byteLength(n)} && ${wordsTest('n', usable(n))})`),
    ...prefixes.map((n) => `($nl >= ${Buffer.byteLength(n)} && ${wordsTest('n', usable(n))})`),
  ];
  return t.length ? t.join(' || ') : '0';
}

/**
 * x86_64 task_pt_regs(): the syscall's saved user registers sit at the top of the task's kernel
 * stack (THREAD_SIZE 16 KiB, struct pt_regs 168 bytes, no padding on x86_64). The exit probe reads
 * the call's arguments there (rdi dfd, rsi filename, rdx flags), so no entry probe and no per-thread
 * map are needed; orig_ax (the syscall number) guards the layout.
 */
const PT_REGS = '(struct pt_regs *)((uint64)curtask->stack + 16216)';
const NR_OPENAT = 257;
const NR_OPENAT2 = 437;
/** Set in the open filter's mark (`@rep[tid]`), above the flags it carries to the reporting probe. */
const REP_MARK = '0x10000000000';
/** ... and this bit when the call was openat2 (the `O` line prints the mark as its flags: Node keeps the low 32 bits). */
const REP_OPENAT2 = '0x20000000000';
/** `file->f_mode` bit the kernel sets when this open created the file (Linux >= 4.19): a shell's `> new.log` truncates nothing. */
const FMODE_CREATED = 0x100000;

/** Words of a user string at `$p`, read aligned (an aligned word never crosses a page, so a string that ends at a mapping's end reads whole), then shifted into `$u0..`. */
function userWords(count: number): { head: string; rest: string } {
  const read = (j: number) => `$w${j} = *(uint64 *)uptr($a + ${8 * j});`;
  const join = (k: number) => `$u${k} = ($w${k} >> $sh) | (($w${k + 1} << (63 - $sh)) << 1);`;
  const head = `$a = $p & ~(uint64)7; $sh = ($p & 7) * 8; ${read(0)} ${read(1)} ${join(0)}`;
  const rest: string[] = [];
  for (let k = 1; k < count; k++) rest.push(`${read(k + 1)} ${join(k)}`);
  return { head, rest: rest.join(' ') };
}

/** How many directories the write test walks up from an opened file towards its filesystem's root. */
export const TOP_WALK_DEPTH = 10;

/**
 * The first two components of each protected prefix (`/usr/bin/x` -> usr, bin; `/etc/` -> etc): what
 * the kernel compares, by the first eight bytes and the length of a name, with the top directories of
 * an opened file on its filesystem. A longer component is compared by its first eight bytes.
 */
export function topComponents(prefixes: readonly string[]): Array<[string, string | undefined]> {
  const out = new Map<string, [string, string | undefined]>();
  for (const p of prefixes) {
    const parts = p.split('/').filter(Boolean);
    if (!parts[0]) continue;
    // A last component without its slash ("/var/spool/cron") is a name prefix: only complete ones narrow the test.
    const complete = p.endsWith('/') ? parts : parts.slice(0, -1);
    const key: [string, string | undefined] = [parts[0], complete.length >= 2 ? parts[1] : undefined];
    if (complete.length === 0) continue;
    out.set(key.join('/'), key);
  }
  // A one-component entry covers every two-component one below it.
  return [...out.values()].filter(([a, b]) => b === undefined || !out.has(`${a}/`));
}

/** A test that the name in word `$<v>` (length `$<v>l`, first eight bytes) is `name`. */
function shortNameTest(v: string, name: string): string {
  const w = stringWords(usable(name.slice(0, 8)))[0]!;
  const len = Buffer.byteLength(name);
  return `$${v}l ${len > 8 ? '>=' : '=='} ${len} && ($${v} & ${hex(w.mask)}) == ${hex(w.value)}`;
}

/**
 * Walks from the opened file's dentry (`$d`) up to its filesystem's root (at most TOP_WALK_DEPTH
 * levels), whatever path, cwd, dirfd or mount led there, and tests its two top directories against
 * topComponents(): a write below /etc is seen through `cd /etc`, a dirfd, `..` or a bind mount of the
 * host's root. Sets `$m` on a match (Node places the path, the rules decide).
 */
function topDirTest(prefixes: readonly string[]): string {
  const tops = topComponents(prefixes);
  if (!tops.length) return '';
  const step = '$t3 = $t2; $t2 = $t1; $t1 = $t1->d_parent;';
  const walk = Array.from({ length: TOP_WALK_DEPTH }, () => `if ($t1 != $t1->d_parent) { ${step} } `).join('');
  const test = tops.map(([a, b]) => `(${shortNameTest('a', a)}${b ? ` && ${shortNameTest('b', b)}` : ''})`).join(' || ');
  return (
    `$t1 = $d; $t2 = $d; $t3 = $d; ${walk}` +
    `if ($t1 == $t1->d_parent && $t2 != $t1) { $al = $t2->d_name.len; $a = *(uint64 *)kptr($t2->d_name.name); $bl = (uint32)0; $b = (uint64)0; ` +
    `if ($t3 != $t2) { $bl = $t3->d_name.len; $b = *(uint64 *)kptr($t3->d_name.name); } if (${test}) { $m = 1; } } `
  );
}

/** Words of the opened file's name (kernel memory, `$np`, length `$nl`), read only as far as the name goes. */
function nameWords(count: number): string {
  const out = ['$n0 = *(uint64 *)kptr($np);'];
  for (let k = 1; k < count; k++) out.push(`$n${k} = (uint64)0; if ($nl > ${8 * k}) { $n${k} = *(uint64 *)kptr($np + ${8 * k}); }`);
  return out.join(' ');
}

const maxWords = (xs: readonly string[]) => Math.max(1, ...xs.map((x) => Math.ceil(Buffer.byteLength(x) / 8)));

/** Bytes of a directory name the probes print as words (`$k0..`, `$q0..`: four words each). */
export const DIR_NAME_MAX = 16;

/**
 * Where a directory is, as the kernel sees it, for paths a process gives relative to it (its cwd, or
 * the directory of the file it opened): `$dep` is 0 when the directory is the process's root, 1 or 2
 * when it is one or two levels below it (names in `$k0..$k3`, the directory's own, and `$q0..$q3`, its
 * parent's, as little-endian words up to a NUL), 9 when it is deeper, on another mount than the
 * process's root, or a name is longer than DIR_NAME_MAX; 10, 11 or 12 when the directory is on another
 * mount and zero, one or two levels below its filesystem's root (a bind mount: Node names the file by
 * its filesystem path when that filesystem is the host root's, see dirChainPath()). Integers only: a string would not fit in the
 * probe's 512-byte stack beside the path. Node rebuilds the path (dirChainPath()) without /proc, so
 * a process that has exited by then (`cd /etc; cat shadow`, `rm job`) is still placed.
 */
function dirChain(dentry: string, mnt: string): string {
  const words = (v: string, base: string) => Array.from({ length: DIR_NAME_MAX / 8 }, (_, k) => `$${v}${k} = *(uint64 *)kptr(${base} + ${8 * k});`).join(' ');
  return (
    `$cd = ${dentry}; $cg = $cd->d_parent; $mr = (uint64)${mnt}->mnt_root; $dep = 9; ` +
    `if ((uint64)${mnt} == (uint64)curtask->fs->root.mnt) { if ((uint64)$cd == $mr) { $dep = 0; } else { if ((uint64)$cg == $mr) { $dep = 1; } else { if ((uint64)$cg->d_parent == $mr) { $dep = 2; } } } } ` +
    `else { $mr = (uint64)$cd->d_sb->s_root; if ((uint64)$cd == $mr) { $dep = 10; } else { if ((uint64)$cg == $mr) { $dep = 11; } else { if ((uint64)$cg->d_parent == $mr) { $dep = 12; } } } } ` +
    `if ($cd->d_name.len > ${DIR_NAME_MAX} || $cg->d_name.len > ${DIR_NAME_MAX}) { $dep = 9; } ` +
    `$ka = (uint64)$cd->d_name.name; ${words('k', '$ka')} $qa = (uint64)$cg->d_name.name; ${words('q', '$qa')}`
  );
}
/** Directory levels a full chain (fullChain()) prints: deeper directories are not placed by the kernel. */
export const CHAIN_MAX_LEVELS = 24;
/** Mount boundaries a full chain crosses (a cwd under /tmp on a tmpfs, a volume in a container). */
export const CHAIN_MAX_MOUNTS = 4;
/** Longest directory name a full chain carries (bytes): bpftrace's str() reads STRLEN bytes with the NUL. */
export const CHAIN_NAME_MAX = STRLEN - 1;
/**
 * Offset of `struct vfsmount mnt` in the kernel's `struct mount` (after `mnt_hash`, `mnt_parent` and
 * `mnt_mountpoint` on 64-bit kernels). bpftrace 0.17 has no offsetof(): every crossing checks it (the
 * `struct mount` found must hold the same mount root), and a chain that fails the check is not placed.
 */
const MOUNT_VFSMOUNT_OFFSET = 32;

/**
 * The whole chain of a directory, as the kernel sees it, for a path a process gave relative to it
 * (exec of `./tool` in the cwd, a hard link's names): one `Pn` record per level from the directory up
 * (`Pn`, tid, the name's length, the name), up to the process's root (its `fs->root`: a container's
 * root for a container process), crossing up to CHAIN_MAX_MOUNTS mount boundaries (to the mountpoint in
 * the parent mount), then `Pe` (tid, the number of levels printed, or -1 when the chain was not
 * complete: deeper than CHAIN_MAX_LEVELS, outside the process's root, a mount the check refused).
 * A name longer than CHAIN_NAME_MAX is printed cut (its length tells Node). Node joins them (the
 * Normaliser's chains by tid); every record of one probe run is on one CPU, so they arrive in order
 * before the record that uses them. Each printf is a stack slot of its own lifetime: the chain's depth
 * is bounded by the program's size (one printf per level, `unroll`ed: bpftrace allows up to 100), not by
 * the 512-byte BPF stack. The program's text stays small (it goes to bpftrace as one argument, at most
 * 128 KiB: program.test.ts checks it).
 */
function fullChain(dentry: string, mnt: string): string {
  const step =
    `if ($po == 1) { if ((uint64)$pd == $rd && (uint64)$pm == $rm) { $po = 0; } ` +
    `else { if ((uint64)$pd == (uint64)$pm->mnt_root) { $mo = (struct mount *)((uint64)$pm - ${MOUNT_VFSMOUNT_OFFSET}); ` +
    `if ($px >= ${CHAIN_MAX_MOUNTS} || (uint64)$mo->mnt_parent == (uint64)$mo || (uint64)$mo->mnt.mnt_root != (uint64)$pm->mnt_root) { $po = 2; } ` +
    `else { $px = $px + 1; $pd = (struct dentry *)$mo->mnt_mountpoint; $pm = (struct vfsmount *)((uint64)$mo->mnt_parent + ${MOUNT_VFSMOUNT_OFFSET}); } } ` +
    `else { if ($pl >= ${CHAIN_MAX_LEVELS}) { $po = 3; } else { printf("Pn\\t%d\\t%d\\t%s\\n", tid, $pd->d_name.len, str($pd->d_name.name)); $pl = $pl + 1; $pd = $pd->d_parent; } } } } `;
  return (
    `$pd = (struct dentry *)(${dentry}); $pm = (struct vfsmount *)(${mnt}); $rd = (uint64)curtask->fs->root.dentry; $rm = (uint64)curtask->fs->root.mnt; $pl = 0; $px = 0; $po = 1; ` +
    `unroll(${CHAIN_MAX_LEVELS + CHAIN_MAX_MOUNTS + 1}) { ${step}} ` +
    `if ($po != 0) { $pl = -1; } printf("Pe\\t%d\\t%d\\n", tid, $pl);`
  );
}

/** The printf format and arguments of dirChain()'s fields. */
const DIR_FMT = '\\t%d' + '\\t%llx'.repeat((2 * DIR_NAME_MAX) / 8);
const DIR_ARGS = [
  '$dep',
  ...Array.from({ length: DIR_NAME_MAX / 8 }, (_, k) => `$k${k}`),
  ...Array.from({ length: DIR_NAME_MAX / 8 }, (_, k) => `$q${k}`),
].join(', ');

/** The kernel has this syscalls tracepoint (tracefs at its usual mount points). */
function hasTracepoint(name: string): boolean {
  return ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].some((t) => existsSync(`${t}/events/syscalls/${name}`));
}

/** How often the program prints the exits it collected (ms). */
export const EXIT_BATCH_MS = 200;

/**
 * Kinds of an fd as the exec line prints them (`E`, fds 0-2), numbered in the kernel from the
 * file's type: what /proc/PID/fd/N and the socket tables tell (procfs.ts fdKindOfTarget(), socketKind()).
 */
export const FD_KINDS = ['', 'file', 'pipe', 'tty', 'memfd', 'ipv4', 'ipv6', 'unix', 'socket', 'unknown', 'netlink'] as const;

/**
 * Adds the FD_KINDS index of fd `index` of the current task (0: not open) to `$fl`, at bits 4k+4..4k+7.
 * Regular files, directories and devices other than terminals are `file` (a memfd, unlinked and
 * named `memfd:...`, is `memfd`); terminals are the pty slaves (majors 136-143) and the tty/console
 * majors 4 and 5. Scratch variables are shared by the three fds (each variable is a stack slot).
 */
function fdKind(index: string, k: number): string {
  return (
    `$fd = (struct file *)*($fa + ${index}); if ($fd != 0) { $in = (struct inode *)$fd->f_inode; $mo = *(uint16 *)$in & 0xf000; $k = 9; ` +
    `if ($mo == 0x8000 || $mo == 0x4000 || $mo == 0x6000) { $k = 1; if ($mo == 0x8000 && $in->i_nlink == 0) { if ((*(uint64 *)kptr($fd->f_path.dentry->d_name.name) & 0xffffffffffff) == 0x3a64666d656d) { $k = 4; } } } ` +
    `if ($mo == 0x1000) { $k = 2; } ` +
    `if ($mo == 0x2000) { $k = 1; $mo = $in->i_rdev >> 20; if (($mo >= 136 && $mo <= 143) || $mo == 4 || $mo == 5) { $k = 3; } } ` +
    `if ($mo == 0xc000) { $mo = ((struct socket *)$fd->private_data)->sk->__sk_common.skc_family; $k = 8; if ($mo == 2) { $k = 5; } if ($mo == 10) { $k = 6; } if ($mo == 1) { $k = 7; } if ($mo == 16) { $k = 10; } } ` +
    `$fl = $fl | ($k << ${4 * k + 4}); }`
  );
}

/**
 * Longest argv the exec probe reads from the new program's stack (bytes, NUL-separated): bpftrace caps a
 * `buf()` at BPFTRACE_MAX_STRLEN. A longer one is flagged, and Node reads /proc/PID/cmdline while the
 * process lives.
 */
export const ARGV_BYTES = STRLEN;

/**
 * What makes two execs identical for the kernel's burst aggregation: everything the `Ea` and `E` lines
 * carry except the pid and time (so every rule field, the process tree's parent and the malware
 * scanner's executable identity are the same): parent pid, uid, gid, login uid, tty, kinds of fds 0-2,
 * pid namespace, cgroups (v2 and v1), the executable (device, inode, size, mtime) and the filename
 * the exec was given, and the whole argv (hashed eight bytes at a time, 64-bit). Never aggregated: an
 * exec whose argv is longer than ARGV_BYTES, of a file without a link (memfd, deleted), of a file a
 * container dropped (`Dx`), or the first of a cgroup (`Cg`: its key is new).
 */
export const EXEC_REPEAT_KEY = [
  'ppid',
  'uid',
  'gid',
  'loginuid',
  'tty',
  'fd kinds 0-2',
  'pidns',
  'cgroup v2 id',
  'cgroup v1 id',
  'exe dev',
  'exe inode',
  'exe size',
  'exe mtime',
  'filename',
  'argv',
] as const;

/**
 * The exec probe that runs first: hashes EXEC_REPEAT_KEY and looks the exec up in `@ex` (key -> kernel
 * time it was last reported). The map's key is not the hash but the full fields themselves (the filename,
 * every integer of EXEC_REPEAT_KEY and the argv's words), so two execs that differ in any field are two
 * keys whatever their hashes: a crafted hash collision is reported, not counted. Within `windowMs` of the
 * time found, the exec is counted (`@xn0[hash]` or `@xn1`, printed with the exits every EXIT_BATCH_MS;
 * Node adds the count to the reported exec whose `E` line carried that hash) and the `Ea`/`E` probes skip
 * it (`@sk[tid]`); its exit is not recorded (`@ag[pid]`). Otherwise the time is stored and the hash goes
 * out on the `E` line (`@kh[tid]`). Two different execs of one hash both reported within the window share
 * the hash on their `E` lines: counts under it are then attributed to the first one Node saw (a count, not
 * an event, goes to the wrong twin; nothing is lost). `@ex` is cleared every EXEC_REPEAT_CLEAR_S (bounded by
 * BPFTRACE_MAP_KEYS_MAX: when full, execs of new keys are reported, never dropped). `hashMask` (tests
 * only) masks the hash, so a test can make every exec collide.
 */
function execRepeatProbe(windowMs: number, v1Id: string, dropped: boolean, hashMask?: bigint): string {
  const mix = '$h = ($h ^ $w) * 0x9e3779b97f4a7c15; $h = $h ^ ($h >> 29);';
  const word = (k: number) =>
    `if ($an > ${8 * k}) { $w = *(uint64 *)uptr($as + ${8 * k}); if ($an < ${8 * k + 8}) { $w = $w & (((uint64)1 << (uint64)(($an - ${8 * k}) * 8)) - 1); } ${mix} }`;
  const ints = [
    'curtask->real_parent->tgid',
    'uid',
    'curtask->cred->gid.val',
    'curtask->loginuid.val',
    '(uint64)curtask->signal->tty',
    '$fl',
    'curtask->nsproxy->pid_ns_for_children->ns.inum',
    'cgroup',
    v1Id,
    '$xi->i_sb->s_dev',
    '$xi->i_ino',
    '$xi->i_size',
    '$xi->i_mtime_sec',
    '$xi->i_mtime_nsec',
  ];
  // The exact key, in two maps (one key of all fields does not fit the BPF stack): `@xa` maps the
  // filename and the integers to an id unique to that entry (the time and CPU of its insertion), `@ex`
  // maps that id and the argv's words (masked past its end) to the time the exec was last reported.
  const argvWord = (k: number) =>
    `($an >= ${8 * k + 8} ? *(uint64 *)uptr($as + ${8 * k}) : ($an > ${8 * k} ? *(uint64 *)uptr($as + ${8 * k}) & (((uint64)1 << (uint64)(($an - ${8 * k}) * 8)) - 1) : (uint64)0))`;
  const fields = ['str(args->filename)', ...ints.map((x) => `(uint64)(${x})`)].join(', ');
  const argvKey = Array.from({ length: ARGV_BYTES / 8 }, (_, k) => argvWord(k)).join(', ');
  const guard = dropped ? ' && @dx[tid] == 0' : '';
  const head = `$mm = (struct mm_struct *)curtask->mm; $xi = (struct inode *)$mm->exe_file->f_inode; $as = (uint64)$mm->arg_start; $an = $mm->arg_end - $mm->arg_start;`;
  return (
    `tracepoint:sched:sched_process_exec { ${head} ` +
    `if ($an <= ${ARGV_BYTES} && $xi->i_nlink != 0${guard}) { $fl = 0; $fa = curtask->files->fdt->fd; ${[0, 1, 2].map((k) => fdKind(String(k), k)).join(' ')} ` +
    `$id = @xa[${fields}]; if ($id == 0) { $id = nsecs ^ ((uint64)(cpu + 1) << 56); @xa[${fields}] = $id; } @xk[tid] = $id; } }\n` +
    `tracepoint:sched:sched_process_exec { $id = @xk[tid]; if ($id != 0) { delete(@xk[tid]); ${head} ` +
    `$h = (uint64)0xcbf29ce484222325; $w = $id; ${mix} ` +
    `${Array.from({ length: ARGV_BYTES / 8 }, (_, k) => word(k)).join(' ')} ` +
    `${hashMask !== undefined ? `$h = ($h & ${hashMask}) | 1; ` : ''}` +
    `$t = @ex[$id, ${argvKey}]; ` +
    `if ($t != 0 && nsecs - $t < ${windowMs * 1_000_000}) { if (@xg == 0) { @xn0[$h] = count(); } else { @xn1[$h] = count(); } @sk[tid] = 1; @ag[pid] = 1; } ` +
    `else { @ex[$id, ${argvKey}] = nsecs; @kh[tid] = $h; delete(@ag[pid]); } } ` +
    `${dropped ? 'if (@dx[tid] != 0) { delete(@dx[tid]); } ' : ''}}`
  );
}

export function buildProgram(opts: ProgramOptions = {}): string {
  const sensitive = cutPrefixes(opts.sensitivePaths ?? DEFAULT_SENSITIVE_PATHS);
  const protectedP = cutPrefixes(opts.protectedPrefixes ?? DEFAULT_PROTECTED_PREFIXES);
  const truncateP = cutPrefixes(TRUNCATE_WATCHED_PREFIXES);
  const rawIds = rawSyscallIds(opts);
  const p: string[] = [];
  p.push('BEGIN { printf("R\\tready\\n"); }');
  // Exec, at sched_process_exec (the new program, after the exec succeeded): two lines per exec,
  // `Ea` (pid and argv, NUL-separated, at most ARGV_BYTES) and `E` (the rest), since each line costs
  // bpftrace far more user-space CPU (a perf-buffer wake-up, formatting, a write) than the probe costs
  // the kernel, and the BPF stack of one probe cannot hold the argv and the filename together. Before
  // them, two rare lines from probes of their own: `Cg`, a cgroup's leaf names the first time an exec
  // runs in it (the v2 leaf, and the v1 controller's where the host has one: the container id), so
  // `E` carries only the ids; and `Dx`, the creator of an executable a container dropped. `E` carries
  // what Node used to read from /proc at every exec, read in the kernel instead (a short-lived process
  // is gone from /proc by the time Node could read it): flags (bit 0: the executable has no link, a
  // memfd or deleted file; bit 1: argv longer than ARGV_BYTES; bits 4-15: the kinds of fds 0-2,
  // FD_KINDS), the real gid, the login uid, the controlling tty (as /proc/PID/stat's tty_nr), the
  // executable's identity (device, inode, size, mtime: the malware scanner's already-seen test
  // without an open), the v1 cgroup id and the filename. Same CPU, probe order: `Cg`, `Dx` and `Ea`
  // arrive before their `E`.
  const v1Css = opts.v1SubsysIndex !== undefined ? `((struct kernfs_node *)curtask->cgroups->subsys[${opts.v1SubsysIndex}]->cgroup->kn)` : undefined;
  const v1Id = v1Css ? `${v1Css}->id` : '(uint64)0';
  const v1Name = v1Css ? `str(${v1Css}->name)` : '""';
  p.push(
    `tracepoint:sched:sched_process_exec { $v1 = ${v1Id}; if (@cg[cgroup, $v1] == 0) { @cg[cgroup, $v1] = 1; ${emit('Cg', '\\t%llu\\t%s\\t%s', `$v1, ${v1Name}, str(((struct kernfs_node *)curtask->cgroups->dfl_cgrp->kn)->name)`)} } }`,
  );
  if (opts.hostPidns !== undefined)
    p.push(
      `tracepoint:sched:sched_process_exec { $xi = curtask->mm->exe_file->f_inode; $w = @wr[$xi->i_ino, $xi->i_sb->s_dev, $xi->i_generation]; ` +
        `if ($w == "" && curtask->nsproxy->pid_ns_for_children->ns.inum == ${Math.trunc(opts.hostPidns)}) { $w = @wh[$xi->i_ino, $xi->i_sb->s_dev, $xi->i_generation]; } ` +
        `if ($w != "") { @dx[tid] = 1; ${emit('Dx', '\\t%s', '$w')} } }`,
    );
  const window = Math.max(0, Math.trunc(opts.execRepeatWindowMs ?? EXEC_REPEAT_WINDOW_MS));
  if (window > 0) p.push(execRepeatProbe(window, v1Id, opts.hostPidns !== undefined, opts.execRepeatHashMask));
  const reported = window > 0 ? ' /@sk[tid] == 0/' : '';
  p.push(
    `tracepoint:sched:sched_process_exec${reported} { $mm = curtask->mm; $an = $mm->arg_end - $mm->arg_start; if ($an > ${ARGV_BYTES}) { $an = ${ARGV_BYTES}; } printf("Ea\\t%d\\t%r\\n", pid, buf(uptr($mm->arg_start), $an)); }`,
  );
  // An exec of a relative name (`./tool`, `bin/x`): the chain of the cwd the kernel resolved it in
  // (fullChain()), before its `E`, so Node places it exactly whether or not the process, or its parent,
  // is still there to read (a `cd dir && ./x`, `make -C dir` after the parent's exec).
  p.push(
    `tracepoint:sched:sched_process_exec /${window > 0 ? '@sk[tid] == 0 && ' : ''}strncmp(str(args->filename, 2), "/", 1) != 0/ { ${fullChain('curtask->fs->pwd.dentry', 'curtask->fs->pwd.mnt')} }`,
  );
  p.push(
    `tracepoint:sched:sched_process_exec${reported} { $mm = (struct mm_struct *)curtask->mm; $xi = (struct inode *)$mm->exe_file->f_inode; $fl = 0; if ($xi->i_nlink == 0) { $fl = 1; } if ($mm->arg_end - $mm->arg_start > ${ARGV_BYTES}) { $fl = $fl | 2; } ` +
      `$tty = 0; $ty = (struct tty_struct *)curtask->signal->tty; if ($ty != 0) { $td = (struct tty_driver *)$ty->driver; $k = (uint64)$td->major; $mo = (uint64)($td->minor_start + $ty->index); $tty = ($mo & 0xff) | ($k << 8) | (($mo & ~0xff) << 12); } ` +
      `$fa = curtask->files->fdt->fd; ${[0, 1, 2].map((k) => fdKind(String(k), k)).join(' ')} ` +
      `${emit('E', '\\t%llu\\t%u\\t%u\\t%llu\\t%u\\t%lu\\t%lld\\t%lld\\t%llu\\t%lld\\t%s\\t%s', `$fl, curtask->cred->gid.val, curtask->loginuid.val, $tty, $xi->i_sb->s_dev, $xi->i_ino, $xi->i_size, $xi->i_mtime_sec, ${v1Id}, ${window > 0 ? '@kh[tid]' : '0'}, curtask->real_parent->comm, str(args->filename)`)} }`,
  );
  if (window > 0) {
    p.push('tracepoint:sched:sched_process_exec /@sk[tid] != 0/ { delete(@sk[tid]); }');
    p.push('tracepoint:sched:sched_process_exec /@kh[tid] != 0/ { delete(@kh[tid]); }');
  }
  // Exits (of processes, not threads) are not printed one by one: the pid and time go into a map
  // that is printed and cleared every EXIT_BATCH_MS (one record for hundreds of exits). Exits only
  // let Node forget what it cached about a process; one that lands between the print and the clear
  // is not reported (Node's caches are bounded anyway).
  // The exit of a process whose exec was aggregated is not recorded either (Node never heard of it).
  if (window > 0) {
    p.push('tracepoint:sched:sched_process_exit /pid == tid/ { if (@ag[pid] != 0) { delete(@ag[pid]); } else { @q[pid] = nsecs; } }');
    // Two count maps, swapped at each print: the one printed and cleared is no longer written (a
    // count added between bpftrace's print and clear of one map would be lost).
    p.push(
      `interval:ms:${EXIT_BATCH_MS} { print(@q); clear(@q); if (@xg == 0) { @xg = 1; print(@xn0); clear(@xn0); } else { @xg = 0; print(@xn1); clear(@xn1); } }`,
    );
    p.push(`interval:s:${EXEC_REPEAT_CLEAR_S} { clear(@xa); clear(@ex); }`);
  } else {
    p.push('tracepoint:sched:sched_process_exit /pid == tid/ { @q[pid] = nsecs; }');
    p.push(`interval:ms:${EXIT_BATCH_MS} { print(@q); clear(@q); }`);
  }
  // openat: one exit probe, filtering in the kernel on integers. The call's arguments come from the
  // saved registers (PT_REGS); the path the process gave is compared eight bytes at a time against
  // the sensitive, protected (write intent) and truncate-watched prefixes, only when it is absolute;
  // then the opened file itself: its (device, inode) against the sensitive files (hard links, bind
  // mounts, other mount namespaces) and its name, by length and words, against the sensitive and
  // write-watched names (any path that reaches it: relative, `..`, `//`). Only a match copies the
  // path string and prints. Files created (O_CREAT) with an exec bit in their mode by any process
  // but a compiler or package manager (DROP_EXEMPT_WRITERS) are remembered for the exec probe.
  const words = userWords(maxWords([...sensitive, ...protectedP, ...truncateP]));
  // openat2 (Linux 5.6+) shares both probes: its flags are the first field (u64) of its struct open_how.
  const openExits = `tracepoint:syscalls:sys_exit_openat${(opts.openat2 ?? hasTracepoint('sys_exit_openat2')) ? ',tracepoint:syscalls:sys_exit_openat2' : ''}`;
  const openFlags = `$fg = $r->dx; if ($r->orig_ax == ${NR_OPENAT2}) { $fg = *uptr((uint64 *)$r->dx); }`;
  const inodes = (opts.sensitiveInodes ?? []).slice(0, 32);
  const inodeTest = inodes.length ? inodes.map((x) => `($ino == ${x.ino} && $dev == ${x.dev})`).join(' || ') : '0';
  const allNames = [...SENSITIVE_BASENAMES, ...SENSITIVE_NAME_PREFIXES, ...WRITE_WATCHED_BASENAMES];
  const remember =
    opts.hostPidns !== undefined
      ? ` if (($fg & ${O_CREAT}) != 0 && ($r->r10 & 73) != 0) { if (!(${DROP_EXEMPT_WRITERS.map((c) => `comm == ${lit(c)}`).join(' || ')})) { ` +
        `if (curtask->nsproxy->pid_ns_for_children->ns.inum != ${Math.trunc(opts.hostPidns)}) { @wr[$ino, $dev, $in->i_generation] = comm; } else { @wh[$ino, $dev, $in->i_generation] = comm; } } }`
      : '';
  p.push(
    `${openExits} { $r = ${PT_REGS}; if ($r->orig_ax == ${NR_OPENAT} || $r->orig_ax == ${NR_OPENAT2}) { $p = uptr($r->si); ${openFlags} $m = 0; ` +
      `${words.head} if (($u0 & 0xff) == 0x2f) { ${words.rest} ` +
      `if (${pathPrefixTest(sensitive)}) { $m = 1; } ` +
      `if (($fg & ${WRITE_FLAGS}) != 0) { if (${pathPrefixTest(protectedP)}) { $m = 1; } } ` +
      `if (($fg & ${O_TRUNC}) != 0) { if (${pathPrefixTest(truncateP)}) { $m = 1; } } } ` +
      `$ino = (uint64)0; $dev = (uint64)0; if (args->ret >= 0) { $fl = *(curtask->files->fdt->fd + args->ret); $in = $fl->f_inode; $ino = $in->i_ino; $dev = $in->i_sb->s_dev; ` +
      `if (${inodeTest}) { $m = 1; } ` +
      `$d = $fl->f_path.dentry; $nl = $d->d_name.len; $np = (uint64)$d->d_name.name; ${nameWords(maxWords(allNames))} ` +
      `if (${nameTest(SENSITIVE_BASENAMES, SENSITIVE_NAME_PREFIXES)}) { $m = 1; } ` +
      `if (($fg & ${WRITE_FLAGS}) != 0 && (${nameTest(WRITE_WATCHED_BASENAMES)})) { $m = 1; }${remember} ` +
      `if ($m == 0 && ($fg & ${WRITE_FLAGS}) != 0) { ${topDirTest(protectedP)}} } ` +
      `if ($m != 0) { @rep[tid] = ($fg & 0xffffffff) | ${REP_MARK}; if ($r->orig_ax == ${NR_OPENAT2}) { @rep[tid] = ($fg & 0xffffffff) | ${REP_MARK} | ${REP_OPENAT2}; } } } }`,
  );
  // The reporting probe, apart (the BPF stack of one probe cannot hold the filters, the path string
  // and the directory chain): runs the map lookup on every openat, the rest on reported ones only.
  // A relative path is placed by the opened file's directory chain (dirChain()); a file on another
  // mount (a bind mount of the host's root, of /etc) by its place on its filesystem. `$cr` says
  // whether this open created the file (FMODE_CREATED), so O_TRUNC on a new file is not a truncation.
  // The flags are the filter's mark (its flags, REP_MARK, REP_OPENAT2 for openat2): the BPF stack of
  // this probe has no room to read an openat2 call's struct open_how again.
  p.push(
    `${openExits} /@rep[tid] != 0/ { $r = ${PT_REGS}; $p = uptr($r->si); $u0 = *(uint8 *)$p; $ino = (uint64)0; $dev = (uint64)0; $cr = (uint64)0; ` +
      `$dep = 9; ${Array.from({ length: DIR_NAME_MAX / 8 }, (_, k) => `$k${k} = (uint64)0; $q${k} = (uint64)0;`).join(' ')} ` +
      `if (args->ret >= 0) { $fl = *(curtask->files->fdt->fd + args->ret); $ino = $fl->f_inode->i_ino; $dev = $fl->f_inode->i_sb->s_dev; if (($fl->f_mode & ${FMODE_CREATED}) != 0) { $cr = 1; } ` +
      `${dirChain('$fl->f_path.dentry->d_parent', '$fl->f_path.mnt')} } ` +
      `${emit('O', `\\t%d\\t%lu\\t%d\\t%lu\\t%lu\\t%lu${DIR_FMT}\\t%s`, `args->ret, @rep[tid], (int32)$r->di, $ino, $dev, $cr, ${DIR_ARGS}, str($p)`)} delete(@rep[tid]); }`,
  );
  // Socket addresses: AF_INET and AF_INET6 decoded in the probe, ports in host order.
  const sa4 = (ptr: string, code: string, fdExpr: string) =>
    `$sa = (struct sockaddr_in *)${ptr}; if ($sa->sin_family == 2) { ${emit(code, '\\t%d\\t4\\t%s\\t%d', `${fdExpr}, ntop(2, $sa->sin_addr.s_addr), ($sa->sin_port >> 8) | (($sa->sin_port & 0xff) << 8)`)} } ` +
    `if ($sa->sin_family == 10) { $s6 = (struct sockaddr_in6 *)${ptr}; ${emit(code, '\\t%d\\t6\\t%s\\t%d', `${fdExpr}, ntop(10, $s6->sin6_addr.in6_u.u6_addr8), ($s6->sin6_port >> 8) | (($s6->sin6_port & 0xff) << 8)`)} }`;
  p.push(`tracepoint:syscalls:sys_enter_connect { ${sa4('args->uservaddr', 'C', 'args->fd')} }`);
  // Unix sockets (the runtime's docker.sock): the path, or an abstract name after its leading NUL.
  p.push(
    `tracepoint:syscalls:sys_enter_connect { $su = (struct sockaddr_un *)args->uservaddr; if ($su->sun_family == 1) { ${emit('Cu', '\\t%d\\t%s', 'args->fd, $su->sun_path')} } }`,
  );
  // AF_PACKET sockets (raw sniffing and spoofing).
  p.push(`tracepoint:syscalls:sys_enter_socket /args->family == 17/ { ${emit('So', '\\t%d\\t%d', 'args->family, args->type')} }`);
  p.push('tracepoint:syscalls:sys_enter_accept4 { @acc[tid] = args->upeer_sockaddr; }');
  p.push(`tracepoint:syscalls:sys_exit_accept4 /@acc[tid] != 0/ { if (args->ret >= 0) { ${sa4('@acc[tid]', 'K', 'args->ret')} } delete(@acc[tid]); }`);
  // dup2/dup3 onto a standard stream, with the kind of the file duplicated (FD_KINDS, read in the
  // kernel: shell redirections are frequent, and telling a socket from a file in /proc costs Node a
  // read of up to five socket tables).
  const dupKind = `$fl = 0; $fa = curtask->files->fdt->fd; if ((uint64)args->oldfd < (uint64)curtask->files->fdt->max_fds) { ${fdKind('args->oldfd', 0)} } $fl = $fl >> 4;`;
  p.push(`tracepoint:syscalls:sys_enter_dup2 /args->newfd <= 2/ { ${dupKind} ${emit('D', '\\t%d\\t%d\\t%d', 'args->oldfd, args->newfd, $fl')} }`);
  p.push(`tracepoint:syscalls:sys_enter_dup3 /args->newfd <= 2/ { ${dupKind} ${emit('D', '\\t%d\\t%d\\t%d', 'args->oldfd, args->newfd, $fl')} }`);
  p.push(`tracepoint:syscalls:sys_enter_ptrace { ${emit('P', '\\t%d\\t%d', 'args->request, args->pid')} }`);
  p.push(`tracepoint:syscalls:sys_enter_setns { ${emit('S', '\\t%d\\t%d', 'args->fd, args->flags')} }`);
  p.push(`tracepoint:syscalls:sys_enter_unshare { ${emit('U', '\\t%d', 'args->unshare_flags')} }`);
  p.push(`tracepoint:syscalls:sys_enter_mount { ${emit('M', '\\t%d\\t%s\\t%s', 'args->flags, str(args->type, 32), str(args->dir_name)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_open_by_handle_at { ${emit('H', '\\t%d\\t%d', 'args->mountdirfd, args->flags')} }`);
  p.push(`tracepoint:syscalls:sys_enter_reboot { ${emit('B', '\\t%d', 'args->cmd')} }`);
  p.push(`tracepoint:syscalls:sys_enter_bpf { ${emit('Y', '\\t%d', 'args->cmd')} }`);
  // setuid and friends: the result on exit, with the uid the caller had before (a successful setuid(0) is uid 0 on exit).
  p.push('tracepoint:syscalls:sys_enter_setuid { @su[tid] = args->uid; @so[tid] = uid + 1; }');
  p.push(
    `tracepoint:syscalls:sys_exit_setuid /@so[tid] != 0/ { ${emit('I', '\\t%d\\t%d\\t%d', '@su[tid], args->ret, @so[tid] - 1')} delete(@su[tid]); delete(@so[tid]); }`,
  );
  p.push('tracepoint:syscalls:sys_enter_setreuid { @sr[tid] = args->ruid; @se[tid] = args->euid; @so[tid] = uid + 1; }');
  p.push(
    `tracepoint:syscalls:sys_exit_setreuid /@so[tid] != 0/ { ${emit('W', '\\t%d\\t%d\\t%d\\t%d', '@sr[tid], @se[tid], args->ret, @so[tid] - 1')} delete(@sr[tid]); delete(@se[tid]); delete(@so[tid]); }`,
  );
  p.push('tracepoint:syscalls:sys_enter_setresuid { @sr[tid] = args->ruid; @se[tid] = args->euid; @so[tid] = uid + 1; }');
  p.push(
    `tracepoint:syscalls:sys_exit_setresuid /@so[tid] != 0/ { ${emit('V', '\\t%d\\t%d\\t%d\\t%d', '@sr[tid], @se[tid], args->ret, @so[tid] - 1')} delete(@sr[tid]); delete(@se[tid]); delete(@so[tid]); }`,
  );
  p.push(`tracepoint:syscalls:sys_enter_setgid { ${emit('G', '\\t%d', 'args->gid')} }`);
  p.push(`tracepoint:syscalls:sys_enter_capset { ${emit('J', '', '')} }`);
  p.push(`tracepoint:syscalls:sys_enter_memfd_create { ${emit('Z', '\\t%d\\t%s', 'args->flags, str(args->uname, 64)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_renameat2 { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_rename { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_renameat { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  // unlinkat: a relative name under the cwd is placed by the cwd's directory chain (dirChain()).
  p.push(
    `tracepoint:syscalls:sys_enter_unlinkat { ${dirChain('curtask->fs->pwd.dentry', 'curtask->fs->pwd.mnt')} ${emit('L', `\\t%d\\t%d${DIR_FMT}\\t%s`, `args->flag, args->dfd, ${DIR_ARGS}, str(args->pathname)`)} }`,
  );
  // Symlinks and hard links (to sensitive files, over shell histories): target, then the new name.
  p.push(`tracepoint:syscalls:sys_enter_symlinkat { ${emit('Sy', '\\t%d\\t%s\\x1f%s', 'args->newdfd, str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_symlink { ${emit('Sy', '\\t-100\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  // Hard links: both names, relative to their dirfds, each placed by its directory's full chain
  // (fullChain(): the dirfd's directory, or the cwd for AT_FDCWD, printed before the record), so a
  // short-lived `ln` in `cd /etc` or a linkat on dirfds is placed without /proc, however deep the
  // directory. Two records (one probe's stack cannot hold both names beside the chain's): `Lo` (old
  // dirfd, old name), then `Lk` (new dirfd, new name), in that order (same CPU, probe order), each
  // after its chain.
  const atDir = (dfd: string) =>
    `$dd = curtask->fs->pwd.dentry; $dm = curtask->fs->pwd.mnt; if (${dfd} >= 0 && (uint64)${dfd} < (uint64)curtask->files->fdt->max_fds) { $df = *(curtask->files->fdt->fd + ${dfd}); if ($df != 0) { $dd = $df->f_path.dentry; $dm = $df->f_path.mnt; } }`;
  p.push(
    `tracepoint:syscalls:sys_enter_linkat { ${atDir('args->olddfd')} ${fullChain('$dd', '$dm')} ${emit('Lo', '\\t%d\\t%s', 'args->olddfd, str(args->oldname)')} }`,
  );
  p.push(
    `tracepoint:syscalls:sys_enter_linkat { ${atDir('args->newdfd')} ${fullChain('$dd', '$dm')} ${emit('Lk', '\\t%d\\t%s', 'args->newdfd, str(args->newname)')} }`,
  );
  const cwdFull = fullChain('curtask->fs->pwd.dentry', 'curtask->fs->pwd.mnt');
  p.push(`tracepoint:syscalls:sys_enter_link { ${cwdFull} ${emit('Lo', '\\t-100\\t%s', 'str(args->oldname)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_link { ${cwdFull} ${emit('Lk', '\\t-100\\t%s', 'str(args->newname)')} }`);
  // chmod adding an exec bit (drop, then `chmod +x`, then run) or a set-id bit: chmod, fchmodat, fchmodat2
  // and fchmod with a mode that has one of those bits (CHMOD_REPORTED_BITS), by a task that is not a compiler,
  // linker or package manager
  // (DROP_EXEMPT_WRITERS, CHMOD_EXEMPT_WRITERS). `Cx` carries the dirfd (fchmod: the fd, its file's
  // inode and device), the mode, the chain of the directory the path is relative to (dirChain(): the
  // cwd, the dirfd's directory, or fchmod's file's parent) and the path (fchmod: the file's name). Node
  // decides whether the file is new (created less than CHMOD_RECENT_MS before) and names the chmod's
  // process as its writer at its exec; a set-id bit the file now has becomes a chmod event for the rules.
  const chmodExempt = [...DROP_EXEMPT_WRITERS, ...CHMOD_EXEMPT_WRITERS].map((c) => `comm != ${lit(c)}`).join(' && ');
  const cxFmt = `\\t%d\\t%d\\t%lu\\t%lu${DIR_FMT}\\t%s`;
  p.push(
    `tracepoint:syscalls:sys_enter_chmod /(args->mode & ${CHMOD_REPORTED_BITS}) != 0/ { if (${chmodExempt}) { ${atDir('-100')} ${dirChain('$dd', '$dm')} ${emit('Cx', cxFmt, `-100, args->mode, (uint64)0, (uint64)0, ${DIR_ARGS}, str(args->filename)`)} } }`,
  );
  for (const tp of ['fchmodat', ...((opts.chmodat2 ?? hasTracepoint('sys_enter_fchmodat2')) ? ['fchmodat2'] : [])])
    p.push(
      `tracepoint:syscalls:sys_enter_${tp} /(args->mode & ${CHMOD_REPORTED_BITS}) != 0/ { if (${chmodExempt}) { ${atDir('args->dfd')} ${dirChain('$dd', '$dm')} ${emit('Cx', cxFmt, `args->dfd, args->mode, (uint64)0, (uint64)0, ${DIR_ARGS}, str(args->filename)`)} } }`,
    );
  p.push(
    `tracepoint:syscalls:sys_enter_fchmod /(args->mode & ${CHMOD_REPORTED_BITS}) != 0/ { if (${chmodExempt} && (uint64)args->fd < (uint64)curtask->files->fdt->max_fds) { $cf = *(curtask->files->fdt->fd + args->fd); if ($cf != 0) { ` +
      `${dirChain('$cf->f_path.dentry->d_parent', '$cf->f_path.mnt')} ${emit('Cx', cxFmt, `args->fd, args->mode, $cf->f_inode->i_ino, $cf->f_inode->i_sb->s_dev, ${DIR_ARGS}, str($cf->f_path.dentry->d_name.name)`)} } } }`,
  );
  // The rest of the high-risk syscalls (HIGH_RISK_SYSCALLS) that have a tracepoint of their own.
  p.push(`tracepoint:syscalls:sys_enter_umount { ${emit('T', '\\tumount2\\t%d\\t%s', 'args->flags, str(args->name)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_pivot_root { ${emit('T', '\\tpivot_root\\t0\\t%s', 'str(args->new_root)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_userfaultfd { ${emit('T', '\\tuserfaultfd\\t%d\\t', 'args->flags')} }`);
  p.push(`tracepoint:syscalls:sys_enter_keyctl { ${emit('T', '\\tkeyctl\\t%d\\t', 'args->option')} }`);
  p.push(`tracepoint:syscalls:sys_enter_perf_event_open { ${emit('T', '\\tperf_event_open\\t%d\\t', 'args->pid')} }`);
  // Module loading and kexec: a dedicated tracepoint where the kernel has one (the call's number in
  // the `X` line), raw_syscalls:sys_enter only for the rest. raw_syscalls runs a program on every
  // syscall of every task (bench/README.md: its cost table); kernels built without modules or kexec
  // have no tracepoint for those calls, and an attempt is then only visible there.
  if (opts.rawSyscalls !== false) {
    for (const [name, id] of Object.entries(RAW_SYSCALLS))
      if (opts.syscallTracepoints?.has(name)) p.push(`tracepoint:syscalls:sys_enter_${name} { ${emit('X', '\\t%d', String(id))} }`);
    if (rawIds.length)
      p.push(`tracepoint:raw_syscalls:sys_enter /${rawIds.map((n) => `args->id == ${n}`).join(' || ')}/ { ${emit('X', '\\t%d', 'args->id')} }`);
  }
  return `${p.join('\n')}\n`;
}

/** The RAW_SYSCALLS numbers that only raw_syscalls:sys_enter can see (no tracepoint of their own). */
function rawSyscallIds(opts: ProgramOptions): number[] {
  return Object.entries(RAW_SYSCALLS)
    .filter(([name]) => !opts.syscallTracepoints?.has(name))
    .map(([, id]) => id);
}

/** Names of the syscalls with an entry tracepoint (tracefs `events/syscalls/sys_enter_*`); empty when tracefs is not readable. */
export function syscallTracepoints(roots: readonly string[] = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']): Set<string> {
  for (const root of roots) {
    try {
      return new Set(
        readdirSync(join(root, 'events/syscalls'))
          .filter((n) => n.startsWith('sys_enter_'))
          .map((n) => n.slice('sys_enter_'.length)),
      );
    } catch {
      // Not mounted here: try the next.
    }
  }
  return new Set();
}

/**
 * Whether the program reports an open of `path` (absolute, normalised, as the
 * file's own name) with or without write intent: the same lists and tests as
 * the probes, for the sensor-coverage contract (rules/builtin/coverage.test.ts).
 */
export function openReported(path: string, write: boolean, opts: ProgramOptions = {}, truncate = false): boolean {
  const sensitive = opts.sensitivePaths ?? DEFAULT_SENSITIVE_PATHS;
  const protectedP = opts.protectedPrefixes ?? DEFAULT_PROTECTED_PREFIXES;
  const cut = (p: string) => p.slice(0, STRLEN - 1);
  if (sensitive.some((p) => path.startsWith(cut(p)))) return true;
  if (write && protectedP.some((p) => path.startsWith(cut(p)))) return true;
  if (truncate && TRUNCATE_WATCHED_PREFIXES.some((p) => path.startsWith(p))) return true;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (SENSITIVE_BASENAMES.includes(name) || SENSITIVE_NAME_PREFIXES.some((p) => name.startsWith(p))) return true;
  return write && WRITE_WATCHED_BASENAMES.includes(name);
}

/**
 * The engine event types the eBPF sensor delivers, each with the probe that
 * delivers it (the coverage contract checks the probe is in the program).
 */
export const DELIVERED_EVENT_TYPES: Readonly<Record<string, string>> = {
  execve: 'sched:sched_process_exec',
  openat: 'syscalls:sys_exit_openat',
  openat2: 'syscalls:sys_exit_openat2',
  connect: 'syscalls:sys_enter_connect',
  accept4: 'syscalls:sys_exit_accept4',
  dup2: 'syscalls:sys_enter_dup2',
  ptrace: 'syscalls:sys_enter_ptrace',
  setns: 'syscalls:sys_enter_setns',
  unshare: 'syscalls:sys_enter_unshare',
  mount: 'syscalls:sys_enter_mount',
  open_by_handle_at: 'syscalls:sys_enter_open_by_handle_at',
  reboot: 'syscalls:sys_enter_reboot',
  bpf: 'syscalls:sys_enter_bpf',
  setuid: 'syscalls:sys_exit_setuid',
  setreuid: 'syscalls:sys_exit_setreuid',
  setresuid: 'syscalls:sys_exit_setresuid',
  setgid: 'syscalls:sys_enter_setgid',
  capset: 'syscalls:sys_enter_capset',
  memfd_create: 'syscalls:sys_enter_memfd_create',
  renameat2: 'syscalls:sys_enter_renameat2',
  unlinkat: 'syscalls:sys_enter_unlinkat',
  socket: 'syscalls:sys_enter_socket',
  umount2: 'syscalls:sys_enter_umount',
  pivot_root: 'syscalls:sys_enter_pivot_root',
  userfaultfd: 'syscalls:sys_enter_userfaultfd',
  keyctl: 'syscalls:sys_enter_keyctl',
  perf_event_open: 'syscalls:sys_enter_perf_event_open',
  symlinkat: 'syscalls:sys_enter_symlinkat',
  linkat: 'syscalls:sys_enter_linkat',
  chmod: 'syscalls:sys_enter_chmod',
  fchmod: 'syscalls:sys_enter_fchmod',
  fchmodat: 'syscalls:sys_enter_fchmodat',
  ...Object.fromEntries(Object.keys(RAW_SYSCALLS).map((k) => [k, 'raw_syscalls:sys_enter'])),
};

/**
 * The cgroup_subsys_id of the first of pids, cpu, memory that has a v1
 * hierarchy, from /proc/cgroups (its lines are in subsystem-id order).
 */
export function v1SubsysIndex(procCgroups: string): number | undefined {
  const rows = procCgroups
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
  for (const want of ['pids', 'cpu', 'memory']) {
    const i = rows.findIndex((r) => r[0] === want);
    if (i >= 0 && Number(rows[i]![1]) > 0 && rows[i]![3] === '1') return i;
  }
  return undefined;
}

/** Environment for the bpftrace child: longer strings, bigger per-CPU buffers so bursts are not lost. */
export function programEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    BPFTRACE_STRLEN: String(STRLEN),
    BPFTRACE_PERF_RB_PAGES: base.BPFTRACE_PERF_RB_PAGES ?? '1024',
    BPFTRACE_MAX_STRLEN: String(STRLEN),
    BPFTRACE_MAP_KEYS_MAX: String(DROPPED_FILES_MAX),
    // bpftrace frees LLVM's compile-time memory once the probes are attached; fixed malloc thresholds
    // and one arena give it back to the system instead of keeping it in the heap (about 9 MiB of its RSS).
    GLIBC_TUNABLES: base.GLIBC_TUNABLES ?? 'glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072:glibc.malloc.arena_max=1',
  };
}
