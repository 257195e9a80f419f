// The 2xx response schema of every route, by `METHOD /url` (the route's own
// url), attached by app.ts's onRoute hook to routes that declare none. A
// schema is also the serializer: Fastify drops any field it does not list,
// so each lists exactly what its service returns (response-schemas.test.ts
// checks that on a seeded server, and that every route has one) and never a
// secret (password hashes, token hashes, registry passwords, webhook
// secrets: the services leave them out, the schemas do not name them).
// Free-form documents (policy documents, an alert's sample, a finding's
// report entry, settings values) are open objects.
// Closed value sets are enums, so the console's generated types name them
// (a severity the console has no colour or label for fails its typecheck).
import { ROLES } from '../../core/auth/policy.js';
import { SEVERITIES } from '../../core/alerts/types.js';
import { ALERT_STATUSES } from '../services/alerts.js';
import { POLICY_KINDS } from '../services/policies.js';

type S = Record<string, unknown>;

export const str = { type: 'string' } as const;
export const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nstr = { type: ['string', 'null'] } as const;
const open = { type: 'object', additionalProperties: true } as const;
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: [...values] }) as const;
const severity = oneOf([...SEVERITIES, 'unknown']);
const alertSeverity = oneOf(SEVERITIES);
const alertStatus = oneOf(ALERT_STATUSES);
const scanStatus = oneOf(['queued', 'running', 'succeeded', 'failed']);

/** An object schema; every property required unless `required` says otherwise. */
export function obj(properties: S, required: string[] = Object.keys(properties)): S {
  return { type: 'object', properties, required };
}
/** An object schema that requires none of its fields. */
function loose(properties: S, more: S = {}): S {
  return { type: 'object', ...more, properties };
}
const arr = (items: S): S => ({ type: 'array', items });
const nullable = (schema: S): S => ({ ...schema, nullable: true });
const page = (item: S): S => obj({ items: { type: 'array', items: item }, next: str }, ['items']);
const list = (item: S): S => obj({ items: { type: 'array', items: item } });

const OK = obj({ ok: bool });
const ID = obj({ id: str });

const PROJECT = obj({ id: str, name: str, description: str, rescanCron: str, scanners: str, createdAt: str });
const BINDING = obj({ id: str, userId: str, role: oneOf(ROLES), projectId: nstr, actions: { type: 'array', items: str }, createdAt: str });
const USER = obj({ id: str, username: str, disabled: bool, createdAt: str });
const TOKEN = obj({ id: str, name: str, createdAt: str, expiresAt: nstr, revokedAt: nstr, lastUsedAt: nstr });
const REGISTRY = obj({
  id: str,
  projectId: str,
  name: str,
  url: str,
  username: str,
  hasPassword: bool,
  insecure: bool,
  createdAt: str,
  lastSyncAt: nstr,
});
const IMAGE = obj({
  id: str,
  projectId: str,
  registryId: nstr,
  ref: str,
  registry: str,
  repository: str,
  tag: str,
  digest: str,
  osFamily: str,
  osVersion: str,
  lastScanId: nstr,
  lastScanAt: nstr,
  critical: int,
  high: int,
  medium: int,
  low: int,
  unknown: int,
  malware: int,
  secrets: int,
  baseline: int,
  unownedFiles: int,
  createdAt: str,
  updatedAt: str,
  /** The node whose agent scanned this node-local image (null for every other image), and a re-scan asked of it. */
  nodeId: nstr,
  nodeScanRequested: nstr,
});
const SCAN = obj({
  id: str,
  projectId: str,
  imageId: str,
  status: scanStatus,
  progress: int,
  error: str,
  attempts: int,
  trigger: str,
  worker: str,
  createdAt: str,
  startedAt: nstr,
  finishedAt: nstr,
});
const FINDING = obj(
  {
    id: str,
    imageId: str,
    scanId: str,
    kind: str,
    refId: str,
    package: str,
    installedVersion: str,
    fixedVersion: str,
    severity,
    title: str,
    data: open,
    path: str,
    layerDigest: str,
    ignored: bool,
    ignoreReason: str,
  },
  ['id', 'imageId', 'scanId', 'kind', 'refId', 'package', 'installedVersion', 'fixedVersion', 'severity', 'title', 'data', 'path', 'layerDigest', 'ignored'],
);
const PACKAGE = obj({ id: str, imageId: str, type: str, name: str, version: str, layerDigest: str, sourceName: nstr, sourceVersion: nstr, filePath: str });
const IGNORE = obj({
  id: str,
  projectId: str,
  imageId: nstr,
  vulnId: str,
  package: str,
  reason: str,
  createdBy: str,
  createdAt: str,
  expiresAt: nstr,
  expired: bool,
});
const POLICY = obj({
  id: str,
  projectId: str,
  name: str,
  kind: oneOf(POLICY_KINDS),
  mode: oneOf(['alert', 'enforce', 'warn', 'audit']),
  document: open,
  createdAt: str,
  updatedAt: str,
});
const CLUSTER = obj({ id: str, projectId: str, name: str, protected: bool, createdAt: str });
const NODE = obj({
  id: str,
  projectId: str,
  clusterId: nstr,
  hostname: str,
  status: str,
  version: str,
  lastSeen: str,
  createdAt: str,
  kernel: str,
  /** SHA-256 of the node's current client certificate (public; null until it enrolls). */
  certSha256: nstr,
  /** Agent health from the last heartbeat (docs/agent.md). */
  queueDepth: int,
  queueDropped: int,
  lostEvents: int,
  sensorHealth: { type: 'array', items: obj({ name: str, state: oneOf(['stopped', 'starting', 'running', 'failed']), detail: str, events: int, lost: int }) },
  /** Whether the agent's runtime detection runs (cluster protection): on, off, '' before it said. */
  detection: str,
  /** The client certificate's expiry, the previous certificate (until the renewed one is used), the revocation. */
  certNotAfter: nstr,
  certPrevSha256: nstr,
  revokedAt: nstr,
  revokedReason: nstr,
});
const ALERT_GROUP = obj({
  id: str,
  projectId: str,
  type: str,
  severity: alertSeverity,
  severityRank: int,
  subject: str,
  status: alertStatus,
  count: int,
  firstSeen: str,
  lastSeen: str,
  message: str,
  rule: str,
  host: str,
  sample: open,
});
const AUDIT = obj({
  seq: int,
  time: str,
  userId: str,
  username: str,
  sourceIp: str,
  userAgent: str,
  event: str,
  projectId: nstr,
  resourceType: str,
  resourceId: str,
  result: str,
  summary: {},
  prevHash: str,
  hash: str,
});
const NOTIFIER = obj({
  id: str,
  projectId: nstr,
  name: str,
  kind: str,
  config: open,
  minSeverity: str,
  types: { type: 'array', items: str },
  events: { type: 'array', items: str },
  createdAt: str,
});

/** The audit chain's verification (store/audit-log.ts VerifyResult). */
const AUDIT_VERIFY = obj(
  {
    ok: bool,
    records: int,
    bad: obj({ seq: int, kind: str, reason: str }),
    checkpoint: obj({ seq: int, time: str, source: str }),
    warning: str,
  },
  ['ok', 'records'],
);

const COUNTS = { critical: int, high: int, medium: int, low: int };
const OVERVIEW = obj({
  images: obj({ total: int, unscanned: int, ...COUNTS, clean: int }),
  topImages: arr(obj({ id: str, ref: str, ...COUNTS })),
  topPackages: arr(obj({ package: str, findings: int, images: int })),
  alerts: nullable(obj({ open: int, byDay: arr(obj({ day: str, severity: str, groups: int })), byType: arr(obj({ type: str, groups: int })) })),
  clusters: nullable(obj({ total: int, protected: int })),
  nodes: nullable(obj({ online: int, offline: int, degraded: int })),
});
/** An alert group in the list (GET /api/v1/alerts): without its rank and sample, with its container's name. */
const ALERT_ROW = obj({
  ...Object.fromEntries(Object.entries(ALERT_GROUP.properties as S).filter(([k]) => k !== 'severityRank' && k !== 'sample')),
  containerName: { type: 'string', description: "the container's name in the latest alert ('' when none)" },
});
const LEARNED_ENTRY = obj(
  {
    id: str,
    policyId: str,
    nodeId: str,
    nodeName: str,
    executable: str,
    image: str,
    firstSeen: str,
    count: int,
    status: oneOf(['pending', 'accepted', 'rejected']),
    decidedBy: nstr,
    decidedAt: nstr,
  },
  ['id', 'policyId', 'nodeId', 'nodeName', 'executable', 'image', 'firstSeen', 'count', 'status'],
);
const LEARNED_DECISION = obj({ decided: int, executables: arr(str) });
const NODE_CONTAINER = obj({
  id: { type: 'string', description: 'container id (64 hex; a containerd id may be any containerd identifier)' },
  runtime: { type: 'string', enum: ['docker', 'containerd'], description: 'the runtime the agent found it in' },
  namespace: { type: 'string', description: "containerd namespace ('k8s.io' for Kubernetes pods); '' for Docker" },
  nodeId: str,
  name: str,
  image: { type: 'string', description: 'the image as the container was started with' },
  imageDigest: { type: 'string', description: 'image ID (sha256 of its config)' },
  state: str,
  startedAt: str,
  privileged: bool,
  capAdd: arr(str),
  hostMounts: arr(obj({ source: str, destination: str, readOnly: bool })),
  hostPid: bool,
  hostNetwork: bool,
  hostIpc: bool,
  updatedAt: str,
  scan: {
    type: ['object', 'null'],
    description: "the project's image of this image ID, when a scan of it is stored",
    properties: { imageId: str, ...COUNTS },
  },
});
const DB_ID = loose({ digest: str, builtAt: str });
const HEALTH = loose({ status: str, db: str, vulnDb: loose({ served: DB_ID, deployment: DB_ID, stale: bool }) });

/** Response schemas by `METHOD url`. */
const THREAT_IP = obj({ id: str, projectId: nstr, cidr: str, comment: str, createdBy: str, createdAt: str });
const THREAT_IPS_ADDED = obj({ added: int, ids: { type: 'array', items: str } });
const RULE_FILE = obj({ id: str, projectId: str, name: str, enabled: bool, ruleCount: int, createdBy: str, createdAt: str, updatedAt: str });
const DIAGNOSTIC = obj({ severity: str, code: str, line: int, column: int, rule: str, message: str }, ['severity', 'code', 'line', 'column', 'message']);

export const RESPONSES: Readonly<Record<string, S>> = {
  'GET /healthz': { 200: HEALTH, 503: HEALTH },
  'POST /api/v1/auth/login': { 200: obj({ token: str, expiresAt: str, userId: str }) },
  'POST /api/v1/auth/logout': { 200: OK },
  'GET /api/v1/auth/me': {
    200: obj({
      userId: str,
      username: str,
      tokenKind: oneOf(['session', 'api']),
      bindings: { type: 'array', items: obj({ role: oneOf(ROLES), projectId: nstr, actions: { type: 'array', items: str } }) },
    }),
  },
  'GET /api/v1/users': { 200: page(USER) },
  'POST /api/v1/users': { 201: obj({ id: str, username: str }) },
  'GET /api/v1/users/:userId': { 200: obj({ ...(USER.properties as S), bindings: { type: 'array', items: BINDING } }) },
  'PATCH /api/v1/users/:userId': { 200: OK },
  'DELETE /api/v1/users/:userId': { 200: OK },
  'GET /api/v1/users/:userId/bindings': { 200: list(BINDING) },
  'POST /api/v1/users/:userId/bindings': { 201: ID },
  'DELETE /api/v1/users/:userId/bindings/:bindingId': { 200: OK },
  'GET /api/v1/tokens': { 200: list(TOKEN) },
  'POST /api/v1/tokens': { 201: obj({ id: str, token: str, expiresAt: str }) },
  'DELETE /api/v1/tokens/:tokenId': { 200: OK },
  'GET /api/v1/projects': { 200: page(PROJECT) },
  'POST /api/v1/projects': { 201: ID },
  'GET /api/v1/projects/:projectId': { 200: PROJECT },
  'PATCH /api/v1/projects/:projectId': { 200: OK },
  'DELETE /api/v1/projects/:projectId': { 200: OK },
  'GET /api/v1/projects/:projectId/registries': { 200: page(REGISTRY) },
  'POST /api/v1/projects/:projectId/registries': { 201: ID },
  'GET /api/v1/projects/:projectId/registries/:registryId': { 200: REGISTRY },
  'PATCH /api/v1/projects/:projectId/registries/:registryId': { 200: OK },
  'DELETE /api/v1/projects/:projectId/registries/:registryId': { 200: OK },
  'POST /api/v1/projects/:projectId/registries/:registryId/sync': {
    200: obj({ repositories: int, images: int, newImages: int, scansQueued: int, scanIds: { type: 'array', items: str } }),
  },
  'GET /api/v1/projects/:projectId/images': { 200: page(IMAGE) },
  'POST /api/v1/projects/:projectId/images': { 201: obj({ id: str, scanId: str }, ['id']) },
  'GET /api/v1/projects/:projectId/images/:imageId': { 200: IMAGE },
  'DELETE /api/v1/projects/:projectId/images/:imageId': { 200: OK },
  'POST /api/v1/projects/:projectId/images/:imageId/scan': { 202: obj({ scanId: str }) },
  'GET /api/v1/projects/:projectId/scans': { 200: page(SCAN) },
  'GET /api/v1/projects/:projectId/scans/:scanId': { 200: SCAN },
  'GET /api/v1/projects/:projectId/images/:imageId/findings': { 200: page(FINDING) },
  'GET /api/v1/projects/:projectId/images/:imageId/packages': { 200: page(PACKAGE) },
  'GET /api/v1/projects/:projectId/vuln-ignores': { 200: page(IGNORE) },
  'POST /api/v1/projects/:projectId/vuln-ignores': { 201: ID },
  'DELETE /api/v1/projects/:projectId/vuln-ignores/:ignoreId': { 200: OK },
  'POST /api/v1/projects/:projectId/images/:imageId/vuln-ignores': { 201: ID },
  'DELETE /api/v1/projects/:projectId/images/:imageId/vuln-ignores/:ignoreId': { 200: OK },
  'GET /api/v1/projects/:projectId/policies': { 200: page(POLICY) },
  'POST /api/v1/projects/:projectId/policies': { 201: ID },
  'GET /api/v1/projects/:projectId/policies/:policyId': {
    200: obj({ ...(POLICY.properties as S), images: { type: 'array', items: obj({ id: str, ref: str }) } }),
  },
  'PATCH /api/v1/projects/:projectId/policies/:policyId': { 200: OK },
  'DELETE /api/v1/projects/:projectId/policies/:policyId': { 200: OK },
  'POST /api/v1/projects/:projectId/policies/:policyId/images': { 200: OK },
  'GET /api/v1/projects/:projectId/policies/:policyId/learned': { 200: page(LEARNED_ENTRY) },
  'POST /api/v1/projects/:projectId/policies/:policyId/learned/accept': { 200: LEARNED_DECISION },
  'POST /api/v1/projects/:projectId/policies/:policyId/learned/reject': { 200: LEARNED_DECISION },
  'GET /api/v1/projects/:projectId/detection/policies': { 200: open },
  'GET /api/v1/projects/:projectId/detection/effective': { 200: open },
  'GET /api/v1/projects/:projectId/admission/policies': { 200: obj({ policies: { type: 'array', items: open } }) },
  'GET /api/v1/projects/:projectId/admission/image-facts': { 200: open },
  'POST /api/v1/projects/:projectId/admission/evaluate': { 200: open },
  'GET /api/v1/projects/:projectId/clusters': { 200: page(CLUSTER) },
  'POST /api/v1/projects/:projectId/clusters': { 201: ID },
  'GET /api/v1/projects/:projectId/clusters/:clusterId': { 200: CLUSTER },
  'DELETE /api/v1/projects/:projectId/clusters/:clusterId': { 200: OK },
  'POST /api/v1/projects/:projectId/clusters/:clusterId/protect': { 200: obj({ ok: bool, protected: bool }) },
  'POST /api/v1/projects/:projectId/clusters/:clusterId/unprotect': { 200: obj({ ok: bool, protected: bool }) },
  'POST /api/v1/projects/:projectId/clusters/:clusterId/agent-tokens': {
    201: obj({ id: str, token: str, expiresAt: str, caHash: str }, ['id', 'token', 'expiresAt']),
  },
  'GET /api/v1/projects/:projectId/nodes': { 200: page(NODE) },
  'GET /api/v1/projects/:projectId/nodes/:nodeId/containers': { 200: list(NODE_CONTAINER) },
  'POST /api/v1/projects/:projectId/nodes/:nodeId/revoke': { 200: obj({ ok: bool, revokedAt: str }) },
  'PUT /api/v1/projects/:projectId/nodes/:hostname': { 200: ID },
  'POST /api/v1/alerts::batch': { 200: obj({ received: int, groups: int }) },
  'GET /api/v1/alerts': { 200: page(ALERT_ROW) },
  'GET /api/v1/projects/:projectId/overview': { 200: OVERVIEW },
  'GET /api/v1/projects/:projectId/alerts/:alertId': { 200: ALERT_GROUP },
  'PATCH /api/v1/projects/:projectId/alerts/:alertId': { 200: OK },
  'GET /api/v1/audit': { 200: obj({ items: { type: 'array', items: AUDIT }, next: int }, ['items']) },
  'GET /api/v1/audit/verify': { 200: AUDIT_VERIFY },
  'GET /api/v1/threat-ips': { 200: list(THREAT_IP) },
  'POST /api/v1/threat-ips': { 201: THREAT_IPS_ADDED },
  'DELETE /api/v1/threat-ips/:threatIpId': { 200: OK },
  'GET /api/v1/projects/:projectId/threat-ips': { 200: list(THREAT_IP) },
  'POST /api/v1/projects/:projectId/threat-ips': { 201: THREAT_IPS_ADDED },
  'DELETE /api/v1/projects/:projectId/threat-ips/:threatIpId': { 200: OK },
  'GET /api/v1/projects/:projectId/rules': { 200: list(RULE_FILE) },
  'POST /api/v1/projects/:projectId/rules': { 201: obj({ id: str, rules: int, warnings: { type: 'array', items: DIAGNOSTIC } }) },
  'GET /api/v1/projects/:projectId/rules/:ruleId': { 200: obj({ ...(RULE_FILE.properties as S), content: str }) },
  'PATCH /api/v1/projects/:projectId/rules/:ruleId': { 200: obj({ ok: bool, rules: int, warnings: { type: 'array', items: DIAGNOSTIC } }) },
  'DELETE /api/v1/projects/:projectId/rules/:ruleId': { 200: OK },
  'GET /api/v1/settings': { 200: open },
  'PUT /api/v1/settings/:key': { 200: OK },
  'GET /api/v1/notifiers': { 200: list(NOTIFIER) },
  'POST /api/v1/notifiers': { 201: ID },
  'DELETE /api/v1/notifiers/:notifierId': { 200: OK },
  'POST /api/v1/rescans': { 202: obj({ scansQueued: int, checked: int }, ['scansQueued']) },
};
