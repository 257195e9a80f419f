// The `ka.*` and `jevt.*` field family: Falco's k8saudit plugin fields (and
// the json plugin's `jevt.*`/`json.*`) read from a Kubernetes audit event.
// Values follow Falco's conventions so Falco's rule files behave the same:
// every value is a string (booleans "true"/"false", numbers in decimal, objects
// as JSON text), list fields are string lists, a missing value is undefined.
// Extraction is lazy: a field reads only the path it names, so large request
// bodies are never walked unless a rule asks for them.
import type { FieldDef, FieldFamily, K8sAuditEvent } from '../../events/event.js';
import { auditEventRawTimeNs } from '../../k8s/audit-event.js';
import { ROLE_MEMORY, RoleMemory } from '../../k8s/role-memory.js';
import { parseJsonPointer, resolveJsonPointer } from '../../k8s/json-pointer.js';
import { normalisePath } from '../../checks/host-mounts.js';

type Obj = Record<string, unknown>;
type Val = string | string[] | undefined;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function at(root: unknown, ...keys: string[]): unknown {
  let cur: unknown = root;
  for (const k of keys) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

/** JSON text, or undefined for a value too deeply nested to print (a crafted event must not crash the engine). */
function json(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** A JSON value as Falco prints it: strings raw, everything else as JSON text. */
function str(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return json(v);
}

function strList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const x of v) {
    const s = str(x);
    if (s !== undefined) out.push(s);
  }
  return out;
}

// Unrolled per depth: these run for every event and rule, rest arguments would allocate.
function key(...keys: string[]): (e: K8sAuditEvent) => string | undefined {
  const [a, b, c] = keys as [string, string?, string?];
  if (keys.length === 1) return (e) => str(e.audit[a]);
  if (keys.length === 2)
    return (e) => {
      const o1 = obj(e.audit[a]);
      return o1 ? str(o1[b!]) : undefined;
    };
  if (keys.length === 3)
    return (e) => {
      const o2 = obj(obj(e.audit[a])?.[b!]);
      return o2 ? str(o2[c!]) : undefined;
    };
  return (e) => str(at(e.audit, ...keys));
}

function keyList(...keys: string[]): (e: K8sAuditEvent) => string[] | undefined {
  return (e) => strList(at(e.audit, ...keys));
}

// ---- containers --------------------------------------------------------

type ContainerGroup = 'containers' | 'initContainers' | 'ephemeralContainers' | 'all';

/**
 * The request's containers of a group. `containers` in Vigil means every
 * container that will run: regular, init and ephemeral (an attacker can hide
 * a privileged container in any of them). The `ephemeralcontainers`
 * subresource carries either a Pod or (Kubernetes 1.16-1.21) an
 * EphemeralContainers object with the list at its top level.
 */
function containersOf(e: K8sAuditEvent, group: ContainerGroup): Obj[] | undefined {
  const req = obj(e.audit.requestObject);
  if (!req) return undefined;
  const spec = obj(req.spec);
  const pick = (name: string): unknown[] | undefined => {
    const v = spec?.[name] ?? (name === 'ephemeralContainers' ? req.ephemeralContainers : undefined);
    return Array.isArray(v) ? v : undefined;
  };
  let list: unknown[] | undefined;
  if (group === 'all') {
    const a = pick('containers');
    const b = pick('initContainers');
    const c = pick('ephemeralContainers');
    if (!a && !b && !c) return undefined;
    list = [...(a ?? []), ...(b ?? []), ...(c ?? [])];
  } else list = pick(group);
  if (!list) return undefined;
  return list.map((c) => obj(c) ?? {});
}

function indexed<T>(list: T[] | undefined, arg: string | undefined): T[] | undefined {
  if (!list) return undefined;
  if (arg === undefined || arg === '' || !/^\d+$/.test(arg)) return list;
  const i = Number(arg);
  return i < list.length ? [list[i]!] : undefined;
}

/** Image reference without tag or digest (`registry:5000/a/b:tag@sha256:..` -> `registry:5000/a/b`). */
export function imageRepository(image: string): string {
  let s = image;
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) s = s.slice(0, colon);
  return s;
}

function perContainer(group: ContainerGroup, pick: (c: Obj, e: K8sAuditEvent) => unknown, flatten = false) {
  return (e: K8sAuditEvent, arg?: string): string[] | undefined => {
    const cs = indexed(containersOf(e, group), arg);
    if (!cs) return undefined;
    const out: string[] = [];
    for (const c of cs) {
      const v = pick(c, e);
      if (flatten && Array.isArray(v)) {
        for (const x of v) {
          const s = str(x);
          if (s !== undefined) out.push(s);
        }
      } else {
        const s = str(v);
        if (s !== undefined) out.push(s);
      }
    }
    return out;
  };
}

function hostPorts(c: Obj): string[] {
  const ports = c.ports;
  if (!Array.isArray(ports)) return [];
  const out: string[] = [];
  for (const p of ports) {
    const hp = at(p, 'hostPort') ?? at(p, 'containerPort');
    const s = str(hp);
    if (s !== undefined) out.push(s);
  }
  return out;
}

function containerFields(prefix: string, group: ContainerGroup, what: string): FieldDef<K8sAuditEvent>[] {
  const f = (name: string, desc: string, pick: (c: Obj, e: K8sAuditEvent) => unknown, flatten = false): FieldDef<K8sAuditEvent> => ({
    name: `${prefix}.${name}`,
    type: 'strings',
    list: true,
    arg: 'optional',
    desc: `${desc} of ${what} (optional [index]).`,
    extract: perContainer(group, pick, flatten),
  });
  const sc = (c: Obj, k: string): unknown => at(c, 'securityContext', k);
  /** A `securityContext.KEY values` field. */
  const scf = (name: string, k: string) => f(name, `securityContext.${k} values`, (c) => sc(c, k));
  const effective = (k: string) => (c: Obj, e: K8sAuditEvent) => sc(c, k) ?? at(e.audit, 'requestObject', 'spec', 'securityContext', k) ?? 0;
  return [
    f('image', 'Images', (c) => c.image),
    f('image.repository', 'Image repositories (no tag or digest)', (c) => (typeof c.image === 'string' ? imageRepository(c.image) : undefined)),
    f('name', 'Names', (c) => c.name),
    f('privileged', 'securityContext.privileged values (containers that set it)', (c) => sc(c, 'privileged')),
    scf('allow_privilege_escalation', 'allowPrivilegeEscalation'),
    scf('read_only_fs', 'readOnlyRootFilesystem'),
    scf('run_as_user', 'runAsUser'),
    f('eff_run_as_user', 'Effective uids (container, else pod securityContext, else 0)', effective('runAsUser')),
    scf('run_as_group', 'runAsGroup'),
    f('eff_run_as_group', 'Effective gids (container, else pod securityContext, else 0)', effective('runAsGroup')),
    scf('proc_mount', 'procMount'),
    f('add_capabilities', 'Added capabilities', (c) => at(c, 'securityContext', 'capabilities', 'add'), true),
    f('host_port', 'Host ports (containerPort when no hostPort)', (c) => hostPorts(c), true),
  ];
}

// ---- volumes -----------------------------------------------------------

function volumes(e: K8sAuditEvent): Obj[] | undefined {
  const v = at(e.audit, 'requestObject', 'spec', 'volumes');
  return Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : undefined;
}

function hostPaths(e: K8sAuditEvent, arg?: string): string[] | undefined {
  const vs = indexed(volumes(e), arg);
  if (!vs) return undefined;
  const out: string[] = [];
  for (const v of vs) {
    const p = at(v, 'hostPath', 'path');
    if (typeof p === 'string') out.push(p);
  }
  return out;
}

/**
 * Host paths that give a container the node: the product's dangerous mounts
 * (/, /boot, /dev, /etc, /proc, /root, /sys, /var/run and /run with the
 * runtime sockets, /var/lib/kubelet, /etc/kubernetes, the runtimes' state) and
 * everything under them, except files pods mount for ordinary reasons.
 */
export const SENSITIVE_HOST_PATH_PREFIXES: readonly string[] = [
  '/boot',
  '/dev',
  '/etc',
  '/proc',
  '/root',
  '/sys',
  '/var/run',
  '/run',
  '/var/lib/kubelet',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/crio',
  '/var/lib/etcd',
  '/home/admin',
  '/usr/bin',
  '/usr/sbin',
  '/bin',
  '/sbin',
  '/lib/modules',
];
export const HARMLESS_HOST_PATHS: ReadonlySet<string> = new Set([
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/hostname',
  '/etc/localtime',
  '/etc/timezone',
  '/run/xtables.lock',
  '/var/run/xtables.lock',
  '/etc/ssl/certs',
  '/etc/pki/tls/certs',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
]);

const SENSITIVE_DIRS = SENSITIVE_HOST_PATH_PREFIXES.map((pre) => `${pre}/`);

export function isSensitiveHostPath(raw: string): boolean {
  const p = normalisePath(raw);
  if (p === '/') return true;
  if (HARMLESS_HOST_PATHS.has(p)) return false;
  for (let i = 0; i < SENSITIVE_DIRS.length; i++) if (p === SENSITIVE_HOST_PATH_PREFIXES[i] || p.startsWith(SENSITIVE_DIRS[i]!)) return true;
  return false;
}

// ---- RBAC rules --------------------------------------------------------

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*']);

function roleRules(e: K8sAuditEvent, arg?: string): Obj[] | undefined {
  const r = at(e.audit, 'requestObject', 'rules');
  return indexed(Array.isArray(r) ? r.map((x) => obj(x) ?? {}) : undefined, arg);
}

function rulesField(k: string) {
  return (e: K8sAuditEvent, arg?: string): string[] | undefined => {
    const rs = roleRules(e, arg);
    if (!rs) return undefined;
    const out: string[] = [];
    for (const r of rs) {
      const v = r[k];
      if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
    }
    return out;
  };
}

/** Resources (or non-resource URLs) that a rule of the role may write: a write verb and the resource in the same rule. */
function writeTargets(k: 'resources' | 'nonResourceURLs') {
  return (e: K8sAuditEvent): string[] | undefined => {
    const rs = roleRules(e);
    if (!rs) return undefined;
    const out: string[] = [];
    for (const r of rs) {
      const verbs = Array.isArray(r.verbs) ? r.verbs : [];
      if (!verbs.some((v) => typeof v === 'string' && WRITE_VERBS.has(v))) continue;
      const v = r[k];
      if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
    }
    return out;
  };
}

// ---- jevt ----------------------------------------------------------------

const pointerCache = new Map<string, string[] | undefined>();

function pointerTokens(ptr: string): string[] | undefined {
  let t = pointerCache.get(ptr);
  if (t === undefined && !pointerCache.has(ptr)) {
    t = parseJsonPointer(ptr);
    if (pointerCache.size < 10_000) pointerCache.set(ptr, t);
  }
  return t;
}

function jevtValue(e: K8sAuditEvent, arg?: string): string | undefined {
  if (arg === undefined) return undefined;
  const tokens = pointerTokens(arg);
  if (!tokens) return undefined;
  const v = resolveJsonPointer(e.audit, tokens);
  return v === null ? 'null' : str(v);
}

function rawtimeNs(e: K8sAuditEvent): string {
  // Nanoseconds since epoch as Falco's jevt.rawtime; a string so no precision is lost.
  return auditEventRawTimeNs(e.audit).toString();
}

function uriParam(e: K8sAuditEvent, arg?: string): string | undefined {
  const uri = e.audit.requestURI;
  if (typeof uri !== 'string' || arg === undefined) return undefined;
  const q = uri.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(uri.slice(q + 1)).get(arg) ?? undefined;
}

const s = (name: string, desc: string, extract: (e: K8sAuditEvent, arg?: string) => Val, arg?: 'required' | 'optional'): FieldDef<K8sAuditEvent> =>
  arg ? { name, type: 'string', desc, extract, arg } : { name, type: 'string', desc, extract };
const l = (name: string, desc: string, extract: (e: K8sAuditEvent, arg?: string) => Val, arg?: 'required' | 'optional'): FieldDef<K8sAuditEvent> =>
  arg ? { name, type: 'strings', list: true, desc, extract, arg } : { name, type: 'strings', list: true, desc, extract };

const fields: FieldDef<K8sAuditEvent>[] = [
  s('ka.auditid', 'The unique id of the audit event (one per request, shared by its stages).', key('auditID')),
  s('ka.stage', 'Stage of the request (RequestReceived, ResponseStarted, ResponseComplete, Panic).', key('stage')),
  s('ka.level', 'Audit level of the event (Metadata, Request, RequestResponse).', key('level')),
  s('ka.auth.decision', 'The authorization decision (allow, forbid).', key('annotations', 'authorization.k8s.io/decision')),
  s('ka.auth.reason', 'The authorization reason.', key('annotations', 'authorization.k8s.io/reason')),
  s('ka.user.name', 'The user name performing the request.', key('user', 'username')),
  l('ka.user.groups', 'The groups of the user.', keyList('user', 'groups')),
  s('ka.impuser.name', 'The impersonated user name.', key('impersonatedUser', 'username')),
  s('ka.verb', 'The action being performed (get, list, create, ...).', key('verb')),
  s('ka.uri', 'The request URI as sent from client to server.', key('requestURI')),
  s('ka.uri.param', 'The first value of a query parameter of the URI (ka.uri.param[command]).', uriParam, 'required'),
  s('ka.target.name', 'The target object name.', key('objectRef', 'name')),
  s('ka.target.namespace', 'The target object namespace.', key('objectRef', 'namespace')),
  s('ka.target.resource', 'The target object resource.', key('objectRef', 'resource')),
  s('ka.target.subresource', 'The target object subresource.', key('objectRef', 'subresource')),
  s('ka.target.apigroup', 'The target object API group ("" or absent for core).', key('objectRef', 'apiGroup')),
  l('ka.sourceips', 'The client IP addresses of the request.', keyList('sourceIPs')),
  s('ka.useragent', 'The user agent of the client.', key('userAgent')),
  s('ka.resp.name', 'The response object name.', key('responseObject', 'metadata', 'name')),
  s('ka.response.code', 'The response HTTP status code.', key('responseStatus', 'code')),
  s('ka.response.reason', 'The response reason (usually present only for failures).', key('responseStatus', 'reason')),
  // RBAC bindings and roles
  l('ka.req.binding.subjects', 'The subjects (JSON objects) a role binding links.', keyList('requestObject', 'subjects')),
  l('ka.req.binding.subjects.name', 'The names of the subjects a role binding links.', (e) => {
    const v = at(e.audit, 'requestObject', 'subjects');
    return Array.isArray(v) ? v.map((x) => str(at(x, 'name')) ?? '') : undefined;
  }),
  s('ka.req.binding.role', 'The role a role binding links (roleRef.name).', key('requestObject', 'roleRef', 'name')),
  s('ka.req.binding.role.kind', 'The kind of role a binding links (Role or ClusterRole).', key('requestObject', 'roleRef', 'kind')),
  s('ka.req.binding.role.high_privilege', 'Whether the bound role was seen created with high privileges earlier in this stream ("true"/"false").', (e) => {
    const ref = obj(at(e.audit, 'requestObject', 'roleRef'));
    if (!ref || typeof ref.name !== 'string') return undefined;
    const mem = (e as unknown as Record<symbol, RoleMemory | undefined>)[ROLE_MEMORY];
    const ns = str(at(e.audit, 'objectRef', 'namespace'));
    return String(mem?.has(RoleMemory.key(String(ref.kind ?? 'ClusterRole'), ref.name, ns)) ?? false);
  }),
  s('ka.req.binding.subject.has_name', 'Deprecated; always "true" (kept for old rule files).', (_e, arg) => (arg ? 'true' : undefined), 'required'),
  l(
    'ka.req.role.rules',
    'The rules of a Role/ClusterRole, each as JSON.',
    (e, arg) => {
      const rs = roleRules(e, arg);
      return rs ? rs.map((r) => json(r) ?? '') : undefined;
    },
    'optional',
  ),
  l('ka.req.role.rules.apiGroups', "The API groups of the role's rules.", rulesField('apiGroups'), 'optional'),
  l('ka.req.role.rules.nonResourceURLs', "The non-resource URLs of the role's rules.", rulesField('nonResourceURLs'), 'optional'),
  l('ka.req.role.rules.verbs', "The verbs of the role's rules.", rulesField('verbs'), 'optional'),
  l('ka.req.role.rules.resources', "The resources of the role's rules.", rulesField('resources'), 'optional'),
  l(
    'ka.req.role.rules.write_resources',
    'Resources granted a write verb (create, update, patch, delete, deletecollection, escalate, bind, impersonate, *) in the same rule.',
    writeTargets('resources'),
  ),
  l('ka.req.role.rules.write_nonresource_urls', 'Non-resource URLs granted a write verb in the same rule.', writeTargets('nonResourceURLs')),
  // ConfigMaps and Services
  s('ka.req.configmap.name', 'If the request object refers to a configmap, its name.', key('objectRef', 'name')),
  s('ka.req.configmap.obj', 'If the request object refers to a configmap, its data as JSON.', key('requestObject', 'data')),
  s('ka.req.service.type', 'The service type.', key('requestObject', 'spec', 'type')),
  l('ka.req.service.ports', 'The service ports, each as JSON.', (e, arg) => indexed(keyList('requestObject', 'spec', 'ports')(e), arg), 'optional'),
  // Pods
  ...containerFields('ka.req.pod.containers', 'all', 'all containers (regular, init and ephemeral)'),
  ...containerFields('ka.req.pod.initContainers', 'initContainers', 'init containers'),
  ...containerFields('ka.req.pod.ephemeralContainers', 'ephemeralContainers', 'ephemeral containers'),
  s('ka.req.container.image', 'Deprecated: the image of the first container.', (e) => perContainer('containers', (c) => c.image)(e, '0')?.[0]),
  s('ka.req.container.image.repository', 'Deprecated: the image repository of the first container.', (e) => {
    const img = perContainer('containers', (c) => c.image)(e, '0')?.[0];
    return img === undefined ? undefined : imageRepository(img);
  }),
  s('ka.req.container.privileged', 'Deprecated: "true" if any container is privileged.', (e) => {
    const cs = containersOf(e, 'all');
    return cs ? String(cs.some((c) => at(c, 'securityContext', 'privileged') === true)) : undefined;
  }),
  s('ka.req.pod.host_ipc', "The pod's hostIPC flag.", key('requestObject', 'spec', 'hostIPC')),
  s('ka.req.pod.host_network', "The pod's hostNetwork flag.", key('requestObject', 'spec', 'hostNetwork')),
  s('ka.req.container.host_network', 'Deprecated alias of ka.req.pod.host_network.', key('requestObject', 'spec', 'hostNetwork')),
  s('ka.req.pod.host_pid', "The pod's hostPID flag.", key('requestObject', 'spec', 'hostPID')),
  s('ka.req.pod.run_as_user', 'The pod securityContext runAsUser.', key('requestObject', 'spec', 'securityContext', 'runAsUser')),
  s('ka.req.pod.run_as_group', 'The pod securityContext runAsGroup.', key('requestObject', 'spec', 'securityContext', 'runAsGroup')),
  s('ka.req.pod.fs_group', 'The pod securityContext fsGroup.', key('requestObject', 'spec', 'securityContext', 'fsGroup')),
  l('ka.req.pod.supplemental_groups', 'The pod securityContext supplementalGroups.', keyList('requestObject', 'spec', 'securityContext', 'supplementalGroups')),
  l('ka.req.pod.volumes.hostpath', 'The hostPath paths of all volumes, as written.', hostPaths, 'optional'),
  l(
    'ka.req.pod.volumes.hostpath.normalized',
    'The hostPath paths of all volumes, normalised (no trailing slash, `//` or `.`/`..` segments).',
    (e, arg) => hostPaths(e, arg)?.map(normalisePath),
    'optional',
  ),
  l(
    'ka.req.pod.volumes.hostpath.sensitive',
    'The hostPath paths that expose the node (/, /etc, /proc, /root, /var/run, runtime sockets, /var/lib/kubelet, ... but not /etc/hosts, /etc/resolv.conf, ...); empty when none.',
    (e) => hostPaths(e)?.filter(isSensitiveHostPath),
  ),
  s(
    'ka.req.volume.hostpath',
    'Deprecated: "true" if a volume uses the host path given (a trailing * matches a prefix).',
    (e, arg) => {
      if (!arg) return undefined;
      const ps = hostPaths(e);
      if (!ps) return undefined;
      const prefix = arg.endsWith('*') ? arg.slice(0, -1) : undefined;
      return String(ps.some((p) => (prefix !== undefined ? p.startsWith(prefix) : p === arg)));
    },
    'required',
  ),
  l(
    'ka.req.pod.volumes.flexvolume_driver',
    'The flexVolume drivers of all volumes.',
    (e, arg) => {
      const vs = indexed(volumes(e), arg);
      return vs
        ? vs.flatMap((v) => {
            const d = at(v, 'flexVolume', 'driver');
            return typeof d === 'string' ? [d] : [];
          })
        : undefined;
    },
    'optional',
  ),
  l(
    'ka.req.pod.volumes.volume_type',
    'The volume types (hostPath, secret, ...) of all volumes.',
    (e, arg) => {
      const vs = indexed(volumes(e), arg);
      return vs ? vs.flatMap((v) => Object.keys(v).filter((k) => k !== 'name')) : undefined;
    },
    'optional',
  ),
  // The json plugin's fields over the whole event
  s('jevt.value', 'The value at a JSON pointer (RFC 6901) into the event, e.g. jevt.value[/objectRef/name]; objects as JSON.', jevtValue, 'required'),
  s('jevt.obj', 'The whole event as JSON.', (e) => json(e.audit)),
  s('jevt.rawtime', 'The event time in nanoseconds since the epoch.', rawtimeNs),
  s('jevt.time', 'The event time as a string.', (e) => new Date(Math.floor(e.time)).toISOString()),
  s('jevt.time.iso8601', 'The event time in ISO 8601.', (e) => new Date(Math.floor(e.time)).toISOString()),
  s('json.value', 'Alias of jevt.value.', jevtValue, 'required'),
  s('json.obj', 'Alias of jevt.obj.', (e) => json(e.audit)),
  s('json.rawtime', 'Alias of jevt.rawtime.', rawtimeNs),
];

export const k8sauditFields: FieldFamily<K8sAuditEvent> = {
  id: 'k8saudit',
  source: 'k8s_audit',
  fields,
};
