// Builders of engine events for tests, rule examples and benchmarks:
// `makeEvent(partial)` fills a complete SyscallEvent with defaults (a root
// process in no container), `exec`, `open`, `connect` build the common
// shapes. Rule files' `examples:` are partial events passed through makeEvent.
import type { ContainerInfo, FdInfo, ProcessInfo, SyscallEvent } from '../events/event.js';
import { basename } from './fields/helpers.js';

export type ParentSpec = string | { name: string; pid?: number; args?: string[]; exepath?: string };

export type PartialEvent = Partial<Omit<SyscallEvent, 'proc' | 'fd' | 'container'>> & {
  proc?: Partial<ProcessInfo>;
  fd?: Partial<FdInfo>;
  container?: Partial<ContainerInfo> | 'host';
  /** Shorthand for proc.parents: names or objects, nearest first. */
  parents?: ParentSpec[];
};

function parentsOf(ps: ParentSpec[]): NonNullable<ProcessInfo['parents']> {
  return ps.map((x, i) => (typeof x === 'string' ? { pid: 4200 - i * 10, name: x, exepath: `/usr/bin/${x}`, args: [x] } : { pid: 4200 - i * 10, ...x }));
}

export const TEST_TIME = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A container for fixtures: nginx in Kubernetes. */
export const TEST_CONTAINER: ContainerInfo = {
  id: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
  name: 'web',
  image: 'docker.io/library/nginx:1.25',
  imageRepository: 'docker.io/library/nginx',
  imageTag: '1.25',
  podName: 'web-7d4b9',
  podNamespace: 'shop',
  privileged: false,
};

export function makeEvent(p: PartialEvent = {}): SyscallEvent {
  const argv = p.proc?.args;
  const name = p.proc?.name ?? (argv?.[0] ? basename(argv[0]) : 'sh');
  const proc: ProcessInfo = { pid: 4242, ppid: 4200, uid: 0, user: 'root', tty: 0, ...(p.parents ? { parents: parentsOf(p.parents) } : {}), ...p.proc, name };
  if (!proc.exepath && argv?.[0]?.startsWith('/')) proc.exepath = argv[0];
  if (!proc.exepath) proc.exepath = `/usr/bin/${name}`;
  const e: SyscallEvent = {
    source: 'syscall',
    type: p.type ?? 'execve',
    time: p.time ?? TEST_TIME,
    args: { ...(p.args ?? {}) },
    proc,
  };
  e.res = p.res ?? 0;
  if (p.fd) e.fd = { type: 'file', name: '', ...p.fd } as FdInfo;
  if (p.container && p.container !== 'host') e.container = { ...TEST_CONTAINER, ...p.container };
  if (p.host) e.host = p.host;
  if (p.num !== undefined) e.num = p.num;
  return e;
}

/** Split a command line on spaces (fixtures only: no quoting). */
function argvOf(cmd: string | string[]): string[] {
  return Array.isArray(cmd) ? cmd : cmd.split(' ').filter(Boolean);
}

/** What the fd builders share: `over` without `cmd` (its argv goes on the process), the default type and result. */
function fdEventBase(over: PartialEvent & { cmd?: string }, type: string, res: number): PartialEvent {
  const { cmd, ...rest } = over;
  const args = cmd ? argvOf(cmd) : undefined;
  return { ...rest, type: over.type ?? type, res: over.res ?? res, proc: { ...(args ? { args } : {}), ...over.proc } };
}

/** An execve of `cmd` ("/bin/bash -i" or an argv). `parents` are names or objects, nearest first. */
export function exec(cmd: string | string[], over: PartialEvent = {}): SyscallEvent {
  const args = argvOf(cmd);
  return makeEvent({ parents: ['bash'], ...over, type: over.type ?? 'execve', proc: { args, ...over.proc } });
}

/** An openat of `path` for reading ('r'), writing ('w': O_WRONLY|O_CREAT|O_TRUNC) or with numeric flags. */
export function open(path: string, flags: 'r' | 'w' | 'rw' | number, over: PartialEvent & { cmd?: string } = {}): SyscallEvent {
  const f = flags === 'r' ? 0 : flags === 'w' ? 0o1101 : flags === 'rw' ? 0o102 : flags;
  return makeEvent({
    ...fdEventBase(over, 'openat', 3),
    args: { dirfd: -100, name: path, flags: f, mode: 0o644, ...over.args },
    fd: { num: over.res !== undefined && over.res < 0 ? -1 : 3, type: 'file', name: path, ...over.fd },
  });
}

/** A file event of `type` by `name` naming two paths in `args`, the second of which is fd.name (what the eBPF sensor reports). */
function twoPathEvent(type: string, name: string, args: Record<string, string>, fdName: string, over: PartialEvent): SyscallEvent {
  return makeEvent({ ...over, type, proc: { name, ...over.proc }, args: { ...args, ...over.args }, fd: { type: 'file', name: fdName, ...over.fd } });
}

/** A symlinkat making `linkpath` point at `target` (fd.name is the link), by `ln` unless `over` says. */
export function symlink(target: string, linkpath: string, over: PartialEvent = {}): SyscallEvent {
  return twoPathEvent('symlinkat', 'ln', { target, linkpath }, linkpath, over);
}

/** A renameat2 of `oldpath` to `newpath` (fd.name is the destination), by `mv` unless `over` says. */
export function rename(oldpath: string, newpath: string, over: PartialEvent = {}): SyscallEvent {
  return twoPathEvent('renameat2', 'mv', { oldpath, newpath }, newpath, over);
}

/** A TCP connect from the process to dip:dport. */
export function connect(dip: string, dport: number, over: PartialEvent & { cmd?: string } = {}): SyscallEvent {
  const v6 = dip.includes(':');
  const sip = v6 ? 'fd00::5' : '10.0.0.5';
  return makeEvent({
    ...fdEventBase(over, 'connect', 0),
    args: { addr: `${dip}:${dport}`, ...over.args },
    fd: { num: 3, type: v6 ? 'ipv6' : 'ipv4', sip, sport: 40312, dip, dport, l4proto: 'tcp', name: `${sip}:40312->${dip}:${dport}`, ...over.fd },
  });
}
