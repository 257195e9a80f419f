// Container metadata from the Docker Engine API through ../docker/engine-api.ts
// (bounded size and time). Owns the mapping of its documents to ContainerMeta
// (name, image, privileged, mounts, Kubernetes pod labels). Two reads: `quick`
// is the container list filtered by id (`GET /containers/json`), which dockerd
// answers from its in-memory view without the container's lock, so it answers
// while the container is starting (when the first events of a new container
// arrive); `inspect` (`GET /containers/{id}/json`) adds what only it has
// (privileged) but waits for the container's lock, which dockerd holds for the
// whole start (1-2 s measured on a loaded CI host).
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { obj, str, type ContainerMeta, type MetadataClient } from './container-resolver.js';
import { DOCKER_SOCKET, DockerEngine } from '../docker/engine-api.js';

export { DOCKER_SOCKET };

export interface DockerClientOptions {
  socketPath?: string;
  /** API version prefix; the engine accepts older versions (1.24 is the oldest still served). */
  apiVersion?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

export class DockerClient implements MetadataClient {
  readonly name = 'docker';
  readonly socketPath: string;
  private readonly engine: DockerEngine;

  constructor(opts: DockerClientOptions = {}) {
    this.engine = new DockerEngine(opts);
    this.socketPath = this.engine.socketPath;
  }

  static available(socketPath = DOCKER_SOCKET): boolean {
    return existsSync(socketPath);
  }

  /** The container from the list (name, image, labels, mounts; not privileged): answered during the container's start. */
  async quick(id: string): Promise<ContainerMeta | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(id)) throw new InputError('DOCKER_BAD_ID', `not a container id: ${id.slice(0, 80)}`);
    const where = `docker ${this.socketPath} /containers/json?id=${id.slice(0, 12)}`;
    const filters = encodeURIComponent(JSON.stringify({ id: [id] }));
    const doc = await this.engine.json(`/containers/json?all=1&filters=${filters}`);
    if (!Array.isArray(doc)) throw new InputError('DOCKER_BAD_INSPECT', 'the container list is not an array', where);
    // The filter matches id prefixes: take the container whose id starts with ours.
    const entry = doc.map(obj).find((c) => typeof c?.Id === 'string' && c.Id.startsWith(id));
    return entry ? dockerListToMeta(entry, where) : undefined;
  }

  async inspect(id: string): Promise<ContainerMeta | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(id)) throw new InputError('DOCKER_BAD_ID', `not a container id: ${id.slice(0, 80)}`);
    const doc = await this.engine.inspectContainer(id);
    return doc === undefined ? undefined : dockerInspectToMeta(doc, `docker ${this.socketPath} /containers/${id.slice(0, 12)}/json`);
  }
}

/** Map a `docker inspect` / `GET /containers/{id}/json` document. */
export function dockerInspectToMeta(doc: unknown, where = 'docker inspect'): ContainerMeta {
  const d = obj(doc);
  const id = d && str(d.Id);
  if (!d || !id || !/^[0-9a-f]{64}$/.test(id)) throw new InputError('DOCKER_BAD_INSPECT', 'no 64-hex "Id" in the inspect document', where);
  const config = obj(d.Config) ?? {};
  const host = obj(d.HostConfig) ?? {};
  const meta = commonMeta(id, str(d.Name), str(config.Image), str(d.Image), d.Mounts, obj(config.Labels) ?? {});
  if (typeof host.Privileged === 'boolean') meta.privileged = host.Privileged;
  return meta;
}

/** Map one entry of `GET /containers/json` (Names, Image, ImageID, Labels, Mounts). */
export function dockerListToMeta(d: Record<string, unknown>, where = 'docker ps'): ContainerMeta {
  const id = str(d.Id);
  if (!id || !/^[0-9a-f]{64}$/.test(id)) throw new InputError('DOCKER_BAD_INSPECT', 'no 64-hex "Id" in the container list', where);
  const names = Array.isArray(d.Names) ? d.Names : [];
  return commonMeta(id, str(names[0]), str(d.Image), str(d.ImageID), d.Mounts, obj(d.Labels) ?? {});
}

/** The fields the inspect document and the list share (the list's Image is the reference the container was created from, too). */
function commonMeta(
  id: string,
  name: string | undefined,
  image: string | undefined,
  imageId: string | undefined,
  mounts: unknown,
  labels: Record<string, unknown>,
): ContainerMeta {
  const meta: ContainerMeta = { id };
  if (name) meta.name = name.replace(/^\//, '');
  if (image) meta.image = image;
  if (imageId?.startsWith('sha256:')) meta.imageDigest = imageId;
  if (Array.isArray(mounts)) {
    meta.mounts = mounts
      .map(obj)
      .filter((m): m is Record<string, unknown> => !!m)
      .slice(0, 256)
      .map((m) => ({
        source: str(m.Source) ?? str(m.Name) ?? '',
        destination: str(m.Destination) ?? '',
        readOnly: m.RW === false,
      }));
  }
  const pod = str(labels['io.kubernetes.pod.name']);
  const ns = str(labels['io.kubernetes.pod.namespace']);
  if (pod) meta.podName = pod;
  if (ns) meta.podNamespace = ns;
  return meta;
}
