import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { SyscallEvent } from '../../../core/events/event.js';
import { EbpfSensor } from './sensor.js';
import { buildProgram, v1SubsysIndex } from './program.js';
import { checkPrereqs } from './runner.js';
import { ebpfSkip, waitFor } from './bpftrace.test-helpers.js';
import { ProcCache, ProcFs, readBounded } from '../procfs.js';
import { ContainerResolver } from '../container-resolver.js';
import { COMPILER_LIBRARIES, residentKiB } from '../page-out.js';

const MiB = 1024;

// The real sensor (real bpftrace, real kernel): once the probes are attached, bpftrace's LLVM and clang
// pages leave its resident set, and the sensor still reports execs afterwards.
describe('eBPF sensor: compiler pages released after attach', { skip: ebpfSkip(), timeout: 240_000 }, () => {
  it('drops the LLVM pages only bpftrace maps, ignores its helper, and still sees execs', async () => {
    const program = buildProgram({ rawSyscalls: false, v1SubsysIndex: v1SubsysIndex(readBounded('/proc/cgroups') ?? '') })
      .split('\n')
      .filter((l) => /^(BEGIN|interval:|tracepoint:syscalls:sys_enter_execve |tracepoint:sched:sched_process_(exec|exit))/.test(l))
      .join('\n');
    const ignore = new Set([process.pid]);
    const sensor = new EbpfSensor({
      bpftrace: checkPrereqs().bpftrace,
      program: `${program}\n`,
      procs: new ProcCache(new ProcFs()),
      containers: new ContainerResolver({ clients: [] }),
      host: 'test',
      ignore,
      readyTimeoutMs: 200_000,
    });
    const events: SyscallEvent[] = [];
    await sensor.start({ event: (e) => events.push(e) });
    try {
      const r = sensor.released;
      assert.ok(r && !('error' in r), `released: ${JSON.stringify(r)}`);
      // Resident after the compile (shared or not with other bpftrace processes of the host).
      assert.ok(r.before.file > 20 * MiB, `before: ${JSON.stringify(r.before)}`);
      // What only this bpftrace mapped is gone (pages shared with another bpftrace stay: the kernel skips them).
      assert.ok(r.after.privateFile < 2 * MiB, `after: ${JSON.stringify(r.after)}`);
      assert.match(sensor.health().detail, /LLVM pages resident \d+ -> \d+ MiB/);
      const bpftrace = [...ignore].find((p) => p !== process.pid && readBounded(`/proc/${p}/comm`)?.trim() === 'bpftrace');
      assert.ok(bpftrace, 'the sensor ignores its bpftrace');
      const now = residentKiB(readBounded(`/proc/${bpftrace}/smaps`, 4 * 1024 * 1024) ?? '', COMPILER_LIBRARIES);
      assert.ok(now.privateFile < 4 * MiB, `now: ${JSON.stringify(now)}`);

      // Detection after the release: a new exec is reported.
      const marker = `0.${process.pid}7`;
      const child = spawn('sleep', [marker], { stdio: 'ignore' });
      await waitFor('the exec of sleep', () => events.find((e) => e.type === 'execve' && e.proc.pid === child.pid && e.proc.args?.includes(marker)), 30_000);
      // The perl helper that made the syscall is the agent's own: not reported.
      const helper = events.filter((e) => e.proc.name === 'perl' && e.proc.ppid === process.pid);
      assert.deepEqual(helper, [], 'the helper is not reported');
    } finally {
      await sensor.stop();
    }
  });
});
