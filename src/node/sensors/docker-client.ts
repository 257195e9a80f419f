// Container metadata from the Docker Engine API: `GET /containers/{id}/json`
// through ../docker/engine-api.ts (bounded size and time). Owns the mapping of the inspect document to
// ContainerMeta (name, image, privileged, mounts, Kubernetes pod labels).
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import type { ContainerMeta, MetadataClient } from './container-resolver.js';
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

  async inspect(id: string): Promise<ContainerMeta | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(id)) throw new InputError('DOCKER_BAD_ID', `not a container id: ${id.slice(0, 80)}`);
    const doc = await this.engine.inspectContainer(id);
    return doc === undefined ? undefined : dockerInspectToMeta(doc, `docker ${this.socketPath} /containers/${id.slice(0, 12)}/json`);
  }
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Map a `docker inspect` / `GET /containers/{id}/json` document. */
export function dockerInspectToMeta(doc: unknown, where = 'docker inspect'): ContainerMeta {
  const d = obj(doc);
  const id = d && str(d.Id);
  if (!d || !id || !/^[0-9a-f]{64}$/.test(id)) throw new InputError('DOCKER_BAD_INSPECT', 'no 64-hex "Id" in the inspect document', where);
  const config = obj(d.Config) ?? {};
  const host = obj(d.HostConfig) ?? {};
  const labels = obj(config.Labels) ?? {};
  const meta: ContainerMeta = { id };
  const name = str(d.Name);
  if (name) meta.name = name.replace(/^\//, '');
  const image = str(config.Image);
  if (image) meta.image = image;
  const imageId = str(d.Image);
  if (imageId?.startsWith('sha256:')) meta.imageDigest = imageId;
  if (typeof host.Privileged === 'boolean') meta.privileged = host.Privileged;
  if (Array.isArray(d.Mounts)) {
    meta.mounts = d.Mounts.map(obj)
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
