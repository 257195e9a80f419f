// Builders of realistic audit.k8s.io/v1 events for rule tests, the
// benchmark's generator and docs examples: one call per kind of request.
import type { K8sAuditEvent } from '../events/event.js';

export interface AuditSpec {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  user?: string;
  groups?: string[];
  code?: number;
  stage?: 'ResponseStarted' | 'ResponseComplete' | 'RequestReceived';
  level?: 'Metadata' | 'Request' | 'RequestResponse';
  requestObject?: Record<string, unknown>;
  responseObject?: Record<string, unknown>;
  uri?: string;
  auditID?: string;
  /** ms since epoch */
  time?: number;
  sourceIP?: string;
}

let seq = 0;

export function auditEvent(s: AuditSpec): K8sAuditEvent {
  const time = s.time ?? Date.UTC(2026, 0, 15, 12, 0, 0);
  const ts = new Date(time).toISOString().replace('Z', '000Z');
  const group =
    s.apiGroup ??
    (['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'].includes(s.resource)
      ? 'rbac.authorization.k8s.io'
      : ['selfsubjectrulesreviews', 'selfsubjectaccessreviews'].includes(s.resource)
        ? 'authorization.k8s.io'
        : '');
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  const uri =
    s.uri ??
    `${base}${s.namespace ? `/namespaces/${s.namespace}` : ''}/${s.resource}${s.name && s.verb !== 'create' ? `/${s.name}` : ''}${s.subresource ? `/${s.subresource}` : ''}`;
  const objectRef: Record<string, unknown> = { resource: s.resource, apiVersion: 'v1' };
  if (group) objectRef.apiGroup = group;
  if (s.namespace) objectRef.namespace = s.namespace;
  if (s.name) objectRef.name = s.name;
  if (s.subresource) objectRef.subresource = s.subresource;
  const code = s.code ?? (s.verb === 'create' ? (s.subresource === 'exec' || s.subresource === 'attach' ? 101 : 201) : 200);
  const audit: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: s.level ?? (s.requestObject ? 'RequestResponse' : 'Metadata'),
    auditID: s.auditID ?? `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    stage: s.stage ?? 'ResponseComplete',
    requestURI: uri,
    verb: s.verb,
    user: { username: s.user ?? 'alice', groups: s.groups ?? ['system:authenticated'] },
    sourceIPs: [s.sourceIP ?? '10.0.0.7'],
    userAgent: 'kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b',
    objectRef,
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
  };
  if (s.requestObject) audit.requestObject = s.requestObject;
  if (s.responseObject) audit.responseObject = s.responseObject;
  return { source: 'k8s_audit', time, audit };
}

export interface PodSpecOptions {
  name?: string;
  namespace?: string;
  containers?: Array<Record<string, unknown>>;
  initContainers?: Array<Record<string, unknown>>;
  ephemeralContainers?: Array<Record<string, unknown>>;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostPaths?: string[];
  annotations?: Record<string, string>;
}

export function podObject(p: PodSpecOptions = {}): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    containers: p.containers ?? [{ name: 'app', image: 'nginx:1.25', resources: {} }],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
  };
  if (p.initContainers) spec.initContainers = p.initContainers;
  if (p.ephemeralContainers) spec.ephemeralContainers = p.ephemeralContainers;
  if (p.hostNetwork !== undefined) spec.hostNetwork = p.hostNetwork;
  if (p.hostPID !== undefined) spec.hostPID = p.hostPID;
  if (p.hostIPC !== undefined) spec.hostIPC = p.hostIPC;
  if (p.hostPaths) spec.volumes = p.hostPaths.map((path, i) => ({ name: `host-${i}`, hostPath: { path, type: '' } }));
  const metadata: Record<string, unknown> = { name: p.name ?? 'web-1', namespace: p.namespace ?? 'default' };
  if (p.annotations) metadata.annotations = p.annotations;
  return { kind: 'Pod', apiVersion: 'v1', metadata, spec };
}

/** A pod creation at RequestResponse level (the pod body in requestObject and responseObject). */
export function podCreate(p: PodSpecOptions & { user?: string; time?: number; code?: number } = {}): K8sAuditEvent {
  const pod = podObject(p);
  const spec: AuditSpec = { verb: 'create', resource: 'pods', namespace: p.namespace ?? 'default', requestObject: pod, responseObject: pod };
  if (p.user) spec.user = p.user;
  if (p.time) spec.time = p.time;
  if (p.code) spec.code = p.code;
  return auditEvent(spec);
}

export function roleCreate(kind: 'Role' | 'ClusterRole', name: string, rules: Array<Record<string, unknown>>, over: Partial<AuditSpec> = {}): K8sAuditEvent {
  const resource = kind === 'Role' ? 'roles' : 'clusterroles';
  const obj = { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name, ...(over.namespace ? { namespace: over.namespace } : {}) }, rules };
  return auditEvent({ verb: 'create', resource, name, requestObject: obj, responseObject: obj, ...over });
}

export function bindingCreate(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Array<{ kind: string; name: string; namespace?: string }>,
  over: Partial<AuditSpec> = {},
): K8sAuditEvent {
  const resource = kind === 'RoleBinding' ? 'rolebindings' : 'clusterrolebindings';
  const obj = {
    kind,
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
  return auditEvent({ verb: 'create', resource, name, requestObject: obj, responseObject: obj, ...over });
}

/** `kubectl exec` into pod `name` of `default` as the API server audits it once the stream is up (ResponseStarted). */
export function podExec(name: string, over: Partial<AuditSpec> = {}): K8sAuditEvent {
  return auditEvent({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name, stage: 'ResponseStarted', ...over });
}
