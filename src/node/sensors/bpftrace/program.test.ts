import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram, v1SubsysIndex, RAW_SYSCALLS, HIGH_RISK_SYSCALLS, DELIVERED_EVENT_TYPES, openReported } from './program.js';

// /proc/cgroups of the CI machine (cgroup v1 controllers plus a v2 hierarchy).
const PROC_CGROUPS = `#subsys_name	hierarchy	num_cgroups	enabled
cpuset	3	1	1
cpu	1	1	1
cpuacct	2	1	1
blkio	7	1	1
memory	4	52	1
devices	5	1	1
freezer	6	1	1
net_cls	0	1	1
perf_event	0	1	1
net_prio	0	1	1
hugetlb	0	1	1
pids	8	2	1
`;
const PURE_V2 = PROC_CGROUPS.replace(/^(\w+)\t\d+/gm, '$1\t0');

describe('bpftrace program', () => {
  it('attaches every tracepoint of the issue', () => {
    const p = buildProgram({ v1SubsysIndex: 11 });
    for (const tp of [
      'sched:sched_process_exec',
      'sched:sched_process_fork',
      'sched:sched_process_exit',
      'syscalls:sys_enter_execve',
      'syscalls:sys_enter_execveat',
      'syscalls:sys_enter_openat',
      'syscalls:sys_exit_openat',
      'syscalls:sys_enter_connect',
      'syscalls:sys_exit_accept4',
      'syscalls:sys_enter_dup2',
      'syscalls:sys_enter_dup3',
      'syscalls:sys_enter_ptrace',
      'syscalls:sys_enter_setns',
      'syscalls:sys_enter_unshare',
      'syscalls:sys_enter_mount',
      'syscalls:sys_enter_open_by_handle_at',
      'syscalls:sys_enter_reboot',
      'syscalls:sys_enter_bpf',
      'syscalls:sys_enter_setuid',
      'syscalls:sys_enter_setgid',
      'syscalls:sys_enter_capset',
      'syscalls:sys_enter_memfd_create',
      'syscalls:sys_enter_renameat2',
      'syscalls:sys_enter_unlinkat',
      'raw_syscalls:sys_enter',
    ]) {
      assert.ok(p.includes(`tracepoint:${tp} `), tp);
    }
    for (const n of Object.values(RAW_SYSCALLS)) assert.ok(p.includes(`args->id == ${n}`));
    assert.ok(p.includes('subsys[11]'));
    assert.ok(!p.includes('kprobe'));
  });

  it('can leave out the raw syscall tracepoint', () => {
    assert.ok(!buildProgram({ rawSyscalls: false }).includes('raw_syscalls'));
  });

  it('filters opens in the probe, with policy paths added', () => {
    const p = buildProgram({ protectedPrefixes: ['/srv/app/'] });
    assert.ok(p.includes('strncmp($f, "/srv/app/", 9) == 0'));
    assert.ok(p.includes('strncmp($f, "/etc/shadow", 11) == 0'));
  });

  it('remembers files created outside the host pid namespace, and names their creator at exec', () => {
    const p = buildProgram({ hostPidns: 4026531836 });
    assert.match(p, /sys_exit_openat \/[^/]*\(@of\[tid\] & 64\) != 0 && curtask->nsproxy->pid_ns_for_children->ns\.inum != 4026531836\//);
    assert.match(p, /@wr\[\$ci->i_ino, \$ci->i_sb->s_dev, \$ci->i_generation\] = comm/);
    const exec = p.split('\n').find((l) => l.startsWith('tracepoint:sched:sched_process_exec '))!;
    assert.ok(exec.indexOf('printf("Dx') < exec.indexOf('printf("E'), 'the creator line comes just before the exec line');
    // The remembering probe runs before the reporting one, which clears the open's state.
    assert.ok(p.indexOf('@wr[$ci') < p.indexOf('delete(@oa[tid])'));
    assert.ok(!buildProgram({}).includes('@wr['), 'no host namespace known: nothing remembered');
    assert.match(buildProgram({}), /sched_process_exec \{ \$xi = curtask->mm->exe_file->f_inode; if \(\$xi->i_nlink == 0\) \{ printf\("Dm/);
  });

  it('refuses paths a probe literal cannot carry', () => {
    assert.throws(() => buildProgram({ protectedPrefixes: ['/a"b'] }), /not usable in a probe filter/);
    assert.throws(() => buildProgram({ protectedPrefixes: ['/tmp/\u00e9'] }), /not usable/);
  });

  it('finds the v1 controller whose leaf names a container', () => {
    assert.equal(v1SubsysIndex(PROC_CGROUPS), 11);
    assert.equal(v1SubsysIndex(PURE_V2), undefined);
    assert.equal(v1SubsysIndex(''), undefined);
  });
});

describe('bpftrace program coverage', () => {
  it('reports sensitive files by name and inode on open exit, and the probes of every high-risk syscall', () => {
    const p = buildProgram({ sensitiveInodes: [{ path: '/etc/shadow', dev: 254 << 20, ino: 739 }] });
    assert.ok(p.includes('($ino == 739 && $dev == 266338304)'));
    assert.ok(p.includes('$n == "shadow"'));
    assert.ok(p.includes('$n == "release_agent"'));
    assert.ok(p.includes('strncmp($n, "id_", 3) == 0'));
    for (const s of HIGH_RISK_SYSCALLS) assert.ok(DELIVERED_EVENT_TYPES[s] && p.includes(`tracepoint:${DELIVERED_EVENT_TYPES[s]} `), s);
    // The reporting exit probe comes last (the marking ones run before it, in attach order).
    const exits = p.split('\n').filter((l) => l.startsWith('tracepoint:syscalls:sys_exit_openat'));
    assert.ok(exits.length > 2);
    assert.ok(exits[exits.length - 1]!.includes('printf("O'));
    assert.ok(exits.slice(0, -1).every((l) => !l.includes('printf(')));
  });

  it('openReported mirrors the probes', () => {
    assert.equal(openReported('/etc/shadow', false), true);
    assert.equal(openReported('/srv/x/shadow', false), true);
    assert.equal(openReported('/etc/hosts', false), false);
    assert.equal(openReported('/etc/hosts', true), true);
    assert.equal(openReported('/tmp/cgrp/release_agent', true), true);
    assert.equal(openReported('/tmp/cgrp/release_agent', false), false);
    assert.equal(openReported('/proc/42/mem', true), true);
    assert.equal(openReported('/home/u/.ssh/id_rsa', false), true);
  });
});
