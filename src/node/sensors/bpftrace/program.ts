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
  '/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/root/.ssh', '/etc/ssh/ssh_host_',
  '/etc/cron', '/var/spool/cron', '/etc/systemd/system', '/etc/init.d', '/etc/rc.local',
  '/etc/ld.so.preload', '/proc/sys/kernel/core_pattern', '/sys/fs/cgroup/release_agent',
];

/** Opens with write intent under these are reported (system dirs, key files). */
export const DEFAULT_PROTECTED_PREFIXES: readonly string[] = [
  '/etc/', '/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/lib/', '/lib/', '/boot/', '/root/',
  '/var/spool/cron', '/proc/sys/', '/sys/fs/cgroup/', '/sys/kernel/',
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
}

// O_WRONLY | O_RDWR | O_CREAT | O_TRUNC
const WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;
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
  const raw = Object.values(RAW_SYSCALLS).map((n) => `args->id == ${n}`).join(' || ');
  const p: string[] = [];
  p.push('BEGIN { printf("R\\tready\\n"); }');
  // Exec: argv at entry (joined with \x1f by bpftrace's join), the result at sched_process_exec.
  // The exec's cgroup leaf names (v1 controller and v2) are read in the kernel: a short-lived
  // process is gone from /proc by the time it could be read, and its container with it.
  const v1 = opts.v1SubsysIndex !== undefined ? `str(curtask->cgroups->subsys[${opts.v1SubsysIndex}]->cgroup->kn->name)` : '""';
  const cg = `${v1}, str(curtask->cgroups->dfl_cgrp->kn->name)`;
  p.push(`tracepoint:syscalls:sys_enter_execve { ${emit('A', '\\t%s\\t%s', cg)} join(args->argv, "\\x1f"); }`);
  p.push(`tracepoint:syscalls:sys_enter_execveat { ${emit('A', '\\t%s\\t%s', cg)} join(args->argv, "\\x1f"); }`);
  p.push(`tracepoint:sched:sched_process_exec { ${emit('E', '\\t%d\\t%s', 'args->old_pid, str(args->filename)')} }`);
  p.push(`tracepoint:sched:sched_process_fork { ${emit('F', '\\t%d', 'args->child_pid')} }`);
  p.push(`tracepoint:sched:sched_process_exit /pid == tid/ { ${emit('Q', '', '')} }`);
  // openat: a few filter probes of 7 prefixes each (one long condition exceeds the 512-byte BPF stack, as
  // every literal is materialised) mark the thread; the exit probe reports marked opens with
  // their result. Marking rather than printing keeps it independent of probe run order.
  for (const c of chunks(sensitive, 7)) {
    p.push(`tracepoint:syscalls:sys_enter_openat { $f = str(args->filename); if (${prefixTest('$f', c)}) { @om[tid] = args->filename; @of[tid] = args->flags; } }`);
  }
  for (const c of chunks(protectedP, 7)) {
    p.push(`tracepoint:syscalls:sys_enter_openat /(args->flags & ${WRITE_FLAGS}) != 0/ { $f = str(args->filename); if (${prefixTest('$f', c)}) { @om[tid] = args->filename; @of[tid] = args->flags; } }`);
  }
  p.push(`tracepoint:syscalls:sys_exit_openat /@om[tid] != 0/ { ${emit('O', '\\t%d\\t%d\\t%s', 'args->ret, @of[tid], str(@om[tid])')} delete(@om[tid]); delete(@of[tid]); }`);
  // Socket addresses: AF_INET and AF_INET6 decoded in the probe, ports in host order.
  const sa4 = (ptr: string, code: string, fdExpr: string) =>
    `$sa = (struct sockaddr_in *)${ptr}; if ($sa->sin_family == 2) { ${emit(code, '\\t%d\\t4\\t%s\\t%d', `${fdExpr}, ntop(2, $sa->sin_addr.s_addr), ($sa->sin_port >> 8) | (($sa->sin_port & 0xff) << 8)`)} } ` +
    `if ($sa->sin_family == 10) { $s6 = (struct sockaddr_in6 *)${ptr}; ${emit(code, '\\t%d\\t6\\t%s\\t%d', `${fdExpr}, ntop(10, $s6->sin6_addr.in6_u.u6_addr8), ($s6->sin6_port >> 8) | (($s6->sin6_port & 0xff) << 8)`)} }`;
  p.push(`tracepoint:syscalls:sys_enter_connect { ${sa4('args->uservaddr', 'C', 'args->fd')} }`);
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
  p.push(`tracepoint:syscalls:sys_enter_setuid { ${emit('I', '\\t%d', 'args->uid')} }`);
  p.push(`tracepoint:syscalls:sys_enter_setgid { ${emit('G', '\\t%d', 'args->gid')} }`);
  p.push(`tracepoint:syscalls:sys_enter_capset { ${emit('J', '', '')} }`);
  p.push(`tracepoint:syscalls:sys_enter_memfd_create { ${emit('Z', '\\t%d\\t%s', 'args->flags, str(args->uname, 64)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_renameat2 { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_rename { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_renameat { ${emit('N', '\\t%s\\x1f%s', 'str(args->oldname, 96), str(args->newname, 96)')} }`);
  p.push(`tracepoint:syscalls:sys_enter_unlinkat { ${emit('L', '\\t%d\\t%s', 'args->flag, str(args->pathname)')} }`);
  if (opts.rawSyscalls !== false) p.push(`tracepoint:raw_syscalls:sys_enter /${raw}/ { ${emit('X', '\\t%d', 'args->id')} }`);
  return `${p.join('\n')}\n`;
}

/**
 * The cgroup_subsys_id of the first of pids, cpu, memory that has a v1
 * hierarchy, from /proc/cgroups (its lines are in subsystem-id order).
 */
export function v1SubsysIndex(procCgroups: string): number | undefined {
  const rows = procCgroups.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
  for (const want of ['pids', 'cpu', 'memory']) {
    const i = rows.findIndex((r) => r[0] === want);
    if (i >= 0 && Number(rows[i]![1]) > 0 && rows[i]![3] === '1') return i;
  }
  return undefined;
}

/** Environment for the bpftrace child: longer strings, bigger per-CPU buffers so bursts are not lost. */
export function programEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, BPFTRACE_STRLEN: String(STRLEN), BPFTRACE_PERF_RB_PAGES: base.BPFTRACE_PERF_RB_PAGES ?? '1024', BPFTRACE_MAX_STRLEN: String(STRLEN) };
}
