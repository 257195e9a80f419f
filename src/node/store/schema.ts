// The table types of the management server's store: one interface per table.
// Both dialects share them, so values are kept to types both databases return
// identically: text (ids, ISO 8601 UTC times, JSON documents), integer and
// double; booleans are 0/1 integers. Row ids are text (time-ordered ids from
// ids.ts) so keyset pagination orders by creation without a bigint column.
import type { ColumnType, Generated } from 'kysely';
import type { AuditRecordFields } from '../../core/auth/audit-chain.js';

export interface ProjectTable {
  id: string;
  name: string;
  description: string;
  /** Cron expression of the daily rescan (croner syntax). */
  rescan_cron: string;
  /** Comma-separated scanners of the project's scans; "" = all (vuln, malware, secret, baseline, files). */
  scanners: ColumnType<string, string | undefined, string>;
  created_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  /** scrypt$N$r$p$salt$hash (base64). */
  password_hash: string;
  disabled: number;
  created_at: string;
}

export interface RoleBindingTable {
  id: string;
  user_id: string;
  /** Administrator | FullAccess | ReadOnlyAccess | Custom (then `actions` lists the grants). */
  role: string;
  /** null: all projects. */
  project_id: string | null;
  /** JSON array of action names for the Custom role, else []. */
  actions: string;
  created_at: string;
}

export interface TokenTable {
  id: string;
  user_id: string;
  /** session (from login) or api (for automation). */
  kind: string;
  name: string;
  /** sha256 hex of the secret; the secret itself is shown once. */
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface RegistryTable {
  id: string;
  project_id: string;
  name: string;
  url: string;
  username: string;
  /** AES-256-GCM ciphertext of the password (secret-box.ts), '' when none. */
  password_enc: string;
  insecure: number;
  created_at: string;
  last_sync_at: string | null;
}

export interface ImageTable {
  id: string;
  project_id: string;
  registry_id: string | null;
  /** The reference a scan opens, e.g. `registry:host:5000/app:1.0` or `docker-archive:/x.tar`. */
  ref: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  os_family: string;
  os_version: string;
  last_scan_id: string | null;
  last_scan_at: string | null;
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  /** Content findings of the last scan: malware, secrets, failed baseline checks, unowned files (not noise). */
  malware: ColumnType<number, number | undefined, number>;
  secrets: ColumnType<number, number | undefined, number>;
  baseline: ColumnType<number, number | undefined, number>;
  unowned_files: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
  /** A node-local image (migration 0011): the node whose agent scanned it; null for the others. */
  node_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** A re-scan asked of the node's agent and not answered yet (ISO time). */
  node_scan_requested: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ScanTable {
  id: string;
  project_id: string;
  image_id: string;
  /** queued | running | succeeded | failed */
  status: string;
  /** 0..100 */
  progress: number;
  error: string;
  attempts: number;
  /** manual | sync | schedule | vulndb */
  trigger: string;
  worker: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface FindingTable {
  id: string;
  image_id: string;
  scan_id: string;
  /** vuln (later: malware, secret, baseline, file) */
  kind: string;
  /** Vulnerability id, rule id, ... */
  ref_id: string;
  package: string;
  installed_version: string;
  fixed_version: string;
  severity: string;
  title: string;
  /** The report entry as JSON. */
  data: string;
  /** Content findings: the file (or `config:env`, ...); "" for vulnerabilities. */
  path: ColumnType<string, string | undefined, string>;
  layer_digest: ColumnType<string, string | undefined, string>;
  /** 1 when a vulnerability ignore of the project or image names it (kept by recountImage). */
  ignored: Generated<number>;
  /** The ignore's reason ('' when none). */
  ignore_reason: Generated<string>;
}

export interface PackageRowTable {
  id: string;
  image_id: string;
  type: string;
  name: string;
  version: string;
  layer_digest: string;
  /** Source package name and version ('' when the package is its own source); null in rows stored before migration 0002. */
  source_name: string | null;
  source_version: string | null;
  /** For language packages: the file it was found in. */
  file_path: string;
}

export interface VulnIgnoreTable {
  id: string;
  project_id: string;
  /** null: for all images of the project (ignoreVul); else one image (ignoreImageVul). */
  image_id: string | null;
  vuln_id: string;
  /** '' for every package. */
  package: string;
  reason: string;
  created_by: string;
  created_at: string;
  /** ISO time the ignore lapses; null: never. */
  expires_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 once the scheduler has let the ignore lapse (kept as history). */
  expired: ColumnType<number, number | undefined, number>;
}

export interface PolicyTable {
  id: string;
  project_id: string;
  name: string;
  /** process-whitelist | file-protection | image-admission */
  kind: string;
  /** monitor | enforce */
  mode: string;
  /** JSON policy document (the local policy model of src/core/policy). */
  document: string;
  created_at: string;
  updated_at: string;
}

export interface PolicyImageTable {
  policy_id: string;
  image_id: string;
  created_at: string;
}

export interface ClusterTable {
  id: string;
  project_id: string;
  name: string;
  protected: number;
  created_at: string;
}

export interface AgentTokenTable {
  id: string;
  cluster_id: string;
  project_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface NodeTable {
  id: string;
  project_id: string;
  cluster_id: string | null;
  hostname: string;
  status: string;
  version: string;
  last_seen: string;
  created_at: string;
  kernel: Generated<string>;
  cert_sha256: string | null;
  /** Runtime detection on the node as its agent last reported (migration 0011): on, off, '' (not reported). */
  detection: Generated<string>;
  queue_depth: Generated<number>;
  queue_dropped: Generated<number>;
  lost_events: Generated<number>;
  /** JSON list of {name, state, detail, events, lost}, from the agent's last heartbeat. */
  sensor_health: Generated<string>;
  cert_not_after: string | null;
  cert_prev_sha256: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export interface NodeContainerTable {
  node_id: string;
  project_id: string;
  container_id: string;
  name: string;
  image: string;
  image_digest: string;
  state: string;
  started_at: string;
  privileged: number;
  /** JSON: capAdd, hostMounts, hostPid, hostNetwork, hostIpc. */
  settings: string;
  updated_at: string;
}

/** A process-whitelist entry an agent learned (docs/agent.md), per node, policy and executable, until a user decides it. */
export interface LearnedProcessTable {
  id: string;
  project_id: string;
  policy_id: string;
  node_id: string;
  executable: string;
  /** The image of the container it was first seen in ("" when unknown). */
  image: string;
  first_seen: string;
  /** The agent's count of execs while learning. */
  count: number;
  /** pending, accepted, rejected. */
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  /** 1 while the node's last report still holds it: a decided entry the node still holds is told to it again. */
  reported: number;
  updated_at: string;
}

export interface AgentAlertIdTable {
  project_id: string;
  alert_id: string;
  received_at: string;
}

export interface AlertTable {
  id: string;
  project_id: string;
  type: string;
  severity: string;
  /** Severity rank (0 info .. 4 critical) so "at least" filters use the index. */
  severity_rank: number;
  /** What the alert is about: container id, pod, host, image; with the type it forms the group. */
  subject: string;
  /** open | handled | ignored | false-positive */
  status: string;
  count: number;
  first_seen: string;
  last_seen: string;
  message: string;
  rule: string;
  host: string;
  /** The latest alert of the group, JSON. */
  sample: string;
}

/** The chained fields are the core's (src/core/auth/audit-chain.ts); summary is canonical JSON, secrets removed; result success | failure. */
export interface AuditTable extends Omit<AuditRecordFields, 'seq'> {
  seq: Generated<number>;
  prev_hash: string;
  hash: string;
}

/** Signed checkpoints of the audit chain's head (docs/server.md, audit trail). */
export interface AuditCheckpointTable {
  seq: number;
  hash: string;
  hmac_from: number;
  time: string;
  key_id: string;
  /** Ed25519 signature over checkpointMessage(), base64. */
  signature: string;
}

/** The audit chain's switch point: records with seq >= hmac_from are HMAC-keyed. One row (id 1). */
export interface AuditChainTable {
  id: number;
  hmac_from: number;
}

export interface LayerCacheTable {
  key: string;
  value: string;
  created_at: string;
}

export interface RateLimitTable {
  key: string;
  window_start: number;
  window_end: number;
  count: number;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface NotifierTable {
  id: string;
  /** null: all projects. */
  project_id: string | null;
  name: string;
  /** webhook | syslog */
  kind: string;
  /** JSON: url / host, port, protocol; secrets encrypted (secret-box.ts). */
  config: string;
  min_severity: string;
  /** JSON array of alert type prefixes; [] = all. */
  types: string;
  /** JSON array: alert, scan */
  events: string;
  created_at: string;
}

export interface Database {
  projects: ProjectTable;
  users: UserTable;
  role_bindings: RoleBindingTable;
  tokens: TokenTable;
  registries: RegistryTable;
  images: ImageTable;
  scans: ScanTable;
  findings: FindingTable;
  packages: PackageRowTable;
  vuln_ignores: VulnIgnoreTable;
  policies: PolicyTable;
  policy_images: PolicyImageTable;
  clusters: ClusterTable;
  agent_tokens: AgentTokenTable;
  nodes: NodeTable;
  node_containers: NodeContainerTable;
  agent_alert_ids: AgentAlertIdTable;
  learned_processes: LearnedProcessTable;
  alerts: AlertTable;
  audit_log: AuditTable;
  audit_checkpoints: AuditCheckpointTable;
  audit_chain: AuditChainTable;
  layer_cache: LayerCacheTable;
  settings: SettingTable;
  notifiers: NotifierTable;
  rate_limits: RateLimitTable;
  overview_image_levels: OverviewImageLevelTable;
  overview_alert_days: OverviewAlertDayTable;
  overview_alert_status: OverviewAlertStatusTable;
  overview_package_images: OverviewPackageImageTable;
  overview_packages: OverviewPackageTable;
}

/** The overview's counters, kept by triggers (migration 0018, overview-counts.ts). Alert groups per project, UTC day of last_seen, severity, type. */
export interface OverviewAlertDayTable {
  project_id: string;
  day: string;
  severity: string;
  type: string;
  n: number;
}

/** Images per project and level (highest severity with a finding, clean, unscanned). */
export interface OverviewImageLevelTable {
  project_id: string;
  level: string;
  n: number;
}

/** Alert groups per project and status. */
export interface OverviewAlertStatusTable {
  project_id: string;
  status: string;
  n: number;
}

/** Counted findings (vulnerabilities not ignored) per image and package. */
export interface OverviewPackageImageTable {
  image_id: string;
  package: string;
  project_id: string;
  findings: number;
}

/** Counted findings and images with one per project and package. */
export interface OverviewPackageTable {
  project_id: string;
  package: string;
  findings: number;
  images: number;
}
