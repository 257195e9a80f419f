// Node-local images, whatever holds them: a provider lists the images of one
// runtime of the node as references `openImage` reads (the agent's
// node-local scanning opens and scans each, docs/agent.md). The containerd
// provider lists every namespace's image records as
// `containerd:NAMESPACE=NAME`, with the target digest that identifies what
// was scanned (a re-tag does not need a re-scan).
import type { ContainerdClient } from '../containerd/client.js';

export interface NodeImage {
  /** What openImage reads: `containerd:k8s.io=docker.io/library/nginx:1.25`. */
  ref: string;
  /** The name as the runtime records it. */
  name: string;
  /** Digest of what the name points to (containerd: the manifest or index). */
  digest: string;
  runtime: 'docker' | 'containerd';
}

export interface NodeImageProvider {
  readonly runtime: NodeImage['runtime'];
  /** The node's images of this runtime, at most `max`. */
  list(max: number): Promise<NodeImage[]>;
}

export class ContainerdImages implements NodeImageProvider {
  readonly runtime = 'containerd';
  constructor(
    private readonly client: ContainerdClient,
    private readonly skipNamespaces: ReadonlySet<string> = new Set(),
  ) {}

  async list(max: number): Promise<NodeImage[]> {
    const out: NodeImage[] = [];
    for (const ns of await this.client.namespaces()) {
      if (this.skipNamespaces.has(ns)) continue;
      for (const i of await this.client.images(ns)) {
        if (out.length >= max) return out;
        if (!/^sha256:[0-9a-f]{64}$/.test(i.target.digest)) continue;
        out.push({ ref: `containerd:${ns}=${i.name}`, name: i.name, digest: i.target.digest, runtime: 'containerd' });
      }
    }
    return out;
  }
}
