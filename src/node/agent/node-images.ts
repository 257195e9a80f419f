// Node-local images, whatever runtime holds them (docs/agent.md, "Node-local
// images"): a provider lists the images of one runtime of the node, each as
// a reference the image pipeline opens (`docker-daemon:ID`,
// `containerd:NAMESPACE=NAME`), and says how to follow that runtime's image
// events (an event only asks for a re-list: ./image-scanner.ts follows each
// provider through the one follow loop, ./node-follow.ts). What identifies
// scanned content is `key` (Docker: the image ID; containerd: the digest of
// the manifest or index the names point to: a re-tag does not need a
// re-scan); what the server files it under is `imageId`, the config digest
// (the image ID the node inventory reports for its containers).
import type { DockerEngine } from '../docker/engine-api.js';
import type { ContainerdClient } from '../containerd/client.js';
import type { RunScanOptions } from '../scan/run-scan.js';
import type { EventSource } from './node-follow.js';

export interface NodeImage {
  /** What the image pipeline opens: `docker-daemon:sha256:...`, `containerd:k8s.io=docker.io/library/nginx:1.25`. */
  ref: string;
  /** The names the runtime records for it (Docker's repo tags; containerd's image names). */
  names: string[];
  /** What identifies the content scanned (Docker: the image ID; containerd: the manifest or index digest). */
  key: string;
  /** The image ID (config digest for the node's platform); '' when it cannot be read. */
  imageId: string;
  runtime: 'docker' | 'containerd';
}

/** One runtime's images; its events (any string: the event's action) ask for a re-list. */
export interface NodeImageProvider extends EventSource<string> {
  readonly runtime: NodeImage['runtime'];
  /** The node's images of this runtime, at most `max`. */
  list(max: number): Promise<NodeImage[]>;
  /** How the image pipeline reaches this runtime. */
  readonly scanOptions: Pick<RunScanOptions, 'dockerSocket' | 'containerdSocket'>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_REMEMBERED = 4096;

/** Sets `k` in a bounded map (the oldest entry goes first). */
export function remember<V>(m: Map<string, V>, k: string, v: V): void {
  if (m.size >= MAX_REMEMBERED && !m.has(k)) m.delete(m.keys().next().value!);
  m.set(k, v);
}

/** Image events that change which images the engine holds or how they are named. */
const DOCKER_IMAGE_EVENTS = new Set(['pull', 'load', 'tag', 'import', 'untag', 'delete']);

export class DockerImages implements NodeImageProvider {
  readonly runtime = 'docker';
  readonly label = 'Docker Engine';
  readonly scanOptions;
  constructor(private readonly engine: DockerEngine) {
    this.scanOptions = { dockerSocket: engine.socketPath };
  }

  subscribe(onEvent: (action: string) => void, signal: AbortSignal): Promise<void> {
    return this.engine.events(
      { type: ['image'] },
      (e) => {
        const action = (e.Action ?? '').split(':')[0]!;
        if (DOCKER_IMAGE_EVENTS.has(action)) onEvent(action);
      },
      signal,
    );
  }

  async list(max: number): Promise<NodeImage[]> {
    return (await this.engine.images(max)).map((i) => ({ ref: `docker-daemon:${i.id}`, names: i.repoTags, key: i.id, imageId: i.id, runtime: 'docker' }));
  }
}

/** Image target digest -> config digest, read from containerd's content store once per target. */
export class ConfigDigests {
  private readonly known = new Map<string, string>();
  constructor(private readonly client: ContainerdClient) {}

  /** The image ID of image `name` of namespace `ns` (its config digest for the node's platform); '' when it cannot be read. */
  async of(ns: string, name: string, targetDigest?: string): Promise<string> {
    const target = targetDigest ?? (await this.client.image(ns, name).catch(() => undefined))?.target.digest;
    if (!target) return '';
    const known = this.known.get(target);
    if (known !== undefined) return known;
    let digest = '';
    try {
      // The image pipeline's containerd reader is loaded at the first scan (an idle agent does not hold it).
      const { openContainerdImage } = await import('../image/containerd.js');
      const image = await openContainerdImage(`${ns}=${name}`, `containerd:${ns}=${name}`, { client: this.client });
      digest = image.configDigest ?? '';
      await image.close();
    } catch {
      // an image whose blobs are gone (garbage-collected, or only partly pulled): no image ID
    }
    remember(this.known, target, digest);
    return digest;
  }
}

/** containerd's namespaces, less those skipped (Docker's own `moby` when the Docker Engine is followed too). */
export async function containerdNamespaces(client: ContainerdClient, skip: ReadonlySet<string>): Promise<string[]> {
  return (await client.namespaces()).filter((ns) => !skip.has(ns));
}

const CONTAINERD_IMAGE_TOPICS = new Set(['/images/create', '/images/update', '/images/delete']);

export class ContainerdImages implements NodeImageProvider {
  readonly runtime = 'containerd';
  readonly label = 'containerd';
  readonly scanOptions;
  private readonly configDigests: ConfigDigests;
  constructor(
    private readonly client: ContainerdClient,
    private readonly skipNamespaces: ReadonlySet<string> = new Set(),
  ) {
    this.scanOptions = { containerdSocket: client.socketPath };
    this.configDigests = new ConfigDigests(client);
  }

  subscribe(onEvent: (topic: string) => void, signal: AbortSignal): Promise<void> {
    return this.client.subscribe(
      [],
      (e) => {
        if (CONTAINERD_IMAGE_TOPICS.has(e.topic) && !this.skipNamespaces.has(e.namespace)) onEvent(e.topic);
      },
      signal,
    );
  }

  /** One entry per content (manifest or index digest) with every name pointing at it. */
  async list(max: number): Promise<NodeImage[]> {
    const out = new Map<string, NodeImage>();
    for (const ns of await containerdNamespaces(this.client, this.skipNamespaces)) {
      for (const i of await this.client.images(ns)) {
        const key = i.target.digest;
        if (!DIGEST.test(key)) continue;
        const known = out.get(key);
        if (known) {
          if (known.names.length < 100 && !known.names.includes(i.name)) known.names.push(i.name);
          continue;
        }
        if (out.size >= max) return [...out.values()];
        const imageId = await this.configDigests.of(ns, i.name, key);
        out.set(key, { ref: `containerd:${ns}=${i.name}`, names: [i.name], key, imageId, runtime: 'containerd' });
      }
    }
    return [...out.values()];
  }
}
