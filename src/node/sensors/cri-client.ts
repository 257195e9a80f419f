// CRI metadata (containerd, CRI-O) for the container resolver. Owns: the
// mapping of a CRI ContainerStatus as `crictl inspect` prints it (status +
// the runtime's verbose `info`) to ContainerMeta, and a client that asks
// `crictl` when a CRI socket exists. (Speaking the CRI gRPC API directly is
// left for the agent issue, which brings @grpc/grpc-js.)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { obj, str, type ContainerMeta, type MetadataClient } from './container-resolver.js';

export const CRI_SOCKETS = ['/run/containerd/containerd.sock', '/run/crio/crio.sock', '/var/run/crio/crio.sock'];

/** Map `crictl inspect -o json ID` output. */
export function criInspectToMeta(doc: unknown, where = 'crictl inspect'): ContainerMeta {
  const d = obj(doc);
  const status = d && obj(d.status);
  const id = status && str(status.id);
  if (!status || !id || !/^[0-9a-f]{64}$/.test(id)) throw new InputError('CRI_BAD_INSPECT', 'no 64-hex "status.id" in the inspect document', where);
  const meta: ContainerMeta = { id };
  const md = obj(status.metadata);
  const name = md && str(md.name);
  if (name) meta.name = name;
  const image = str(obj(status.image)?.image);
  if (image) meta.image = image;
  const ref = str(status.imageRef);
  const dig = ref ? /@(sha256:[0-9a-f]{64})$/.exec(ref) : null;
  if (dig) meta.imageDigest = dig[1];
  else if (ref?.startsWith('sha256:')) meta.imageDigest = ref;
  const labels = obj(status.labels) ?? {};
  const pod = str(labels['io.kubernetes.pod.name']);
  const ns = str(labels['io.kubernetes.pod.namespace']);
  if (pod) meta.podName = pod;
  if (ns) meta.podNamespace = ns;
  if (Array.isArray(status.mounts)) {
    meta.mounts = status.mounts
      .map(obj)
      .filter((m): m is Record<string, unknown> => !!m)
      .slice(0, 256)
      .map((m) => ({
        source: str(m.hostPath) ?? '',
        destination: str(m.containerPath) ?? '',
        readOnly: m.readonly === true,
      }));
  }
  // containerd: info.config.linux.security_context.privileged; CRI-O: info.privileged.
  const info = obj(d.info) ?? {};
  const sc = obj(obj(obj(info.config)?.linux)?.security_context);
  if (typeof sc?.privileged === 'boolean') meta.privileged = sc.privileged;
  else if (typeof info.privileged === 'boolean') meta.privileged = info.privileged;
  return meta;
}

export type Runner = (file: string, args: string[], timeoutMs: number) => Promise<{ code: number; stdout: string }>;

const defaultRunner: Runner = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
      resolve({ code: err ? Number((err as { code?: unknown }).code) : 0, stdout });
    });
  });

export class CrictlClient implements MetadataClient {
  readonly name = 'cri';
  constructor(
    readonly endpoint: string,
    private readonly run: Runner = defaultRunner,
    private readonly crictl = 'crictl',
    private readonly timeoutMs = 3000,
  ) {}

  static detect(): string | undefined {
    return CRI_SOCKETS.find((s) => existsSync(s));
  }

  async inspect(id: string): Promise<ContainerMeta | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(id)) throw new InputError('CRI_BAD_ID', `not a container id: ${id.slice(0, 80)}`);
    const r = await this.run(this.crictl, ['--runtime-endpoint', `unix://${this.endpoint}`, 'inspect', '-o', 'json', id], this.timeoutMs);
    if (r.code !== 0) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new InputError('CRI_BAD_JSON', 'crictl inspect output is not JSON', `crictl inspect ${id.slice(0, 12)}`);
    }
    return criInspectToMeta(doc, `crictl inspect ${id.slice(0, 12)}`);
  }
}
