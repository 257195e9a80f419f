// Every runtime sensor through the one conformance suite, on real input:
// real kernel events for eBPF (as root, with bpftrace), the real /proc for
// the poller, real files for file integrity and the auth log.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSensor, CONFORMANCE_HOST } from './sensor-conformance.js';
import { ProcCache, ProcFs, readBounded } from './procfs.js';
import { ContainerResolver } from './container-resolver.js';
import { ProcPoller } from './proc-poller.js';
import { FileIntegrity } from './file-integrity.js';
import { AuthLogTail } from './auth-log.js';
import { EbpfSensor } from './bpftrace/sensor.js';
import { buildProgram, v1SubsysIndex } from './bpftrace/program.js';
import { checkPrereqs } from './bpftrace/runner.js';
import { ebpfSkip } from './bpftrace/bpftrace.test-helpers.js';

/** Child processes started by triggers: the event of the last one is the one looked for. */
function spawner() {
  const kids: ChildProcess[] = [];
  let last = -1;
  return {
    run(cmd: string, args: string[]): Promise<void> {
      const c = spawn(cmd, args, { stdio: 'ignore' });
      kids.push(c);
      return new Promise((res, rej) => {
        c.once('spawn', () => {
          last = c.pid!;
          res();
        });
        c.once('error', rej);
      });
    },
    get last() {
      return last;
    },
    cleanup: async () => {
      for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    },
  };
}

describeSensor('procfs poller', async (clock) => {
  const kids = spawner();
  // Nothing ignored: the triggered processes are this test's own children.
  const sensor = new ProcPoller({
    procs: new ProcCache(new ProcFs()),
    containers: new ContainerResolver({ clients: [] }),
    host: CONFORMANCE_HOST,
    intervalMs: 50,
    now: clock,
    ignore: new Set(),
  });
  return {
    sensor,
    // Lives longer than a few intervals, so the poller sees it.
    trigger: () => kids.run('sleep', ['1.5']),
    isTriggered: (e) => e.type === 'execve' && e.proc.pid === kids.last && e.proc.name === 'sleep',
    cleanup: kids.cleanup,
  };
});

describeSensor('file integrity (inotify)', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sensor-fim-'));
  const file = join(dir, 'ls');
  writeFileSync(file, 'ELF-v0');
  let n = 0;
  const sensor = new FileIntegrity({ paths: [file], host: CONFORMANCE_HOST, debounceMs: 20, now: clock });
  return {
    sensor,
    trigger: async () => writeFileSync(file, `ELF-v${++n}`),
    isTriggered: (e) => e.type === 'filechange' && e.args.path === file && e.args.newSha256 !== e.args.oldSha256,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeSensor('auth log tail', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sensor-auth-'));
  const file = join(dir, 'auth.log');
  writeFileSync(file, 'Jan  5 10:00:00 host sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2\n');
  let n = 0;
  let user = '';
  const sensor = new AuthLogTail({ files: [file], host: CONFORMANCE_HOST, intervalMs: 30, now: clock });
  return {
    sensor,
    trigger: async () => {
      user = `user${++n}`;
      appendFileSync(file, `Jan  5 10:00:0${n % 10} host sshd[4${n}]: Failed password for invalid user ${user} from 192.0.2.7 port 5${n} ssh2\n`);
    },
    isTriggered: (e) => e.type === 'auth' && e.args.user === user && e.args.sip === '192.0.2.7',
    // A runaway line (no login attempt can be that long) and a binary one.
    broken: async () => appendFileSync(file, `${'x'.repeat(100_000)}\n`),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

const skip = ebpfSkip();

describeSensor(
  'eBPF (bpftrace)',
  async (clock) => {
    const kids = spawner();
    let n = 0;
    // The exec and exit probes of the real program: real kernel events, a few seconds to compile.
    const program = buildProgram({ rawSyscalls: false, v1SubsysIndex: v1SubsysIndex(readBounded('/proc/cgroups') ?? '') })
      .split('\n')
      .filter((l) => /^(BEGIN|interval:|tracepoint:syscalls:sys_enter_execve |tracepoint:sched:sched_process_(exec|exit))/.test(l))
      .join('\n');
    const sensor = new EbpfSensor({
      bpftrace: checkPrereqs().bpftrace,
      program: `${program}\n`,
      procs: new ProcCache(new ProcFs()),
      containers: new ContainerResolver({ clients: [] }),
      host: CONFORMANCE_HOST,
      ignore: new Set([process.pid]),
      now: clock,
    });
    return {
      sensor,
      // A new argument each time: identical execs within a second are counted in the kernel, not reported.
      trigger: () => kids.run('sleep', [`0.5${++n}`]),
      isTriggered: (e) => e.type === 'execve' && e.proc.pid === kids.last && e.proc.name === 'sleep',
      cleanup: kids.cleanup,
    };
  },
  { skip, timeout: 180_000 },
);
