// The normalised event every detector source produces and the rules engine
// evaluates. Field names in rule conditions (`proc.name`, `fd.name`,
// `ka.verb`, ...) are read from these objects by field extractors, one small
// module per field family (src/core/rules/fields/). Sensors (src/node/sensors)
// and the audit readers (src/node/k8s) build these; docs/rules/fields.md
// documents them.

import type { ContainerSpec } from '../checks/spec.js';

export type EventSource = 'syscall' | 'k8s_audit';

export type FdKind =
  'file' | 'directory' | 'pipe' | 'socket' | 'ipv4' | 'ipv6' | 'unix' | 'tty' | 'memfd' | 'event' | 'signalfd' | 'inotify' | 'timerfd' | 'netlink' | 'unknown';

export interface ProcessInfo {
  pid: number;
  tid?: number;
  ppid: number;
  /** comm / executable base name (`proc.name`). */
  name: string;
  /** Full executable path (`proc.exepath`). */
  exepath?: string;
  /** The full argv, argv[0] included (`proc.exe` = argv[0]; `proc.args` =
   * argv[1..] joined with spaces; `proc.cmdline` = name + " " + proc.args, as Falco prints it). */
  args?: string[];
  cwd?: string;
  uid: number;
  gid?: number;
  user?: string;
  /** Login uid (auid), -1/4294967295 when unset. */
  loginuid?: number;
  /** Controlling tty number, 0 when none (`proc.tty`). */
  tty?: number;
  /** What fds 0, 1 and 2 point to. */
  stdin?: FdKind;
  stdout?: FdKind;
  stderr?: FdKind;
  /** Ancestors, nearest first (parent, grandparent, ...). */
  parents?: Array<{ pid: number; name: string; exepath?: string; args?: string[] }>;
  /** Inode of the pid namespace (containers have their own). */
  pidnsInode?: number;
  cgroupId?: number;
  /** Process start, ms since epoch. */
  startTime?: number;
  /** The exec was of a memfd / deleted file (fileless execution). */
  exeFromMemfd?: boolean;
  /** The executable lives in the container's writable (upper) overlay layer (`proc.is_exe_upper_layer`). */
  exeUpperLayer?: boolean;
  /**
   * The executable was created (an open with O_CREAT) by a process in a container since the sensor
   * started: that process's name (`proc.exe_writer`). Dropped-and-executed files; see the eBPF sensor.
   */
  exeWriter?: string;
  /**
   * The executable file as the kernel saw it at exec (device, inode, size, mtime), when the sensor
   * read it: the exec malware scanner's already-seen test without opening the file.
   */
  exeIdentity?: string;
  /** Effective capabilities, Falco's names (`CAP_SYS_ADMIN`), for `thread.cap_effective`. */
  capEffective?: string[];
  /** Primary group name (`group.name`). */
  group?: string;
  /** Session id (`proc.sid`). */
  sid?: number;
}

export interface FdInfo {
  num?: number;
  type: FdKind;
  /** File path, or `sip:sport->dip:dport` for sockets (`fd.name`). */
  name: string;
  sip?: string;
  sport?: number;
  dip?: string;
  dport?: number;
  l4proto?: 'tcp' | 'udp' | 'icmp' | 'raw';
  /** The path as the process passed it, before normalisation (`fd.nameraw`), when it differs from `name`. */
  nameRaw?: string;
  /** Resolved DNS name of the server address, when the sensor knows it (`fd.sip.name`). */
  dipName?: string;
  /** Socket is connected (`fd.connected`). */
  connected?: boolean;
  /** The fd name changed with this event (`fd.name_changed`, sendto on unconnected sockets). */
  nameChanged?: boolean;
  /** This open created the file (`fd.created`): O_TRUNC on it truncated nothing. */
  created?: boolean;
}
// Socket direction (Falco's client/server model): `sip`/`sport` are the
// connection's CLIENT (the side that called connect), `dip`/`dport` its SERVER
// (the side that accepted), whatever the event. For a `connect` the client is
// the local process; for an `accept` the client is the remote peer. The rule
// fields follow Falco: `fd.cip`/`fd.cport` = client, `fd.sip`/`fd.sport` =
// server (so `fd.sip` reads FdInfo.dip), `fd.lip`/`fd.rip` local/remote by event
// type; Vigil's `fd.dip`/`fd.dport` are aliases of the server side.

export interface ContainerInfo {
  /** Full 64-hex id, or `host` for host processes (as Falco's container.id). */
  id: string;
  name?: string;
  /** Full image reference, e.g. `docker.io/library/nginx:1.25`. */
  image?: string;
  imageRepository?: string;
  imageTag?: string;
  imageDigest?: string;
  privileged?: boolean;
  podName?: string;
  podNamespace?: string;
  mounts?: Array<{ source: string; destination: string; readOnly?: boolean }>;
  /** Security settings at start (container start events, `type: 'container'`): read by the environment checks. */
  spec?: ContainerSpec;
  /**
   * Set by the runtime pipeline when the runtime's metadata (name, image) is
   * missing from this event: `timeout` (the lookup outlived the pipeline's
   * bounded wait), `unavailable` (no runtime client, no runtime knows the
   * container, or its lookup failed and is backing off).
   */
  metadata?: 'timeout' | 'unavailable';
}

export interface SyscallEvent {
  source: 'syscall';
  /** Syscall or event name without direction: `execve`, `openat`, `connect`, `procexit` (`evt.type`). */
  type: string;
  /** Milliseconds since epoch (may have a fraction). */
  time: number;
  /** Return value (`evt.res` / `evt.rawres`); negative errno on failure. */
  res?: number;
  /** Per-syscall arguments by Falco's names (`evt.arg.flags`, `evt.arg.request`, ...). */
  args: Record<string, string | number | undefined>;
  proc: ProcessInfo;
  fd?: FdInfo;
  container?: ContainerInfo;
  host?: string;
  /** Sensor sequence number (`evt.num`), when the sensor has one. */
  num?: number;
}
// Vigil events are post-syscall: every SyscallEvent describes a completed
// call with its result, so `evt.dir` is always `<` (Falco's exit direction).
// Non-syscall sources use the same shape with their own `type` (documented
// in docs/rules.md):
//   filechange  args {path, oldSha256, newSha256}           (inotify sensor)
//   auth        args {service, result: failure|success, user, sip}  (auth logs)
//   passwd      args {path, content}: /etc/passwd content    (inotify/procfs)
//   procstat    args {cpu_percent}: periodic CPU sample per process
//   container   args {}: a container started (container.* filled)

export interface K8sAuditEvent {
  source: 'k8s_audit';
  /** Milliseconds since epoch (stageTimestamp, else requestReceivedTimestamp). */
  time: number;
  /** The audit.k8s.io Event object as received (v1, v1beta1 or without apiVersion). */
  audit: Record<string, unknown>;
  host?: string;
}

export type EngineEvent = SyscallEvent | K8sAuditEvent;

export type FieldType = 'string' | 'number' | 'bool' | 'strings' | 'ipaddr' | 'port' | 'numbers';

/** One field a rule condition or output may use. */
export interface FieldDef<E extends EngineEvent = EngineEvent> {
  name: string;
  type: FieldType;
  /** Whether the field takes a `[arg]` (`proc.aname[2]`, `ka.uri.param[name]`, `jevt.value[/a/b]`). */
  arg?: 'required' | 'optional';
  /**
   * A true list value (Falco's list fields, e.g. `ka.req.pod.containers.image`):
   * `in` and `pmatch` hold only when EVERY value matches, `intersects` when one
   * does. Other multi-valued fields (`proc.aname` = any ancestor) match when
   * any value matches.
   */
  list?: boolean;
  desc: string;
  /** Undefined means "not present" (`exists` is false, comparisons are false). */
  extract(e: E, arg?: string): string | number | boolean | string[] | number[] | undefined;
}

/** A family of fields with one prefix for one source: one module each. */
export interface FieldFamily<E extends EngineEvent = EngineEvent> {
  id: string;
  source: EventSource;
  fields: FieldDef<E>[];
}
