// The node inventory's containerd backend (./runtime-watch.ts): on nodes
// where Kubernetes runs pods through containerd without Docker, the
// containers of every containerd namespace (`k8s.io` for pods) are listed
// through the Containers API, their state and pid from the Tasks API, their
// security settings from the OCI runtime spec containerd keeps for each
// (src/core/checks/oci-spec.ts), and followed through containerd's events
// (/tasks/start, /tasks/exit, /containers/delete, ...). Keys are
// `NAMESPACE/ID`; a start is identified by the task's pid (containerd keeps
// no start time). The image ID (config digest) of a container's image is
// read from the content store once per image target (./node-images.ts). Docker's own namespace
// (`moby`) is skipped when the Docker Engine is watched too: those
// containers are reported, with their names, by the Docker backend.
import { nodeContainerOfSpec, type NodeContainer } from '../../core/checks/node-container.js';
import { ociSpecContainerSpec } from '../../core/checks/oci-spec.js';
import type { ContainerSpec } from '../../core/checks/spec.js';
import type { ContainerdClient } from '../containerd/client.js';
import { ConfigDigests, containerdNamespaces, remember } from './node-images.js';
import { RuntimeWatch, type RuntimeBackend, type RuntimeChange, type RuntimeEvent, type RuntimeWatchOptions } from './runtime-watch.js';

/** What a containerd start hands to the start checks. */
export interface ContainerdStart {
  id: string;
  namespace: string;
  spec: ContainerSpec;
  pid: number;
  imageDigest?: string;
}

const CHANGES: Record<string, RuntimeChange> = {
  '/tasks/start': 'start',
  '/tasks/exit': 'change',
  '/tasks/delete': 'change',
  '/tasks/paused': 'change',
  '/tasks/resumed': 'change',
  '/tasks/oom': 'change',
  '/containers/create': 'change',
  '/containers/update': 'change',
  '/containers/delete': 'gone',
};

export class ContainerdBackend implements RuntimeBackend<ContainerdStart> {
  readonly label = 'containerd';
  /** Start times seen in events (containerd's API does not keep them). */
  private readonly startedAt = new Map<string, string>();
  private readonly configDigests: ConfigDigests;

  constructor(
    private readonly client: ContainerdClient,
    private readonly skipNamespaces: ReadonlySet<string> = new Set(),
  ) {
    this.configDigests = new ConfigDigests(client);
  }

  async subscribe(onEvent: (e: RuntimeEvent) => void, signal: AbortSignal): Promise<void> {
    await this.client.subscribe(
      [],
      (e) => {
        const change = CHANGES[e.topic];
        if (!change || !e.id || this.skipNamespaces.has(e.namespace)) return;
        const key = `${e.namespace}/${e.id}`;
        if (change === 'start') remember(this.startedAt, key, (e.time ?? new Date()).toISOString());
        if (change === 'gone') this.startedAt.delete(key);
        onEvent({ key, change });
      },
      signal,
    );
  }

  async list(max: number): Promise<string[]> {
    const keys: string[] = [];
    for (const ns of await containerdNamespaces(this.client, this.skipNamespaces)) {
      for (const c of await this.client.containers(ns)) {
        if (keys.length >= max) return keys;
        keys.push(`${ns}/${c.id}`);
      }
    }
    return keys;
  }

  async inspect(key: string): Promise<{ container: NodeContainer; doc: ContainerdStart; start: string } | undefined> {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const id = key.slice(slash + 1);
    const c = await this.client.container(ns, id);
    if (!c) return undefined;
    const task = await this.client.task(ns, id);
    const spec = ociSpecContainerSpec(c.spec ?? {}, { id, image: c.image, labels: c.labels }, `containerd ${key} spec`);
    const imageDigest = c.image ? await this.configDigests.of(ns, c.image) : '';
    const container = nodeContainerOfSpec(spec, {
      id,
      runtime: 'containerd',
      namespace: ns,
      imageDigest,
      state: task?.status ?? 'created',
      startedAt: this.startedAt.get(key) ?? '',
    });
    const doc: ContainerdStart = { id, namespace: ns, spec, pid: task?.pid ?? 0 };
    if (imageDigest) doc.imageDigest = imageDigest;
    return { container, doc, start: task?.pid ? `pid:${task.pid}` : '' };
  }
}

/** containerd's containers, followed (`onStart` gets the spec, pid and image ID). */
export class ContainerdWatch extends RuntimeWatch<ContainerdStart> {
  constructor(o: RuntimeWatchOptions<ContainerdStart> & { client: ContainerdClient; skipNamespaces?: ReadonlySet<string> }) {
    super(new ContainerdBackend(o.client, o.skipNamespaces), o);
  }
}
