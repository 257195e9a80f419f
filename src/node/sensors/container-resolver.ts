// Container resolution: which container a process belongs to, and what that
// container is. Owns: the container id forms of /proc/PID/cgroup for Docker,
// containerd/CRI, CRI-O and podman (cgroup v1 and v2, cgroupfs and systemd
// drivers), the metadata lookup through the runtime clients (Docker Engine
// API, CRI), and the cache of both, invalidated when a container's last
// process exits (or by `forget`). A lookup that found nothing is retried
// with a backoff (250 ms doubling up to the negative TTL): a container is
// often inspected before the runtime has registered it, and a daemon that
// restarts answers again within seconds. The runtime pipeline waits
// (bounded) for a pending lookup through `enrichment` (pipeline.ts).
import type { ContainerInfo } from '../../core/events/event.js';

export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'unknown';

export interface CgroupContainer {
  id: string;
  runtime: ContainerRuntime;
  /** Kubernetes pod uid when the path carries one (`pod<uid>`). */
  podUid?: string;
}

const HEX64 = '[0-9a-f]{64}';
// One path component that names a container; the prefix says which runtime made it.
const COMPONENT = new RegExp(`^(?:(docker|cri-containerd|crio|libpod)-)?(${HEX64})(?:\\.scope)?$`);
const POD = /^(?:kubepods-(?:besteffort-|burstable-|guaranteed-)?)?pod([0-9a-f_-]{36})(?:\.slice)?$/;

/**
 * The container of a process from the lines of /proc/PID/cgroup, or undefined
 * for a host process. The innermost component that is a container id wins
 * (docker-in-docker nests them); `libpod-conmon-*` (podman's monitor) is not
 * a container.
 */
export function containerFromCgroup(lines: readonly string[]): CgroupContainer | undefined {
  let best: { c: CgroupContainer; depth: number } | undefined;
  for (const line of lines) {
    // hierarchy-id:controllers:path ; the path may itself contain ':'
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const path = line.slice(b + 1).trim();
    const parts = path.split('/').filter((p) => p.length > 0);
    let podUid: string | undefined;
    let kube = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.startsWith('kubepods')) kube = true;
      const pm = POD.exec(part);
      if (pm && kube) podUid = pm[1]!.replace(/_/g, '-');
      const m = COMPONENT.exec(part);
      if (!m) continue;
      const prefix = m[1];
      const prev = parts[i - 1];
      let runtime: ContainerRuntime;
      if (prefix === 'docker') runtime = 'docker';
      else if (prefix === 'cri-containerd') runtime = 'containerd';
      else if (prefix === 'crio') runtime = 'cri-o';
      else if (prefix === 'libpod') runtime = 'podman';
      else if (prev === 'docker') runtime = 'docker';
      else if (prev === 'libpod_parent' || prev === 'machine.slice') runtime = 'podman';
      else if (kube) runtime = 'unknown';
      else runtime = 'unknown';
      if (!best || i >= best.depth) best = { c: { id: m[2]!, runtime, ...(podUid ? { podUid } : {}) }, depth: i };
    }
  }
  return best?.c;
}

/** Metadata a runtime client returns for one container. */
export interface ContainerMeta {
  id: string;
  name?: string;
  image?: string;
  imageDigest?: string;
  privileged?: boolean;
  podName?: string;
  podNamespace?: string;
  mounts?: Array<{ source: string; destination: string; readOnly?: boolean }>;
}

export interface MetadataClient {
  readonly name: string;
  /** Metadata of a container, or undefined when this runtime does not know it. Must not throw for "not found". */
  inspect(id: string): Promise<ContainerMeta | undefined>;
  /**
   * A partial answer that does not wait for the runtime's per-container lock
   * (Docker's container list answers while the container starts; its inspect
   * does not). The resolver uses it first and completes it with `inspect` in the background.
   */
  quick?(id: string): Promise<ContainerMeta | undefined>;
}

export interface ResolverOptions {
  clients?: MetadataClient[];
  /** Max cached containers. */
  max?: number;
  /** Lookups that found nothing are retried after at most this long (ms; the backoff's cap, default 30 s). */
  negativeTtlMs?: number;
  /** The first retry of a lookup that found nothing (ms, default 250); each further miss doubles it. */
  retryMs?: number;
  now?: () => number;
}

interface MetaEntry {
  info?: ContainerMeta;
  /** When the last lookup ended (or started, while pending). */
  at: number;
  pending?: Promise<void>;
  /** Lookups in a row that found nothing (the backoff's exponent). */
  misses: number;
  /** No new lookup before this time (after a miss). */
  retryAt: number;
}

/** What the runtime pipeline can have for a container's event now (ContainerResolver.enrichment). */
export interface Enrichment {
  /** The metadata, cached. */
  meta?: ContainerMeta;
  /** A lookup in flight (started now when one was due): the metadata, or undefined when no runtime knows the container. */
  pending?: Promise<ContainerMeta | undefined>;
}

/**
 * Resolves a process's cgroup lines to a ContainerInfo. The id is known
 * synchronously; metadata arrives from the clients asynchronously and is
 * merged into later events of that container (the sensors' first events
 * carry the id only; the runtime pipeline waits for the lookup, bounded,
 * through `enrichment`).
 */
export class ContainerResolver {
  private readonly meta = new Map<string, MetaEntry>();
  /** Container ids resolved from processes and not forgotten (the stats line's containers=), bounded like `meta`. */
  private readonly seen = new Set<string>();
  private readonly clients: MetadataClient[];
  private readonly max: number;
  private readonly negTtl: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  lookups = 0;

  constructor(opts: ResolverOptions = {}) {
    this.clients = opts.clients ?? [];
    this.max = opts.max ?? 1024;
    this.negTtl = opts.negativeTtlMs ?? 30_000;
    this.retryMs = Math.min(opts.retryMs ?? 250, this.negTtl);
    this.now = opts.now ?? Date.now;
  }

  /** Container of a process (host processes get `{id: 'host'}`). */
  resolve(cgroupLines: readonly string[] | undefined): ContainerInfo {
    const c = cgroupLines ? containerFromCgroup(cgroupLines) : undefined;
    if (!c) return { id: 'host' };
    if (!this.seen.has(c.id)) {
      this.seen.add(c.id);
      if (this.seen.size > this.max) {
        const oldest = this.seen.values().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
    }
    const out: ContainerInfo = { id: c.id };
    const m = this.cached(c.id);
    if (m) mergeMeta(out, m);
    return out;
  }

  /** Cached metadata; starts a lookup when none is cached (or the backoff after a miss has passed). */
  cached(id: string): ContainerMeta | undefined {
    const e = this.meta.get(id);
    if (e && (e.info || e.pending || this.now() < e.retryAt)) return e.info;
    if (this.clients.length > 0) void this.lookup(id);
    return undefined;
  }

  /**
   * For the pipeline's enrichment of a container's event: the cached
   * metadata, or the lookup in flight (started when none is cached and the
   * backoff allows one), or nothing (no runtime client, or backing off after a miss).
   */
  enrichment(id: string): Enrichment {
    const e = this.meta.get(id);
    if (e?.info) return { meta: e.info };
    if (this.clients.length === 0) return {};
    if (e?.pending) return { pending: e.pending.then(() => e.info) };
    if (e && this.now() < e.retryAt) return {};
    return { pending: this.lookup(id) };
  }

  /** Look a container up through the clients, in order; the first that knows it wins. */
  async lookup(id: string): Promise<ContainerMeta | undefined> {
    const existing = this.meta.get(id);
    if (existing?.pending) {
      await existing.pending;
      return existing.info;
    }
    const entry: MetaEntry = { at: this.now(), misses: existing?.misses ?? 0, retryAt: 0 };
    entry.pending = (async () => {
      this.lookups++;
      for (const c of this.clients) {
        try {
          // A runtime whose list fails (an old engine, a proxy that filters it) may still inspect.
          const q = c.quick ? await c.quick(id).catch(() => undefined) : undefined;
          if (q) {
            entry.info = q;
            this.complete(id, entry, c);
            break;
          }
          const m = await c.inspect(id);
          if (m) {
            entry.info = m;
            break;
          }
        } catch {
          // A runtime that is down or answers garbage must not stop the sensor; the next client may know it.
        }
      }
      entry.at = this.now();
      if (entry.info) entry.misses = 0;
      else {
        // Backoff: 250 ms, 500 ms, 1 s, ... up to the negative TTL.
        entry.retryAt = entry.at + Math.min(this.negTtl, this.retryMs * 2 ** Math.min(entry.misses, 30));
        entry.misses++;
      }
      entry.pending = undefined;
    })();
    this.meta.delete(id);
    this.meta.set(id, entry);
    if (this.meta.size > this.max) {
      const oldest = this.meta.keys().next().value;
      if (oldest !== undefined && oldest !== id) this.meta.delete(oldest);
    }
    await entry.pending;
    return entry.info;
  }

  /** The full inspect after a quick answer, merged into the entry when it is still the container's (one request per container). */
  private complete(id: string, entry: MetaEntry, c: MetadataClient): void {
    c.inspect(id).then(
      (m) => {
        if (m && this.meta.get(id) === entry) entry.info = { ...entry.info, ...m };
      },
      () => {
        // The quick answer stays: what only inspect has (privileged) is left unknown.
      },
    );
  }

  /** Drop a container (it stopped): its id may come back with other metadata. */
  forget(id: string): void {
    this.meta.delete(id);
    this.seen.delete(id);
  }

  /** Cached metadata entries. */
  get size(): number {
    return this.meta.size;
  }

  /** Containers whose processes were seen and that have not stopped (with or without metadata: no runtime client needed). */
  get active(): number {
    return this.seen.size;
  }
}

export function mergeMeta(out: ContainerInfo, m: ContainerMeta): void {
  if (m.name) out.name = m.name;
  if (m.image) {
    out.image = m.image;
    const ref = splitImageRef(m.image);
    out.imageRepository = ref.repository;
    if (ref.tag) out.imageTag = ref.tag;
  }
  if (m.imageDigest) out.imageDigest = m.imageDigest;
  if (m.privileged !== undefined) out.privileged = m.privileged;
  if (m.podName) out.podName = m.podName;
  if (m.podNamespace) out.podNamespace = m.podNamespace;
  if (m.mounts) out.mounts = m.mounts;
}

/** `registry:5000/a/b:tag@sha256:..` -> repository and tag (the tag is after the last ':' past the last '/'). */
export function splitImageRef(ref: string): { repository: string; tag?: string } {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { repository: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repository: noDigest };
}

/** Of an inspect document (docker, crictl): the value as an object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
/** Of an inspect document: the value as a non-empty string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
