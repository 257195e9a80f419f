// containerd's gRPC API over its unix socket, the one client of it (docs/images.md
// "containerd images", docs/agent.md "Node inventory"): version, namespaces,
// images, the content store (Info, streamed Read), containers (with their OCI
// runtime spec), tasks (state, pid) and the events stream. The definitions are
// the subset of containerd's API that we read (proto/containerd/containerd.json,
// generated from containerd's .proto files by
// scripts/gen-containerd-descriptor.ts), loaded at run time.
// Every call has a deadline, every answer a size bound, and every failure is
// one line: a missing socket, a socket we may not open, something that does
// not speak containerd's API, a timeout.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { InputError } from '../../core/errors.js';

/** containerd's own default socket. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
/** src/node/containerd or dist/node/containerd -> the package root's proto/containerd/containerd.json (a protobufjs JSON descriptor). */
export const CONTAINERD_DESCRIPTOR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto', 'containerd', 'containerd.json');
/** Largest message accepted from containerd (a content Read chunk is 1 MiB; a spec or list is far smaller). */
export const MAX_CONTAINERD_MESSAGE = 16 * 1024 * 1024;
/** Most images, containers, tasks or namespaces one List call returns to us. */
export const MAX_LIST = 10_000;

/** A containerd namespace name (containerd's identifier rule). */
export const NAMESPACE = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9])){0,75}$/;
/** A containerd container id (the same identifier rule). */
export const CONTAINER_ID = NAMESPACE;

/** The socket: an explicit path, else CONTAINERD_ADDRESS (a path or unix://PATH, as ctr reads it), else the default. */
export function containerdSocketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = explicit || env.CONTAINERD_ADDRESS || CONTAINERD_SOCKET;
  const path = v.startsWith('unix://') ? v.slice('unix://'.length) : v;
  if (!path.startsWith('/') || path.includes('\0'))
    throw new InputError('CONTAINERD_ADDRESS', 'expected an absolute unix socket path (or unix://PATH)', `containerd address ${v.slice(0, 200)}`);
  return path;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}
export interface ContainerdImage {
  name: string;
  labels: Record<string, string>;
  target: Descriptor;
}
export interface ContainerdContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: string;
  /** The OCI runtime spec (parsed JSON), undefined when absent or not JSON. */
  spec: unknown;
  snapshotter: string;
  createdAt?: Date;
}
export type TaskStatus = 'unknown' | 'created' | 'running' | 'stopped' | 'paused' | 'pausing';
export interface ContainerdTask {
  containerId: string;
  pid: number;
  status: TaskStatus;
  exitStatus: number;
}
export interface ContainerdEvent {
  namespace: string;
  /** `/tasks/start`, `/containers/delete`, ... */
  topic: string;
  /** The container id of container and task events (field 1 of every containerd.events message we follow). */
  id: string;
  time?: Date;
}

interface Timestamp {
  seconds?: number;
  nanos?: number;
}
/** google.protobuf.Any as the loader gives it (its built-in definition keeps `type_url`). */
interface AnyMsg {
  typeUrl?: string;
  type_url?: string;
  value?: Buffer;
}
type Unary<Req, Res> = (req: Req, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => grpc.ClientUnaryCall;
type Streaming<Req, Res> = (req: Req, md: grpc.Metadata, o?: grpc.CallOptions) => grpc.ClientReadableStream<Res>;

interface Services {
  version: grpc.Client & { Version: Unary<object, { version: string; revision: string }> };
  namespaces: grpc.Client & { List: Unary<{ filter?: string }, { namespaces: { name: string }[] }> };
  images: grpc.Client & {
    Get: Unary<{ name: string }, { image?: RawImage }>;
    List: Unary<{ filters: string[] }, { images: RawImage[] }>;
  };
  content: grpc.Client & {
    Info: Unary<{ digest: string }, { info?: { digest: string; size: number } }>;
    Read: Streaming<{ digest: string; offset: number; size: number }, { offset: number; data: Buffer }>;
  };
  containers: grpc.Client & {
    Get: Unary<{ id: string }, { container?: RawContainer }>;
    List: Unary<{ filters: string[] }, { containers: RawContainer[] }>;
  };
  tasks: grpc.Client & {
    Get: Unary<{ containerId: string; execId: string }, { process?: RawProcess }>;
    List: Unary<{ filter: string }, { tasks: RawProcess[] }>;
  };
  events: grpc.Client & { Subscribe: Streaming<{ filters: string[] }, { timestamp?: Timestamp; namespace: string; topic: string; event?: AnyMsg }> };
}
interface RawImage {
  name: string;
  labels: Record<string, string>;
  target?: { mediaType: string; digest: string; size: number; annotations: Record<string, string> };
}
interface RawContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime?: { name: string };
  spec?: AnyMsg;
  snapshotter: string;
  createdAt?: Timestamp;
}
interface RawProcess {
  containerId: string;
  pid: number;
  status: string;
  exitStatus: number;
}

type Ctors = { [K in keyof Services]: new (target: string, creds: grpc.ChannelCredentials, o?: grpc.ChannelOptions) => Services[K] };
let loaded: Ctors | undefined;

function serviceCtors(): Ctors {
  if (loaded) return loaded;
  // Field names in the descriptor are already camelCase (as keepCase: false would give them).
  const json = JSON.parse(readFileSync(CONTAINERD_DESCRIPTOR, 'utf8')) as Parameters<typeof protoLoader.fromJSON>[0];
  const def = protoLoader.fromJSON(json, { longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    containerd: { services: Record<string, { v1: Record<string, grpc.ServiceClientConstructor> }> };
  };
  const s = pkg.containerd.services;
  loaded = {
    version: s.version!.v1!.Version!,
    namespaces: s.namespaces!.v1!.Namespaces!,
    images: s.images!.v1!.Images!,
    content: s.content!.v1!.Content!,
    containers: s.containers!.v1!.Containers!,
    tasks: s.tasks!.v1!.Tasks!,
    events: s.events!.v1!.Events!,
  } as unknown as Ctors;
  return loaded;
}

function toDate(t: Timestamp | undefined): Date | undefined {
  if (!t || !t.seconds) return undefined;
  return new Date(t.seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

/**
 * Field 1 (a string) of a protobuf message, the container id of every
 * containerd.events message the watch follows (TaskStart, TaskExit,
 * TaskDelete, TaskPaused, TaskResumed, TaskOOM, ContainerCreate,
 * ContainerUpdate, ContainerDelete). Other fields are skipped by wire type;
 * a malformed message gives ''.
 */
export function firstStringField(b: Buffer): string {
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= b.length) throw new Error('truncated');
      const x = b[i++]!;
      v += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) return v;
    }
    throw new Error('varint too long');
  };
  try {
    while (i < b.length) {
      const key = varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) varint();
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else if (wire === 2) {
        const len = varint();
        if (i + len > b.length) return '';
        if (field === 1) return b.subarray(i, i + len).toString('utf8');
        i += len;
      } else return '';
    }
  } catch {
    return '';
  }
  return '';
}

export interface ContainerdClientOptions {
  socketPath?: string;
  /** Deadline of each unary call (default 10 s). */
  timeoutMs?: number;
}

export class ContainerdClient {
  readonly socketPath: string;
  private readonly timeoutMs: number;
  private svc: Services | undefined;

  constructor(o: ContainerdClientOptions = {}) {
    this.socketPath = o.socketPath ?? containerdSocketPath();
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** Names this socket in errors. */
  get where(): string {
    return `containerd ${this.socketPath}`;
  }

  /** Throws a one-line error when the socket is missing, not a socket, or not ours to open. */
  checkSocket(): void {
    let st;
    try {
      st = statSync(this.socketPath);
    } catch {
      throw new InputError('CONTAINERD_UNREACHABLE', 'no containerd socket here (is containerd running? --containerd-socket, CONTAINERD_ADDRESS)', this.where);
    }
    if (!st.isSocket()) throw new InputError('CONTAINERD_UNREACHABLE', 'not a unix socket', this.where);
    try {
      accessSync(this.socketPath, constants.R_OK | constants.W_OK);
    } catch {
      throw new InputError('CONTAINERD_UNREACHABLE', 'permission denied (containerd’s socket is usually root-only)', this.where);
    }
  }

  private services(): Services {
    if (this.svc) return this.svc;
    this.checkSocket();
    const ctors = serviceCtors();
    const target = `unix://${this.socketPath}`;
    const opts: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_CONTAINERD_MESSAGE,
      'grpc.max_send_message_length': 1024 * 1024,
      'grpc.default_authority': 'localhost',
    };
    const first = new ctors.version(target, grpc.credentials.createInsecure(), opts);
    const shared = { ...opts, channelOverride: first.getChannel() as grpc.Channel };
    const make = <K extends keyof Services>(k: K): Services[K] => new ctors[k](target, grpc.credentials.createInsecure(), shared);
    this.svc = {
      version: first,
      namespaces: make('namespaces'),
      images: make('images'),
      content: make('content'),
      containers: make('containers'),
      tasks: make('tasks'),
      events: make('events'),
    };
    return this.svc;
  }

  /** The one-line error of a failed call. */
  error(e: unknown, what: string): InputError {
    if (e instanceof InputError) return e;
    const se = e as Partial<grpc.ServiceError>;
    const detail = String(se.details ?? se.message ?? e).slice(0, 300);
    const where = `${this.where} ${what}`;
    switch (se.code) {
      case grpc.status.NOT_FOUND:
        return new InputError('CONTAINERD_NOT_FOUND', `not found (${detail})`, where);
      case grpc.status.UNIMPLEMENTED:
        return new InputError('CONTAINERD_API', `the socket does not serve containerd's API (${detail})`, where);
      case grpc.status.DEADLINE_EXCEEDED:
        return new InputError('CONTAINERD_TIMEOUT', `no answer within ${this.timeoutMs} ms`, where);
      case grpc.status.RESOURCE_EXHAUSTED:
        return new InputError('CONTAINERD_TOO_LARGE', `answer over the limit (${detail})`, where);
      case grpc.status.UNAVAILABLE:
        return new InputError('CONTAINERD_UNREACHABLE', detail, where);
      default:
        return new InputError('CONTAINERD_API', detail, where);
    }
  }

  private call<Req, Res>(fn: Unary<Req, Res>, client: grpc.Client, req: Req, ns: string | undefined, what: string): Promise<Res> {
    const md = new grpc.Metadata();
    if (ns !== undefined) md.set('containerd-namespace', checkNamespace(ns));
    return new Promise((resolve, reject) => {
      fn.call(client, req, md, { deadline: Date.now() + this.timeoutMs }, (e, r) => {
        if (e || !r) reject(this.error(e ?? new Error('empty answer'), what));
        else resolve(r);
      });
    });
  }

  /** A Get-like call: undefined when containerd says NOT_FOUND. */
  private async found<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if ((e as InputError).code === 'CONTAINERD_NOT_FOUND') return undefined;
      throw e;
    }
  }

  async version(): Promise<{ version: string; revision: string }> {
    const s = this.services();
    return this.call(s.version.Version, s.version, {}, undefined, 'Version');
  }

  async namespaces(): Promise<string[]> {
    const s = this.services();
    const r = await this.call(s.namespaces.List, s.namespaces, {}, undefined, 'Namespaces.List');
    return r.namespaces
      .map((n) => n.name)
      .filter((n) => NAMESPACE.test(n))
      .slice(0, MAX_LIST);
  }

  /** An image by name; undefined when the namespace has no such image. */
  async image(ns: string, name: string): Promise<ContainerdImage | undefined> {
    const s = this.services();
    const r = await this.found(this.call(s.images.Get, s.images, { name }, ns, 'Images.Get'));
    return r?.image ? imageOf(r.image) : undefined;
  }

  async images(ns: string): Promise<ContainerdImage[]> {
    const s = this.services();
    const r = await this.call(s.images.List, s.images, { filters: [] }, ns, 'Images.List');
    return r.images.slice(0, MAX_LIST).map(imageOf);
  }

  async containers(ns: string): Promise<ContainerdContainer[]> {
    const s = this.services();
    const r = await this.call(s.containers.List, s.containers, { filters: [] }, ns, 'Containers.List');
    return r.containers.slice(0, MAX_LIST).map(containerOf);
  }

  /** A container with its spec; undefined when gone. */
  async container(ns: string, id: string): Promise<ContainerdContainer | undefined> {
    const s = this.services();
    const r = await this.found(this.call(s.containers.Get, s.containers, { id: checkId(id) }, ns, 'Containers.Get'));
    return r?.container ? containerOf(r.container) : undefined;
  }

  async tasks(ns: string): Promise<ContainerdTask[]> {
    const s = this.services();
    const r = await this.call(s.tasks.List, s.tasks, { filter: '' }, ns, 'Tasks.List');
    return r.tasks.slice(0, MAX_LIST).map(taskOf);
  }

  /** A container's task (its init process); undefined when it has none. */
  async task(ns: string, id: string): Promise<ContainerdTask | undefined> {
    const s = this.services();
    const r = await this.found(this.call(s.tasks.Get, s.tasks, { containerId: checkId(id), execId: '' }, ns, 'Tasks.Get'));
    return r?.process ? taskOf(r.process) : undefined;
  }

  /** Size of a blob of the content store; undefined when the store lacks it. */
  async contentSize(ns: string, digest: string): Promise<number | undefined> {
    const s = this.services();
    const r = await this.found(this.call(s.content.Info, s.content, { digest }, ns, 'Content.Info'));
    return r?.info ? r.info.size : undefined;
  }

  /**
   * Streams a blob (`size` 0: to its end) through Content.Read. The stream
   * fails with a one-line error when containerd does, or when it sends more
   * than `size` bytes or a chunk out of order.
   */
  readContent(ns: string, digest: string, offset = 0, size = 0): Readable {
    const s = this.services();
    const md = new grpc.Metadata();
    md.set('containerd-namespace', checkNamespace(ns));
    const call = s.content.Read.call(s.content, { digest, offset, size }, md);
    const where = `${this.where} ${digest}`;
    const fail = (e: unknown) => this.error(e, `Content.Read ${digest}`);
    return Readable.from(
      (async function* () {
        let at = offset;
        try {
          for await (const r of call as AsyncIterable<{ offset: number; data: Buffer }>) {
            if (r.offset !== at) throw new InputError('CONTAINERD_API', `Content.Read sent offset ${r.offset}, expected ${at}`, where);
            at += r.data.length;
            if (size > 0 && at - offset > size) throw new InputError('CONTAINERD_API', `Content.Read sent more than ${size} bytes`, where);
            if (r.data.length) yield r.data;
          }
        } catch (e) {
          throw fail(e);
        } finally {
          call.cancel();
        }
      })(),
      { objectMode: false, highWaterMark: 1024 * 1024 },
    );
  }

  /** A small blob read whole; LimitError-like CONTAINERD_TOO_LARGE above `max`. */
  async readSmall(ns: string, digest: string, max: number): Promise<Buffer | undefined> {
    const size = await this.contentSize(ns, digest);
    if (size === undefined) return undefined;
    if (size > max) throw new InputError('CONTAINERD_TOO_LARGE', `blob of ${size} bytes is over the limit of ${max}`, `${this.where} ${digest}`);
    const chunks: Buffer[] = [];
    for await (const c of this.readContent(ns, digest, 0, size)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Follows the events stream (all namespaces, or those the filters name)
   * until `signal` aborts; each event to `onEvent`. Resolves when the stream
   * ends, rejects when containerd cannot be reached.
   */
  async subscribe(filters: string[], onEvent: (e: ContainerdEvent) => void, signal: AbortSignal): Promise<void> {
    const s = this.services();
    const call = s.events.Subscribe.call(s.events, { filters }, new grpc.Metadata());
    const stop = () => call.cancel();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const env of call as AsyncIterable<{ timestamp?: Timestamp; namespace: string; topic: string; event?: AnyMsg }>) {
        if (!NAMESPACE.test(env.namespace) || env.topic.length > 100) continue;
        const e: ContainerdEvent = { namespace: env.namespace, topic: env.topic, id: env.event?.value ? firstStringField(env.event.value) : '' };
        const t = toDate(env.timestamp);
        if (t) e.time = t;
        onEvent(e);
      }
    } catch (e) {
      if (signal.aborted || (e as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw this.error(e, 'Events.Subscribe');
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  close(): void {
    if (!this.svc) return;
    for (const c of Object.values(this.svc) as grpc.Client[]) c.close();
    this.svc = undefined;
  }
}

function checkNamespace(ns: string): string {
  if (!NAMESPACE.test(ns)) throw new InputError('CONTAINERD_NAMESPACE', `not a containerd namespace name: ${JSON.stringify(ns.slice(0, 80))}`);
  return ns;
}

function checkId(id: string): string {
  if (!CONTAINER_ID.test(id)) throw new InputError('CONTAINERD_NAMESPACE', `not a containerd container id: ${JSON.stringify(id.slice(0, 80))}`);
  return id;
}

function imageOf(r: RawImage): ContainerdImage {
  const t = r.target ?? { mediaType: '', digest: '', size: 0, annotations: {} };
  return { name: r.name, labels: r.labels ?? {}, target: { mediaType: t.mediaType, digest: t.digest, size: t.size, annotations: t.annotations ?? {} } };
}

const SPEC_TYPE = /opencontainers\/runtime-spec\/\d+\/Spec$/;

function containerOf(r: RawContainer): ContainerdContainer {
  let spec: unknown;
  if (r.spec?.value && SPEC_TYPE.test(r.spec.typeUrl ?? r.spec.type_url ?? '')) {
    try {
      spec = JSON.parse(r.spec.value.toString('utf8'));
    } catch {
      spec = undefined;
    }
  }
  const c: ContainerdContainer = { id: r.id, labels: r.labels ?? {}, image: r.image, runtime: r.runtime?.name ?? '', spec, snapshotter: r.snapshotter };
  const t = toDate(r.createdAt);
  if (t) c.createdAt = t;
  return c;
}

function taskOf(r: RawProcess): ContainerdTask {
  return { containerId: r.containerId, pid: r.pid, status: (r.status || 'UNKNOWN').toLowerCase() as TaskStatus, exitStatus: r.exitStatus };
}
