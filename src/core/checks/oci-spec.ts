// Adapter: an OCI runtime spec (config.json, what containerd keeps for each
// container and hands to runc) to the normalised container spec of the
// environment checks. The spec states what the container gets, not what was
// asked for, so the settings are derived:
//   capAdd       the bounding set beyond the runtime default (./capabilities.ts)
//   privileged   every capability, no masked and no read-only paths (what
//                `ctr run --privileged` and the CRI plugin's privileged mode write)
//   hostPID/...  no pid/network/ipc namespace of its own (none listed, or one joined by path /proc/1/ns/*)
//   mounts       bind mounts (type `bind`, or an option `bind`/`rbind`) of host paths
//   seccomp      no linux.seccomp at all: `unconfined` (nothing filters system calls)
// Kubernetes' labels (io.kubernetes.*) name the pod, its namespace and the container.
import { InputError } from '../errors.js';
import { DEFAULT_CAPABILITIES, normaliseCap } from './capabilities.js';
import type { ContainerSpec, SpecMount } from './spec.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_ITEMS = 256;

/** Capabilities only a privileged container holds by default (all of them are in every privileged spec). */
const PRIVILEGED_MARKERS = ['SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'NET_ADMIN', 'MAC_ADMIN'];

export interface OciContainerMeta {
  id: string;
  image: string;
  labels: Record<string, string>;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_ITEMS) : [];
}

/** The namespace of `type` is the host's: not listed, or joined by a path into the host's init process. */
function hostNamespace(namespaces: Obj[], type: string): boolean {
  const ns = namespaces.find((n) => n.type === type);
  if (!ns) return true;
  return typeof ns.path === 'string' && /^\/proc\/1\/ns\//.test(ns.path);
}

export function ociSpecContainerSpec(doc: unknown, meta: OciContainerMeta, where = 'OCI runtime spec'): ContainerSpec {
  if (!isObj(doc)) throw new InputError('CHECK_INPUT_INVALID', 'the OCI runtime spec is not an object', where);
  const linux = isObj(doc.linux) ? doc.linux : {};
  const proc = isObj(doc.process) ? doc.process : {};
  const caps = isObj(proc.capabilities) ? proc.capabilities : {};
  const bounding = [...new Set(strings(caps.bounding).map(normaliseCap))];
  const namespaces = Array.isArray(linux.namespaces) ? linux.namespaces.filter(isObj).slice(0, 16) : [];
  const mounts: SpecMount[] = [];
  for (const m of Array.isArray(doc.mounts) ? doc.mounts.filter(isObj).slice(0, MAX_ITEMS) : []) {
    const opts = strings(m.options);
    const bind = m.type === 'bind' || opts.includes('bind') || opts.includes('rbind');
    if (!bind || typeof m.source !== 'string' || !m.source.startsWith('/')) continue;
    mounts.push({ source: m.source, destination: typeof m.destination === 'string' ? m.destination : '', type: 'bind', readOnly: opts.includes('ro') });
  }
  const privileged =
    PRIVILEGED_MARKERS.every((c) => bounding.includes(c)) && strings(linux.maskedPaths).length === 0 && strings(linux.readonlyPaths).length === 0;
  const l = meta.labels;
  const pod = l['io.kubernetes.pod.name'];
  const container = l['io.kubernetes.container.name'];
  const spec: ContainerSpec = {
    kind: pod ? 'Pod' : 'ContainerdContainer',
    namespace: l['io.kubernetes.pod.namespace'] ?? '',
    name: pod ?? meta.id,
    container: container ?? meta.id,
    privileged,
    // privileged stands for all of them, as in Docker's inspect (CapAdd empty, Privileged true)
    capAdd: privileged ? [] : bounding.filter((c) => !DEFAULT_CAPABILITIES.has(c)).sort(),
    mounts,
    hostPID: hostNamespace(namespaces, 'pid'),
    hostNetwork: hostNamespace(namespaces, 'network'),
    hostIPC: hostNamespace(namespaces, 'ipc'),
  };
  if (meta.image) spec.image = meta.image;
  if (Object.keys(l).length) spec.labels = { ...l };
  if (!isObj(linux.seccomp)) spec.seccomp = 'unconfined';
  if (proc.noNewPrivileges === true) spec.noNewPrivileges = true; // absent is the runtime default, not an explicit choice
  return spec;
}
