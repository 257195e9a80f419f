// The bpftrace program the eBPF sensor runs, generated from options.
// Owns: which tracepoints are attached, the in-probe filters that keep the
// event volume bounded (openat only for sensitive paths and writes to
// protected paths), and the line format every probe prints, which
// ./parse.ts reads back. Tracepoints only: this kernel family has no kprobes.
//
// Line format (one bpftrace printf per event, tab-separated):
//   CODE nsecs pid tid ppid uid pidns cgroup comm [code-specific fields...]
// String fields a process controls (paths, names) come last so a tab inside
// one can only corrupt that field, never shift the numeric ones.

import { statSync } from 'node:fs';

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
/** Longest file name the exit probe compares (bytes; longer names are compared on their first NAME_LEN - 1). */
export const NAME_LEN = 40;

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
  /** Index of a cgroup v1 controller with a mounted hierarchy (cgroup_subsys_id), whose leaf names the container; undefined on pure cgroup v2. */
  v1SubsysIndex?: number;
  /** Paths (prefixes) whose opens are always reported. */
  sensitivePaths?: readonly string[];
  /** Path prefixes whose opens with write flags are reported (policy file-protection paths are added here). */
  protectedPrefixes?: readonly string[];
  /** Files recognised by (device, inode) on open, whatever the path (sensitiveIdentities() of the host's sensitive files). */
  sensitiveInodes?: readonly FileIdentity[];
  /**
   * Inode of the host's pid namespace (/proc/self/ns/pid of the sensor): files created by processes in any
   * other pid namespace (containers) are remembered, and an exec of one of them names its creator
   * (`proc.exe_writer`, the drop-and-execute rule). Undefined: no file is remembered.
   */
  hostPidns?: number;
}

/**
 * Files created in containers that the program remembers (by device, inode and generation, so a reused
 * inode is not mistaken for the dropped file), the bpftrace map's size (BPFTRACE_MAP_KEYS_MAX, programEnv):
 * once full, later creations are not remembered until the sensor restarts.
 */
export const DROPPED_FILES_MAX = 4096;

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

function prefixTest(v: string, prefixes: readonly string[]): string {
  const uniq = [...new Set(prefixes.map((p) => p.slice(0, STRLEN - 1)))].filter((p) => p.length > 0);
  if (uniq.length === 0) return '0';
  return uniq.map((p) => `strncmp(${v}, ${lit(p)}, ${Buffer.byteLength(p)}) == 0`).join(' || ');
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function buildProgram(opts: ProgramOptions = {}): string {
  const sensitive = opts.sensitivePaths ?? DEFAULT_SENSITIVE_PATHS;
  const protectedP = opts.protectedPrefixes ?? DEFAULT_PROTECTED_PREFIXES;
  const raw = Object.values(RAW_SYSCALLS)
    .map((n) => `args->id == ${n}`)
    .join(' || ');
  const p: string[] = [];
  p.push('BEGIN { printf("R\\tready\\n"); }');
  // Exec: argv at entry (joined with \x1f by bpftrace's join), the result at sched_process_exec.
  // The exec's cgroup leaf names (v1 controller and v2) are read in the kernel: a short-lived
  // process is gone from /proc by the time it could be read, and its container with it.
  const v1 = opts.v1SubsysIndex !== undefined ? `str(curtask->cgroups->subsys[${opts.v1SubsysIndex}]->cgroup->kn->name)` : '""';
  const cg = `${v1}, str(curtask->cgroups->dfl_cgrp->kn->name)`;
  p.push(`tracepoint:syscalls:sys_enter_execve { ${emit('A', '\\t%s\\t%s', cg)} join(args->argv, "\\x1f"); }`);
  p.push(`tracepoint:syscalls:sys_enter_execveat { ${emit('A', '\\t%s\\t%s', cg)} join(args->argv, "\\x1f"); }`);
  // A file created in a container and now executed: its creator's name in a `Dx` line just before
  // the exec's `E` (same probe, same CPU buffer, so adjacent); the name is the line's last field.
  // An executable without a link (a memfd, a deleted file): a `Dm` line before the `E`, decided in the
  // kernel because a short-lived process is gone before /proc/PID/exe can be read.
  const dropped =
    opts.hostPidns !== undefined ? `$w = @wr[$xi->i_ino, $xi->i_sb->s_dev, $xi->i_generation]; if ($w != "") { ${emit('Dx', '\\t%s', '$w')} } ` : '';
  p.push(
    `tracepoint:sched:sched_process_exec { $xi = curtask->mm->exe_file->f_inode; if ($xi->i_nlink == 0) { ${emit('Dm', '', '')} } ${dropped}${emit('E', '\\t%d\\t%s', 'args->old_pid, str(args->filename)')} }`,
  );
  p.push(`tracepoint:sched:sched_process_fork { ${emit('F', '\\t%d', 'args->child_pid')} }`);
  p.push(`tracepoint:sched:sched_process_exit /pid == tid/ { ${emit('Q', '', '')} }`);
  // openat: the entry probe keeps the name pointer, flags and dirfd by thread; a few filter probes
  // of 7 prefixes each (one long condition exceeds the 512-byte BPF stack, as every literal is
  // materialised) mark the opens of sensitive names. The exit probe reports marked opens and,
  // from the opened file itself, any open of a sensitive inode (hard links, bind mounts, other
  // mount namespaces) or a sensitive file name reached by any path (relative, `..`, `//`).
  // Marking rather than printing keeps it independent of probe run order.
  p.push('tracepoint:syscalls:sys_enter_openat { @oa[tid] = args->filename; @of[tid] = args->flags; @od[tid] = args->dfd; }');
  for (const c of chunks(sensitive, 7)) {
    p.push(`tracepoint:syscalls:sys_enter_openat { $f = str(args->filename); if (${prefixTest('$f', c)}) { @om[tid] = 1; } }`);
  }
  for (const c of chunks(protectedP, 7)) {
    p.push(
      `tracepoint:syscalls:sys_enter_openat /(args->flags & ${WRITE_FLAGS}) != 0/ { $f = str(args->filename); if (${prefixTest('$f', c)}) { @om[tid] = 1; } }`,
    );
  }
  p.push(
    `tracepoint:syscalls:sys_enter_openat /(args->flags & ${O_TRUNC}) != 0/ { $f = str(args->filename); if (${prefixTest('$f', TRUNCATE_WATCHED_PREFIXES)}) { @om[tid] = 1; } }`,
  );
  const inodes = (opts.sensitiveInodes ?? []).slice(0, 32);
  const inodeTest = inodes.length ? inodes.map((x) => `($ino == ${x.ino} && $dev == ${x.dev})`).join(' || ') : '0';
  // Exit probes in program order (the kernel runs a tracepoint's programs in attach order): the
  // inode test and the name tests (in chunks: every literal takes BPF stack) mark, the last one
  // reports and clears. Were the order ever different, a name-only match would be missed, never
  // a wrong event made.
  const unmarked = `/@oa[tid] != 0 && @om[tid] == 0 && args->ret >= 0/`;
  const file = '$fl = *(curtask->files->fdt->fd + args->ret);';
  if (inodes.length)
    p.push(
      `tracepoint:syscalls:sys_exit_openat ${unmarked} { ${file} $ino = $fl->f_inode->i_ino; $dev = $fl->f_inode->i_sb->s_dev; if (${inodeTest}) { @om[tid] = 1; } }`,
    );
  const nameTests = [...SENSITIVE_BASENAMES.map((n) => `$n == ${lit(n)}`), ...SENSITIVE_NAME_PREFIXES.map((n) => `strncmp($n, ${lit(n)}, ${n.length}) == 0`)];
  for (const c of chunks(nameTests, 7)) {
    p.push(
      `tracepoint:syscalls:sys_exit_openat ${unmarked} { ${file} $n = str($fl->f_path.dentry->d_name.name, ${NAME_LEN}); if (${c.join(' || ')}) { @om[tid] = 1; } }`,
    );
  }
  for (const c of chunks(WRITE_WATCHED_BASENAMES, 7)) {
    p.push(
      `tracepoint:syscalls:sys_exit_openat /@oa[tid] != 0 && @om[tid] == 0 && args->ret >= 0 && (@of[tid] & ${WRITE_FLAGS}) != 0/ { ${file} $n = str($fl->f_path.dentry->d_name.name, ${NAME_LEN}); if (${c.map((n) => `$n == ${lit(n)}`).join(' || ')}) { @om[tid] = 1; } }`,
    );
  }
  // Creations (O_CREAT) by processes outside the host's pid namespace: remembered for the exec probe.
  if (opts.hostPidns !== undefined)
    p.push(
      `tracepoint:syscalls:sys_exit_openat /@oa[tid] != 0 && args->ret >= 0 && (@of[tid] & ${O_CREAT}) != 0 && curtask->nsproxy->pid_ns_for_children->ns.inum != ${Math.trunc(opts.hostPidns)}/ { ${file} $ci = $fl->f_inode; @wr[$ci->i_ino, $ci->i_sb->s_dev, $ci->i_generation] = comm; }`,
    );
  p.push(
    `tracepoint:syscalls:sys_exit_openat /@oa[tid] != 0/ { if (@om[tid] != 0) { $ino = (uint64)0; $dev = (uint64)0; if (args->ret >= 0) { ${file} $ino = $fl->f_inode->i_ino; $dev = $fl->f_inode->i_sb->s_dev; } ` +
      `${emit('O', '\\t%d\\t%d\\t%d\\t%lu\\t%lu\\t%s', 'args->ret, @of[tid], @od[tid], $ino, $dev, str(@oa[tid])')} } ` +
      'delete(@om[tid]); delete(@oa[tid]); delete(@of[tid]); delete(@od[tid]); }',
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
  p.push(`tracepoint:syscalls:sys_enter_dup2 /args->newfd <= 2/ { ${emit('D', '\\t%d\\t%d', 'args->oldfd, args->newfd')} }`);
  p.push(`tracepoint:syscalls:sys_enter_dup3 /args->newfd <= 2/ { ${emit('D', '\\t%d\\t%d', 'args->oldfd, args->newfd')} }`);
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
  p.push(`tracepoint:syscalls:sys_enter_unlinkat { ${emit('L', '\\t%d\\t%d\\t%s', 'args->flag, args->dfd, str(args->pathname)')} }`);
  // Symlinks and hard links (to sensitive files, over shell histories): target, then the new name.
  p.push(`tracepoint:syscalls:sys_enter_symlinkat { ${emit('Sy', '\\t%d\\t%s\\x1f%s', 'args->newdfd, str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_symlink { ${emit('Sy', '\\t-100\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_linkat { ${emit('Lk', '\\t%d\\t%s\\x1f%s', 'args->newdfd, str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_link { ${emit('Lk', '\\t-100\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  // The rest of the high-risk syscalls (HIGH_RISK_SYSCALLS) that have a tracepoint of their own.
  p.push(`tracepoint:syscalls:sys_enter_umount { ${emit('T', '\\tumount2\\t%d\\t%s', 'args->flags, str(args->name)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_pivot_root { ${emit('T', '\\tpivot_root\\t0\\t%s', 'str(args->new_root)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_userfaultfd { ${emit('T', '\\tuserfaultfd\\t%d\\t', 'args->flags')} }`);
  p.push(`tracepoint:syscalls:sys_enter_keyctl { ${emit('T', '\\tkeyctl\\t%d\\t', 'args->option')} }`);
  p.push(`tracepoint:syscalls:sys_enter_perf_event_open { ${emit('T', '\\tperf_event_open\\t%d\\t', 'args->pid')} }`);
  if (opts.rawSyscalls !== false) p.push(`tracepoint:raw_syscalls:sys_enter /${raw}/ { ${emit('X', '\\t%d', 'args->id')} }`);
  return `${p.join('\n')}\n`;
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
  const name = path.slice(path.lastIndexOf('/') + 1).slice(0, NAME_LEN - 1);
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
  };
}
