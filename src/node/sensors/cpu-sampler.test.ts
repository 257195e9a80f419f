// The CPU sampler: the conformance suite on a real busy process of the real
// /proc, and the trait gathering on a procfs tree built by the test (stat
// counters that grow between samples, an executable in the container's
// upper layer, a socket fd and the socket table row it names, a
// kernel-thread name), including broken stat files.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSensor, CONFORMANCE_HOST } from './sensor-conformance.js';
import { CpuSampler, overlayUpperDir, parseCpuStat } from './cpu-sampler.js';
import { ProcCache, ProcFs } from './procfs.js';
import { ContainerResolver } from './container-resolver.js';
import { behaviorThresholds } from '../../core/behavior/thresholds.js';
import type { SyscallEvent } from '../../core/events/event.js';

// A low bar: the test machine may be shared, and a busy loop then gets a fraction of a CPU.
const fast = behaviorThresholds({ cpu: { intervalMs: 100 } }).cpu;
const fastLevel = () => ({ percent: 1, duration: 300 });

describeSensor('cpu sampler', async (clock) => {
  const kids: ChildProcess[] = [];
  let last = -1;
  const sensor = new CpuSampler({
    procs: new ProcCache(new ProcFs()),
    containers: new ContainerResolver(),
    host: CONFORMANCE_HOST,
    thresholds: fast,
    level: fastLevel,
    now: clock,
  });
  return {
    sensor,
    trigger: async () => {
      // A busy loop for a few seconds: sustained CPU.
      const c = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
      kids.push(c);
      await new Promise<void>((res) => c.once('spawn', () => res()));
      last = c.pid!;
      setTimeout(() => c.kill('SIGKILL'), 6000).unref();
    },
    isTriggered: (e) => e.type === 'procstat' && e.proc.pid === last && e.proc.name === 'sh' && Number(e.args.cpu_percent) >= 1,
    // A loaded machine gives the busy loop a small share of a CPU.
    timeoutMs: 15_000,
    cleanup: async () => {
      for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    },
  };
});

const CID = 'a'.repeat(64);
const stat = (pid: number, comm: string, ticks: number) =>
  `${pid} (${comm}) R 1 ${pid} ${pid} 0 -1 4194304 100 0 0 0 ${ticks} 0 0 0 20 0 1 0 5000 10000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;

describe('cpu sampler on a procfs tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cpu-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const proc = join(dir, 'proc');
  const upper = join(dir, 'upper');
  mkdirSync(join(upper, 'usr/local/bin'), { recursive: true });
  writeFileSync(join(upper, 'usr/local/bin/kw'), 'ELF');

  function processDir(pid: number, comm: string, exe: string, opts: { container?: boolean; socket?: number } = {}) {
    const p = join(proc, String(pid));
    mkdirSync(join(p, 'fd'), { recursive: true });
    mkdirSync(join(p, 'net'), { recursive: true });
    writeFileSync(join(p, 'stat'), stat(pid, comm, 0));
    writeFileSync(join(p, 'status'), 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n');
    writeFileSync(join(p, 'cmdline'), `${comm}\0--threads\0${'2'}\0`);
    symlinkSync(exe, join(p, 'exe'));
    writeFileSync(join(p, 'cgroup'), opts.container ? `4:cpuacct:/docker/${CID}\n0::/docker/${CID}\n` : '0::/user.slice\n');
    writeFileSync(
      join(p, 'mountinfo'),
      opts.container ? `600 500 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/x/l,upperdir=${upper},workdir=/x/w\n` : '',
    );
    if (opts.socket) symlinkSync(`socket:[${opts.socket}]`, join(p, 'fd', '3'));
    writeFileSync(
      join(p, 'net/tcp'),
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
        '   0: 0100007F:A1B2 0100007F:0D05 01 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 20 4 30 10 -1\n',
    );
  }

  it('reports a sustained process once with its miner traits, and a benign one without', () => {
    processDir(101, '[kworker/0:1]', '/usr/local/bin/kw', { container: true, socket: 7001 });
    processDir(102, 'gzip', '/usr/bin/gzip', {});
    mkdirSync(join(proc, '103'));
    writeFileSync(join(proc, '103', 'stat'), 'garbage without a command name');
    let mono = 0;
    const events: SyscallEvent[] = [];
    const th = behaviorThresholds({ cpu: { intervalMs: 1000 } }).cpu;
    const s = new CpuSampler({
      procs: new ProcCache(new ProcFs(proc)),
      containers: new ContainerResolver(),
      host: 'h',
      thresholds: th,
      level: () => ({ percent: 80, duration: 2000 }),
      procRoot: proc,
      cgroupRoot: join(dir, 'nocgroup'),
      monoMs: () => mono,
      now: () => 42,
    });
    const sink = { event: (e: SyscallEvent) => events.push(e) };
    void s.start(sink);
    void s.stop(); // the test drives the samples itself
    (s as unknown as { sink: typeof sink }).sink = sink;
    for (let i = 1; i <= 5; i++) {
      mono = i * 1000;
      // 95 ticks per second: 95% of a CPU.
      writeFileSync(join(proc, '101', 'stat'), stat(101, '[kworker/0:1]', i * 95));
      writeFileSync(join(proc, '102', 'stat'), stat(102, 'gzip', i * 99));
      s.sample();
    }
    assert.ok(s.health().bad >= 5, 'the broken stat counted each sample');
    const miner = events.filter((e) => e.proc.pid === 101);
    const gzip = events.filter((e) => e.proc.pid === 102);
    assert.equal(miner.length, 1, 'one report per episode once traits are found');
    assert.equal(gzip.length, 1, 'a sustained process without traits is reported once, without traits');
    const m = miner[0]!;
    assert.equal(m.type, 'procstat');
    assert.equal(m.time, 42);
    assert.equal(m.args.traits, 'new-executable,unusual-port,kernel-thread-name');
    assert.equal(m.args.dports, '3333');
    assert.equal(m.args.cpu_percent, 95);
    assert.equal(m.args.exe_layer, 'upper');
    assert.equal(m.fd?.name, '127.0.0.1:41394->127.0.0.1:3333');
    assert.equal(m.container?.id, CID);
    assert.equal(m.proc.exepath, '/usr/local/bin/kw');
    assert.equal(gzip[0]!.args.traits, '');
    assert.equal(gzip[0]!.container?.id, 'host');
  });

  it('parses stat lines with hostile command names; finds the overlay upper dir', () => {
    assert.deepEqual(parseCpuStat(stat(7, 'a) R 1 (b', 250)), { comm: 'a) R 1 (b', ticks: 250, startTicks: 5000 });
    assert.equal(parseCpuStat('7 (x) R 1'), undefined);
    assert.equal(parseCpuStat(''), undefined);
    assert.equal(
      overlayUpperDir(
        '1 0 0:1 / /proc rw - proc proc rw\n600 500 0:52 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/var/lib/docker/overlay2/x\\040y/diff,workdir=/w\n',
      ),
      '/var/lib/docker/overlay2/x y/diff',
    );
    assert.equal(overlayUpperDir('600 500 8:1 / / rw - ext4 /dev/sda1 rw\n'), undefined);
  });
});
