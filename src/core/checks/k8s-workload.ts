// Adapter: Kubernetes workload objects (Pod, Deployment, DaemonSet,
// StatefulSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate,
// and List of them) to one normalised spec per container, init and
// ephemeral containers included.
import { InputError } from '../errors.js';
import type { ContainerSpec, SpecMount } from './spec.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'PodTemplate', 'List'];

export interface WorkloadResult {
  specs: ContainerSpec[];
  /** Objects that are not workloads (Service, ConfigMap, ...): `Kind/name`. */
  skipped: string[];
}

function seccompOf(profile: unknown): string | undefined {
  const p = obj(profile);
  switch (p.type) {
    case 'Unconfined':
      return 'unconfined';
    case 'RuntimeDefault':
      return 'runtime/default';
    case 'Localhost':
      return `localhost/${String(p.localhostProfile ?? '')}`;
    default:
      return undefined;
  }
}

function annotationSeccomp(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return v === 'unconfined' ? 'unconfined' : v;
}

function stringMap(o: Obj): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(o))
    if (typeof v === 'string') {
      out[k] = v;
      n++;
    }
  return n ? out : undefined;
}

/** The pod template of a workload object: [pod spec, pod metadata]. */
function podOf(o: Obj): [Obj, Obj] | undefined {
  const spec = obj(o.spec);
  switch (o.kind) {
    case 'Pod':
      return [spec, obj(o.metadata)];
    case 'PodTemplate':
      return [obj(obj(o.template).spec), obj(obj(o.template).metadata)];
    case 'CronJob': {
      const t = obj(obj(obj(spec.jobTemplate).spec).template);
      return [obj(t.spec), obj(t.metadata)];
    }
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job': {
      const t = obj(spec.template);
      return [obj(t.spec), obj(t.metadata)];
    }
    default:
      return undefined;
  }
}

export function k8sWorkloadSpecs(doc: unknown, where = 'manifest', depth = 0): WorkloadResult {
  const out: WorkloadResult = { specs: [], skipped: [] };
  if (doc === null || doc === undefined) return out;
  if (!isObj(doc)) throw new InputError('CHECK_INPUT_INVALID', 'not a Kubernetes object', where);
  const kind = doc.kind;
  if (typeof kind !== 'string') throw new InputError('CHECK_INPUT_INVALID', 'object without a kind', where);
  if (kind === 'List' || kind.endsWith('List')) {
    if (depth > 4) throw new InputError('CHECK_INPUT_INVALID', 'Lists nested too deep', where);
    if (!Array.isArray(doc.items)) throw new InputError('CHECK_INPUT_INVALID', `${kind} without items`, where);
    doc.items.forEach((it, i) => {
      const r = k8sWorkloadSpecs(it, `${where}.items[${i}]`, depth + 1);
      out.specs.push(...r.specs);
      out.skipped.push(...r.skipped);
    });
    return out;
  }
  const meta = obj(doc.metadata);
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '';
  const pod = podOf(doc);
  if (!pod) {
    out.skipped.push(`${kind}/${name}`);
    return out;
  }
  const [ps, pmeta] = pod;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  const podSc = obj(ps.securityContext);
  const podLabels = stringMap(obj(pmeta.labels));
  const ann = { ...obj(meta.annotations), ...obj(pmeta.annotations) };
  const volumes = new Map<string, Obj>();
  if (ps.volumes !== undefined && !Array.isArray(ps.volumes))
    throw new InputError('CHECK_INPUT_INVALID', 'spec.volumes is not a list', `${where} ${kind}/${name}`);
  for (const v of (ps.volumes as unknown[] | undefined) ?? []) if (isObj(v) && typeof v.name === 'string') volumes.set(v.name, v);
  const groups: Array<[string, 'container' | 'init' | 'ephemeral']> = [
    ['containers', 'container'],
    ['initContainers', 'init'],
    ['ephemeralContainers', 'ephemeral'],
  ];
  for (const [key, role] of groups) {
    const list = ps[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new InputError('CHECK_INPUT_INVALID', `spec.${key} is not a list`, `${where} ${kind}/${name}`);
    list.forEach((c, i) => {
      if (!isObj(c)) throw new InputError('CHECK_INPUT_INVALID', `spec.${key}[${i}] is not an object`, `${where} ${kind}/${name}`);
      const cname = typeof c.name === 'string' ? c.name : `${key}[${i}]`;
      const sc = obj(c.securityContext);
      const caps = obj(sc.capabilities);
      const capAdd = Array.isArray(caps.add) ? caps.add.map(String) : [];
      const mounts: SpecMount[] = [];
      for (const vm of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) {
        if (!isObj(vm)) continue;
        const vol = volumes.get(String(vm.name));
        const hp = vol && obj(vol.hostPath);
        if (vol && typeof hp?.path === 'string')
          mounts.push({ source: hp.path, destination: String(vm.mountPath ?? ''), type: 'hostPath', readOnly: vm.readOnly === true });
      }
      const spec: ContainerSpec = {
        kind,
        namespace,
        name,
        container: cname,
        role,
        privileged: sc.privileged === true,
        capAdd,
        mounts,
        hostPID: ps.hostPID === true,
        hostNetwork: ps.hostNetwork === true,
        hostIPC: ps.hostIPC === true,
      };
      if (typeof c.image === 'string') spec.image = c.image;
      if (podLabels) spec.labels = podLabels;
      const seccomp =
        seccompOf(sc.seccompProfile) ??
        annotationSeccomp(ann[`container.seccomp.security.alpha.kubernetes.io/${cname}`]) ??
        seccompOf(podSc.seccompProfile) ??
        annotationSeccomp(ann['seccomp.security.alpha.kubernetes.io/pod']);
      if (seccomp) spec.seccomp = seccomp;
      if (typeof sc.allowPrivilegeEscalation === 'boolean') spec.allowPrivilegeEscalation = sc.allowPrivilegeEscalation;
      out.specs.push(spec);
    });
  }
  return out;
}
