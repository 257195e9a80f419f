// Images of the node's containerd (`containerd:[NAMESPACE=]NAME`, docs/images.md
// "containerd images"): NAME is looked up in the namespace's image records
// through containerd's Images API (default namespace CONTAINERD_NAMESPACE,
// else `default`; Kubernetes' is `k8s.io`); its target (a manifest or an
// index, the platform chosen as for OCI layouts) and then config and layers
// are read from containerd's content store: streamed through the Content
// service's Read RPC, or, with --containerd-root, straight from the content
// store's directory (<root>/io.containerd.content.v1.content/blobs/<alg>/<hex>).
// Every blob is verified against its digest either way. NAME is only ever a
// field of a gRPC request, never part of a path.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError, LimitError } from '../../core/errors.js';
import type { Image } from '../../core/image/types.js';
import { ContainerdClient, containerdSocketPath, NAMESPACE } from '../containerd/client.js';
import { DirStore, parseDigest, type BlobStore } from './blob-store.js';
import { openFromDescriptor } from './oci-layout.js';
import type { Descriptor } from './manifest.js';
import type { OpenImageOptions } from './types.js';

/** An image name as containerd records it: a reference (`docker.io/library/nginx:1.25`, `host:5000/app@sha256:...`). */
const IMAGE_NAME =
  /^(?:[a-z0-9](?:[a-z0-9.-]{0,252}[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9][a-z0-9._/-]{0,254}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export const DEFAULT_NAMESPACE = 'default';
/** The content store plugin's directory under containerd's root. */
export const CONTENT_DIR = 'io.containerd.content.v1.content';

/** `[NAMESPACE=]NAME` of a `containerd:` reference, checked. */
export function parseContainerdRef(rest: string, ref: string, env: NodeJS.ProcessEnv = process.env): { namespace: string; name: string } {
  const eq = rest.indexOf('=');
  const namespace = eq >= 0 ? rest.slice(0, eq) : env.CONTAINERD_NAMESPACE || DEFAULT_NAMESPACE;
  const name = eq >= 0 ? rest.slice(eq + 1) : rest;
  if (!NAMESPACE.test(namespace)) throw new InputError('IMAGE_REF_INVALID', `not a containerd namespace: ${JSON.stringify(namespace.slice(0, 80))}`, ref);
  if (!IMAGE_NAME.test(name) || name.includes('..') || name.includes('//'))
    throw new InputError('IMAGE_REF_INVALID', 'expected containerd:[NAMESPACE=]NAME, NAME an image reference as `ctr images ls` lists it', ref);
  return { namespace, name };
}

/** The blob a layout path (`blobs/<alg>/<hex>`, what oci-layout.ts asks for) names. */
function digestOfPath(path: string, where: string): string {
  const m = /^blobs\/([a-z0-9]+)\/([0-9a-f]+)$/.exec(path);
  if (!m) throw new InputError('IMAGE_BAD_PATH', `not a content store blob: ${path.slice(0, 200)}`, where);
  const digest = `${m[1]}:${m[2]}`;
  parseDigest(digest, where);
  return digest;
}

/** containerd's content store seen through its Content API, as the image readers' BlobStore. */
export class ContentApiStore implements BlobStore {
  private readonly sizes = new Map<string, number | undefined>();
  constructor(
    private readonly client: ContainerdClient,
    private readonly namespace: string,
    /** Close the client with the store (it was opened for this image). */
    private readonly ownsClient: boolean,
  ) {}
  get where(): string {
    return `${this.client.where} namespace ${this.namespace}`;
  }
  async size(path: string): Promise<number | undefined> {
    const d = digestOfPath(path, this.where);
    if (!this.sizes.has(d)) this.sizes.set(d, await this.client.contentSize(this.namespace, d));
    return this.sizes.get(d);
  }
  async has(path: string): Promise<boolean> {
    return (await this.size(path)) !== undefined;
  }
  async read(path: string, max: number, what: string): Promise<Buffer> {
    const size = await this.size(path);
    if (size === undefined) throw new InputError('IMAGE_MISSING_BLOB', `${what} blob ${digestOfPath(path, this.where)} is missing`, this.where);
    if (size > max)
      throw new LimitError(
        'LIMIT_MANIFEST_SIZE',
        `${what} is ${size} bytes, over the limit of ${max} (raise with --max-manifest-size)`,
        `${this.where} ${path}`,
      );
    return this.collect(this.client.readContent(this.namespace, digestOfPath(path, this.where), 0, size));
  }
  open(path: string): Readable {
    return this.client.readContent(this.namespace, digestOfPath(path, this.where));
  }
  async head(path: string, n: number): Promise<Buffer> {
    return this.collect(this.client.readContent(this.namespace, digestOfPath(path, this.where), 0, n));
  }
  private async collect(s: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }
}

/** The options a containerd image is opened with, besides the common ones. */
export interface ContainerdOpenOptions extends OpenImageOptions {
  /** An open client (the agent's); it stays open when the image closes. */
  client?: ContainerdClient;
}

/** Open `containerd:[NAMESPACE=]NAME` (`rest` is what follows the prefix). */
export async function openContainerdImage(rest: string, ref: string, opts: ContainerdOpenOptions = {}): Promise<Image> {
  const { namespace, name } = parseContainerdRef(rest, ref);
  const own = !opts.client;
  const client = opts.client ?? new ContainerdClient({ socketPath: containerdSocketPath(opts.containerdSocket), timeoutMs: 30_000 });
  let store: BlobStore | undefined;
  try {
    const record = await client.image(namespace, name);
    if (!record) throw new InputError('IMAGE_NOT_FOUND', `no image ${name} in containerd namespace ${namespace} (ctr -n ${namespace} images ls)`, ref);
    const t = record.target;
    const target: Descriptor = { mediaType: t.mediaType, digest: t.digest, size: t.size };
    store = opts.containerdRoot ? new DirStore(join(opts.containerdRoot, CONTENT_DIR)) : new ContentApiStore(client, namespace, own);
    const image = await openFromDescriptor(store, target, { name: ref, type: 'containerd' }, opts);
    image.repoTags = [name];
    if (own && opts.containerdRoot) client.close(); // the names are resolved; the blobs come from the directory
    return image;
  } catch (e) {
    if (own) {
      await store?.close();
      client.close();
    }
    throw e;
  }
}
