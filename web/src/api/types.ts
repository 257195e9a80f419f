// Response shapes of the API as the console reads them (rows in camelCase,
// JSON columns parsed; src/node/server/routes/common.ts toApi).
export interface Page<T> {
  items: T[];
  next?: string;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown' | 'info';

export interface Project {
  id: string;
  name: string;
  description: string;
  rescanCron: string;
  createdAt: string;
}

export interface Binding {
  id?: string;
  role: 'Administrator' | 'FullAccess' | 'ReadOnlyAccess' | 'Custom';
  projectId: string | null;
  actions: string[];
}

export interface Me {
  userId: string;
  username: string;
  tokenKind: string;
  bindings: Binding[];
}

export interface Image {
  id: string;
  projectId: string;
  registryId: string | null;
  ref: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  osFamily: string;
  osVersion: string;
  lastScanId: string | null;
  lastScanAt: string | null;
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  /** Content findings of the last scan. */
  malware: number;
  secrets: number;
  baseline: number;
  unownedFiles: number;
  createdAt: string;
}

export interface LayerRef {
  index: number;
  digest: string;
  diffId?: string;
  createdBy?: string;
}

export interface Finding {
  id: string;
  kind: string;
  refId: string;
  package: string;
  installedVersion: string;
  fixedVersion: string;
  severity: Severity;
  title: string;
  ignored: boolean;
  ignoreReason?: string;
  data: {
    status?: string;
    cvss?: Record<string, { score: number; vector: string; version?: string }>;
    layer?: LayerRef;
    description?: string;
    references?: string[];
  } | null;
}

export interface PackageRow {
  id: string;
  type: string;
  name: string;
  version: string;
  layerDigest: string;
  sourceName: string | null;
  sourceVersion: string | null;
  filePath: string;
}

export interface VulnIgnore {
  id: string;
  imageId: string | null;
  vulnId: string;
  package: string;
  reason: string;
  /** When the ignore lapses (ISO); null: never. */
  expiresAt: string | null;
  /** The ignore has lapsed (kept as history). */
  expired: boolean;
  createdBy: string;
  createdAt: string;
}

export interface Scan {
  id: string;
  imageId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  error: string;
  trigger: string;
  createdAt: string;
  finishedAt: string | null;
}

export interface AlertGroup {
  id: string;
  projectId: string;
  type: string;
  severity: Severity;
  subject: string;
  status: 'open' | 'handled' | 'ignored' | 'false-positive';
  count: number;
  firstSeen: string;
  lastSeen: string;
  message: string;
  rule: string;
  host: string;
  sample?: Record<string, unknown>;
}

export interface Policy {
  id: string;
  projectId: string;
  name: string;
  kind: 'process-whitelist' | 'file-protection' | 'image-admission' | 'detection';
  mode: 'alert' | 'enforce';
  document: Record<string, any>;
  createdAt: string;
  updatedAt: string;
  images?: { id: string; ref: string }[];
}

export interface Cluster {
  id: string;
  name: string;
  protected: number | boolean;
  createdAt: string;
}

export interface NodeRow {
  id: string;
  clusterId: string | null;
  hostname: string;
  status: string;
  version: string;
  lastSeen: string;
  /** Agent health from the last heartbeat. */
  queueDepth?: number;
  queueDropped?: number;
  lostEvents?: number;
  sensorHealth?: Array<{ name: string; state: 'stopped' | 'starting' | 'running' | 'failed'; detail: string; events: number; lost: number }>;
}

export interface Registry {
  id: string;
  name: string;
  url: string;
  username: string;
  insecure: number | boolean;
  createdAt: string;
  lastSyncAt: string | null;
}

export interface User {
  id: string;
  username: string;
  disabled: number | boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface AuditRecord {
  seq: number;
  time: string;
  userId: string;
  username: string;
  sourceIp: string;
  projectId: string;
  event: string;
  resourceType: string;
  resourceId: string;
  summary: unknown;
  result: string;
}

export interface AuditVerify {
  ok: boolean;
  records: number;
  bad?: { seq: number; reason: string };
}

export interface Notifier {
  id: string;
  name: string;
  kind: 'webhook' | 'syslog';
  projectId: string | null;
  minSeverity: string;
  types: string[];
  events: string[];
  config: Record<string, unknown>;
}

/** `data` of the content findings (src/core/scan/types.ts: MalwareFinding, SecretFinding, BaselineFinding, FileFinding). */
export interface MalwareData {
  file: string;
  rule: string;
  family?: string;
  sha256: string;
  description?: string;
  deleted?: boolean;
  layer?: LayerRef;
}
export interface SecretData {
  file: string;
  line: number;
  ruleId: string;
  title: string;
  match: string;
  deleted?: boolean;
  layer?: LayerRef;
}
export interface BaselineData {
  id: string;
  title: string;
  detail: string;
  file?: string;
  remedy: string;
  reference?: string;
}
export interface FileData {
  path: string;
  size: number;
  mode: number;
  sha256?: string;
  executable: boolean;
  setuid: boolean;
  noise?: string;
  layer?: LayerRef;
}
