// A node's running container as the agent reports it and the server keeps it
// (the node inventory, docs/agent.md): identity, image, state, start time and
// the security settings of the environment checks. Built from a Docker
// inspect document through the checks' own adapter (./docker-inspect.ts), so
// the inventory and the start checks read a container the same way; read
// back (bounded and validated) on the server from the agent's message.
import { InputError } from '../errors.js';
import { dockerInspectSpecs } from './docker-inspect.js';
import { normaliseCap } from './capabilities.js';
import type { ContainerSpec } from './spec.js';

export interface NodeContainerMount {
  source: string;
  destination: string;
  readOnly: boolean;
}

export interface NodeContainer {
  /** Container id: 64 hex (Docker, Kubernetes) or a containerd identifier (`ctr run ... ID`). */
  id: string;
  /** `docker` or `containerd` (older agents send none: docker). */
  runtime: 'docker' | 'containerd';
  /** The containerd namespace (`k8s.io`, `default`); '' for Docker. */
  namespace: string;
  name: string;
  /** The image as the container was started with (`nginx:1.25`). */
  image: string;
  /** The image ID (`sha256:` digest of its config), as the engine reports it. */
  imageDigest: string;
  /** running, paused, restarting, exited, ... */
  state: string;
  /** RFC 3339 start time ("" when unknown). */
  startedAt: string;
  privileged: boolean;
  /** Added capabilities, upper case without `CAP_`. */
  capAdd: string[];
  /** Bind mounts of host paths. */
  hostMounts: NodeContainerMount[];
  hostPid: boolean;
  hostNetwork: boolean;
  hostIpc: boolean;
}

/** Most containers one inventory holds (a node runs far fewer). */
export const MAX_NODE_CONTAINERS = 1000;
const MAX_LIST = 64;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');

/** A container id the inventory accepts (Docker's 64 hex is one). */
export const NODE_CONTAINER_ID = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?=[A-Za-z0-9])){0,75}$/;

/** A container of the inventory from its `docker inspect` document. */
export function nodeContainerOf(doc: unknown, where = 'docker inspect'): NodeContainer {
  if (!isObj(doc) || typeof doc.Id !== 'string' || !/^[0-9a-f]{64}$/.test(doc.Id))
    throw new InputError('CHECK_INPUT_INVALID', 'no 64-hex "Id" in the inspect document', where);
  const spec = dockerInspectSpecs(doc, where)[0]!;
  const state = isObj(doc.State) ? doc.State : {};
  return nodeContainerOfSpec(spec, {
    id: doc.Id,
    runtime: 'docker',
    namespace: '',
    imageDigest: s(doc.Image, 80),
    state: s(state.Status, 20),
    startedAt: s(state.StartedAt, 40),
  });
}

/** A container of the inventory from the normalised spec of the checks and what the runtime says of its state. */
export function nodeContainerOfSpec(
  spec: ContainerSpec,
  m: Pick<NodeContainer, 'id' | 'runtime' | 'namespace' | 'imageDigest' | 'state' | 'startedAt'>,
): NodeContainer {
  return {
    id: m.id,
    runtime: m.runtime,
    namespace: m.namespace.slice(0, 76),
    name: (spec.kind === 'Pod' ? `${spec.name}/${spec.container}` : spec.name).slice(0, 253),
    image: (spec.image ?? '').slice(0, 500),
    imageDigest: /^sha256:[0-9a-f]{64}$/.test(m.imageDigest) ? m.imageDigest : '',
    state: m.state.slice(0, 20),
    startedAt: m.startedAt.slice(0, 40),
    privileged: spec.privileged,
    capAdd: [...new Set(spec.capAdd.map(normaliseCap))].slice(0, MAX_LIST).map((c) => c.slice(0, 40)),
    hostMounts: spec.mounts
      .filter((m) => m.type === 'bind')
      .slice(0, MAX_LIST)
      .map((m) => ({ source: m.source.slice(0, 1000), destination: m.destination.slice(0, 1000), readOnly: m.readOnly === true })),
    hostPid: spec.hostPID,
    hostNetwork: spec.hostNetwork,
    hostIpc: spec.hostIPC,
  };
}

/** An inventory sent by an agent, checked field by field (the server's reader). */
export function readNodeContainers(json: string, where = 'inventory'): NodeContainer[] {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new InputError('CHECK_INPUT_INVALID', 'inventory is not JSON', where);
  }
  if (!Array.isArray(v)) throw new InputError('CHECK_INPUT_INVALID', 'inventory is not a list', where);
  if (v.length > MAX_NODE_CONTAINERS) throw new InputError('CHECK_INPUT_INVALID', `more than ${MAX_NODE_CONTAINERS} containers`, where);
  const bad = (i: number, field: string) => new InputError('CHECK_INPUT_INVALID', `bad or missing ${field}`, `${where}[${i}]`);
  const seen = new Set<string>();
  // One row per container id (the server's key): a repeated id (one containerd id in two namespaces) keeps the first.
  const unique = (c: NodeContainer) => !seen.has(c.id) && !!seen.add(c.id);
  return v
    .map((c: unknown, i): NodeContainer => {
      if (!isObj(c)) throw bad(i, 'container');
      if (typeof c.id !== 'string' || !NODE_CONTAINER_ID.test(c.id)) throw bad(i, 'id');
      const runtime = c.runtime ?? 'docker';
      if (runtime !== 'docker' && runtime !== 'containerd') throw bad(i, 'runtime');
      const namespace = c.namespace ?? '';
      if (typeof namespace !== 'string' || (namespace !== '' && !NODE_CONTAINER_ID.test(namespace))) throw bad(i, 'namespace');
      for (const k of ['name', 'image', 'imageDigest', 'state', 'startedAt'] as const) if (typeof c[k] !== 'string' || c[k].length > 1000) throw bad(i, k);
      if (c.imageDigest !== '' && !/^sha256:[0-9a-f]{64}$/.test(c.imageDigest as string)) throw bad(i, 'imageDigest');
      for (const k of ['privileged', 'hostPid', 'hostNetwork', 'hostIpc'] as const) if (typeof c[k] !== 'boolean') throw bad(i, k);
      if (!Array.isArray(c.capAdd) || c.capAdd.length > MAX_LIST || c.capAdd.some((x) => typeof x !== 'string' || x.length > 40)) throw bad(i, 'capAdd');
      if (!Array.isArray(c.hostMounts) || c.hostMounts.length > MAX_LIST) throw bad(i, 'hostMounts');
      const hostMounts = c.hostMounts.map((m: unknown) => {
        if (!isObj(m) || typeof m.source !== 'string' || typeof m.destination !== 'string' || typeof m.readOnly !== 'boolean') throw bad(i, 'hostMounts');
        return { source: m.source.slice(0, 1000), destination: m.destination.slice(0, 1000), readOnly: m.readOnly };
      });
      return {
        id: c.id,
        runtime,
        namespace,
        name: c.name as string,
        image: c.image as string,
        imageDigest: c.imageDigest as string,
        state: c.state as string,
        startedAt: c.startedAt as string,
        privileged: c.privileged as boolean,
        capAdd: c.capAdd as string[],
        hostMounts,
        hostPid: c.hostPid as boolean,
        hostNetwork: c.hostNetwork as boolean,
        hostIpc: c.hostIpc as boolean,
      };
    })
    .filter(unique);
}
