import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildProgram,
  topComponents,
  v1SubsysIndex,
  stringWords,
  RAW_SYSCALLS,
  HIGH_RISK_SYSCALLS,
  DELIVERED_EVENT_TYPES,
  openReported,
  CHAIN_MAX_LEVELS,
  CHAIN_MAX_MOUNTS,
} from './program.js';

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
    const p = buildProgram({ v1SubsysIndex: 11, openat2: true });
    for (const tp of [
      'sched:sched_process_exec',
      'sched:sched_process_exit',
      'syscalls:sys_exit_openat',
      'syscalls:sys_exit_openat2',
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
      assert.match(p, new RegExp(`tracepoint:${tp}[ ,]`), tp);
    }
    for (const n of Object.values(RAW_SYSCALLS)) assert.ok(p.includes(`args->id == ${n}`));
    assert.ok(p.includes('subsys[11]'));
    assert.ok(!p.includes('kprobe'));
  });

  it('can leave out the raw syscall tracepoint', () => {
    assert.ok(!buildProgram({ rawSyscalls: false }).includes('raw_syscalls'));
  });

  it('traces module loading and kexec on their own tracepoints where the kernel has them, raw_syscalls only for the rest', () => {
    const all = buildProgram({ syscallTracepoints: new Set(Object.keys(RAW_SYSCALLS)) });
    assert.ok(!all.includes('raw_syscalls'));
    assert.match(all, /tracepoint:syscalls:sys_enter_finit_module \{ printf\("X.*, 313\); \}/);
    const some = buildProgram({ syscallTracepoints: new Set(['init_module', 'finit_module', 'delete_module']) });
    assert.match(some, /tracepoint:raw_syscalls:sys_enter \/args->id == 246 \|\| args->id == 320\//);
  });

  it('filters opens in the probe on integer words of the path, with policy paths added', () => {
    const p = buildProgram({ protectedPrefixes: ['/srv/app/'] });
    // "/srv/app/" is the word "/srv/app" and the byte "/".
    assert.ok(p.includes('($u0 == 0x7070612f7672732f && ($u1 & 0xff) == 0x2f)'));
    assert.ok(p.includes('($u0 == 0x6168732f6374652f && ($u1 & 0xffffff) == 0x776f64)'), '/etc/shadow');
    // No entry probe, no string copy before the decision: the filtering probe only marks a match,
    // the reporting one (filtered on the mark) copies the path and prints.
    assert.ok(!p.includes('sys_enter_openat'));
    const exits = p.split('\n').filter((l) => l.startsWith('tracepoint:syscalls:sys_exit_openat'));
    assert.equal(exits.length, 2);
    assert.ok(
      !exits[0]!.includes('str(') && !exits[0]!.includes('printf(') && exits[0]!.includes('if ($m != 0) { @rep[tid] = ($fg & 0xffffffff) | 0x10000000000;'),
    );
    // The reporting probe prints the filter's mark as the flags, then forgets it.
    assert.ok(exits[1]!.includes(' /@rep[tid] != 0/ { ') && exits[1]!.includes('args->ret, @rep[tid], ') && exits[1]!.endsWith(' delete(@rep[tid]); }'));
    // openat2 shares both probes; the filter reads its flags from its struct open_how and marks openat2 in
    // the mark the reporting probe prints; a kernel without openat2 gets openat alone.
    const both = buildProgram({ openat2: true })
      .split('\n')
      .filter((l) => l.startsWith('tracepoint:syscalls:sys_exit_openat,tracepoint:syscalls:sys_exit_openat2 '));
    assert.equal(both.length, 2);
    assert.ok(both[0]!.includes('if ($r->orig_ax == 437) { $fg = *uptr((uint64 *)$r->dx); }') && both[0]!.includes('| 0x10000000000 | 0x20000000000;'));
    assert.ok(!buildProgram({ openat2: false }).includes('openat2'));
    assert.equal(exits[1]!.match(/str\(/g)?.length, 1);
  });

  it('stringWords: little-endian words and masks, as the probe reads memory', () => {
    assert.deepEqual(stringWords('/etc/'), [{ value: 0x2f6374652fn, mask: 0xffffffffffn }]);
    assert.deepEqual(stringWords('/usr/bin/'), [
      { value: 0x6e69622f7273752fn, mask: 0xffffffffffffffffn },
      { value: 0x2fn, mask: 0xffn },
    ]);
  });

  it('remembers files created with an exec bit (not by compilers or package managers), and names their creator at exec', () => {
    const p = buildProgram({ hostPidns: 4026531836 });
    // Only creations asking for an exec bit (0111 in the open's mode, r10): data files would fill the map.
    assert.ok(
      p.includes('if (($fg & 64) != 0 && ($r->r10 & 73) != 0) { if (!(comm == "ld" || comm == "ld.bfd" ||') &&
        p.includes(
          'comm == "pip3")) { if (curtask->nsproxy->pid_ns_for_children->ns.inum != 4026531836) { @wr[$ino, $dev, $in->i_generation] = comm; } else { @wh[$ino, $dev, $in->i_generation] = comm; } } }',
        ),
    );
    const execs = p.split('\n').filter((l) => l.startsWith('tracepoint:sched:sched_process_exec '));
    assert.equal(execs.length, 9);
    assert.ok(
      execs[0]!.includes('printf("Cg') &&
        execs[1]!.includes('printf("Dx') &&
        execs[2]!.includes('$id = @xa[str(args->filename), (uint64)(curtask->real_parent->tgid),') &&
        execs[3]!.includes('$t = @ex[$id, ($an >= 8 ? *(uint64 *)uptr($as + 0)') &&
        execs[4]!.includes('printf("Ea') &&
        execs[5]!.includes('printf("Pn') &&
        execs[6]!.includes('printf("E\\t'),
      'cgroup names, creator, the burst test on the exact fields (filename and integers, then argv), then argv, the cwd of a relative exec, then the exec line',
    );
    // A dropped file's exec (`Dx`) is never aggregated; neither is one of a file without a link or with a long argv.
    assert.ok(execs[2]!.includes('if ($an <= 128 && $xi->i_nlink != 0 && @dx[tid] == 0)'));
    assert.ok(execs[4]!.startsWith('tracepoint:sched:sched_process_exec /@sk[tid] == 0/ {') && execs[6]!.includes('/@sk[tid] == 0/'));
    // The cwd's chain only for a reported exec of a relative name: one level per printf, then its end.
    assert.ok(execs[5]!.startsWith('tracepoint:sched:sched_process_exec /@sk[tid] == 0 && strncmp(str(args->filename, 2), "/", 1) != 0/ {'));
    assert.ok(execs[5]!.includes(`unroll(${CHAIN_MAX_LEVELS + CHAIN_MAX_MOUNTS + 1}) { if ($po == 1) {`));
    // The whole program goes to bpftrace as one argument (`-e`): the kernel's limit for one is 128 KiB.
    const full = buildProgram({ hostPidns: 4026531836, v1SubsysIndex: 3, chmodat2: true, syscallTracepoints: new Set(Object.keys(RAW_SYSCALLS)) });
    assert.ok(Buffer.byteLength(full) < 64 * 1024, `program of ${Buffer.byteLength(full)} bytes`);
    assert.ok(execs[5]!.endsWith('printf("Pe\\t%d\\t%d\\n", tid, $pl); }'));
    assert.ok(!buildProgram({}).includes('@wr['), 'no host namespace known: nothing remembered');
    assert.ok(!buildProgram({ execRepeatWindowMs: 0 }).includes('@ex['), 'aggregation off: every exec printed');
    assert.ok(!buildProgram({ execRepeatWindowMs: 0 }).includes('@sk['));
    // An executable without a link (memfd, deleted file) is bit 0 of the exec line's flags.
    assert.match(
      buildProgram({}),
      /sched_process_exec \/@sk\[tid\] == 0\/ \{ \$mm = \(struct mm_struct \*\)curtask->mm; \$xi = \(struct inode \*\)\$mm->exe_file->f_inode; \$fl = 0; if \(\$xi->i_nlink == 0\) \{ \$fl = 1; \}/,
    );
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
    // Names by length and words: "shadow" (6 bytes), "release_agent" (13), the prefix "id_".
    assert.ok(p.includes('($nl == 6 && ($n0 & 0xffffffffffff) == 0x776f64616873)'));
    assert.ok(p.includes('($nl == 13 && $n0 == 0x5f657361656c6572 && ($n1 & 0xffffffffff) == 0x746e656761)'));
    assert.ok(p.includes('($nl >= 3 && ($n0 & 0xffffff) == 0x5f6469)'));
    for (const s of HIGH_RISK_SYSCALLS) assert.ok(DELIVERED_EVENT_TYPES[s] && p.includes(`tracepoint:${DELIVERED_EVENT_TYPES[s]} `), s);
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
    // Names are compared whole: a longer name that starts with a sensitive one is not it.
    assert.equal(openReported('/srv/x/shadow.bak', false), false);
  });
  it('writes are tested by the top directories of the opened file on its filesystem (relative paths, dirfds, bind mounts)', () => {
    assert.deepEqual(topComponents(['/etc/', '/etc/ssh/', '/usr/bin/', '/var/spool/cron', '/srv/app/', '/x']), [
      ['etc', undefined],
      ['usr', 'bin'],
      ['var', 'spool'],
      ['srv', 'app'],
    ]);
    const p = buildProgram({ protectedPrefixes: ['/etc/', '/usr/bin/'] });
    // etc: length 3 and its three bytes; usr then bin.
    assert.ok(p.includes('($al == 3 && ($a & 0xffffff) == 0x637465)'));
    assert.ok(p.includes('($al == 3 && ($a & 0xffffff) == 0x727375 && $bl == 3 && ($b & 0xffffff) == 0x6e6962)'));
  });
});
