// Server configuration: flags > environment (VIGIL_*) > YAML file
// (`--config FILE`) > defaults. One typed object; unknown YAML keys and bad
// values are input errors naming the key and the source.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../core/errors.js';
import { passwordProblem } from '../../core/auth/password-policy.js';
import { parseAllowList } from '../net/outbound.js';
import { parseLocalDirs } from '../image/server-policy.js';

export type ServerRole = 'all' | 'api' | 'worker';

export interface ServerConfig {
  db: string;
  dataDir: string;
  host: string;
  port: number;
  role: ServerRole;
  metricsPublic: boolean;
  secretKey?: string;
  adminPassword?: string;
  /** Default cron of a new project's daily rescan. */
  rescanCron: string;
  /** Scan jobs run at once per worker process. */
  workerConcurrency: number;
  /** Path of the vulnerability DB file the scans use (watched for changes). */
  vulnDb?: string;
  sessionTtlHours: number;
  bodyLimitBytes: number;
  loginRateLimit: number;
  /** Requests per minute per client to the API (0: no limit); /healthz is not counted. */
  apiRateLimit: number;
  /**
   * Addresses or CIDR ranges of the reverse proxies / load balancers in front
   * of the server, comma separated: X-Forwarded-For is honoured only when the
   * connection comes from one of them ("" trusts none; the client is the peer).
   */
  trustedProxies: string;
  /** pg-boss: seconds before an active scan job counts as lost and is retried. */
  jobExpireSeconds: number;
  jobRetryLimit: number;
  jobRetryDelaySeconds: number;
  /** pg-boss: idle poll interval and expiry-check interval (seconds). */
  jobPollSeconds: number;
  jobMaintenanceSeconds: number;
  /** How often the scheduler looks for due schedules and a changed vulnerability DB (seconds). */
  schedulerIntervalSeconds: number;
  /** How often the audit trail's head is signed into a checkpoint when it moved (seconds; 0: only on shutdown). */
  auditCheckpointSeconds: number;
  demo: boolean;
  demoImage?: string;
  /** gRPC port of the node agent link (TLS, docs/agent.md); 0: any free port. */
  agentPort: number;
  /** Extra DNS names the agent link's server certificate carries, comma separated (besides localhost, the host name, 127.0.0.1, ::1). */
  agentNames: string;
  /** Seconds without a heartbeat before a node counts as offline. */
  agentOfflineSeconds: number;
  /** Lifetime of the client certificates issued to nodes (seconds; agents renew at two thirds). */
  agentCertSeconds: number;
  /** Per node: alerts per second the agent link takes (a token bucket), and the bucket's size (the burst). */
  agentAlertRate: number;
  agentAlertBurst: number;
  /** Minimum milliseconds between the starts of two alert commits of the agent link (its group commit; 0: none). */
  agentCommitMs: number;
  /** Alert commits of the agent link that may run at once on PostgreSQL (SQLite: always 1, its transactions do not overlap). */
  agentCommits: number;
  /** Where the built web console is (default: dist/web of this package). */
  consoleDir?: string;
  /**
   * Directories whose images project users may add by local reference
   * (rootfs:, docker-archive:, oci:, oci-archive:), comma separated absolute
   * paths; "" (the default) refuses local references (docs/security.md).
   */
  localImageDirs: string;
  /**
   * Addresses or CIDR ranges the server may connect to although they are
   * loopback, private, link-local or otherwise internal (registries, token
   * realms, webhooks, syslog), comma separated; "" allows none.
   */
  outboundAllow: string;
  /** Host names of token realms that may receive a registry's credentials besides the registry's own domain, comma separated. */
  tokenRealms: string;
}

type Key = keyof ServerConfig;

const SPEC: Record<Key, { env: string; type: 'string' | 'int' | 'bool' }> = {
  db: { env: 'VIGIL_SERVER_DB', type: 'string' },
  dataDir: { env: 'VIGIL_DATA_DIR', type: 'string' },
  host: { env: 'VIGIL_HOST', type: 'string' },
  port: { env: 'VIGIL_PORT', type: 'int' },
  role: { env: 'VIGIL_ROLE', type: 'string' },
  metricsPublic: { env: 'VIGIL_METRICS_PUBLIC', type: 'bool' },
  secretKey: { env: 'VIGIL_SECRET_KEY', type: 'string' },
  adminPassword: { env: 'VIGIL_ADMIN_PASSWORD', type: 'string' },
  rescanCron: { env: 'VIGIL_RESCAN_CRON', type: 'string' },
  workerConcurrency: { env: 'VIGIL_WORKER_CONCURRENCY', type: 'int' },
  vulnDb: { env: 'VIGIL_DB', type: 'string' },
  sessionTtlHours: { env: 'VIGIL_SESSION_TTL_HOURS', type: 'int' },
  bodyLimitBytes: { env: 'VIGIL_BODY_LIMIT_BYTES', type: 'int' },
  loginRateLimit: { env: 'VIGIL_LOGIN_RATE_LIMIT', type: 'int' },
  apiRateLimit: { env: 'VIGIL_API_RATE_LIMIT', type: 'int' },
  trustedProxies: { env: 'VIGIL_TRUSTED_PROXIES', type: 'string' },
  jobExpireSeconds: { env: 'VIGIL_JOB_EXPIRE_SECONDS', type: 'int' },
  jobRetryLimit: { env: 'VIGIL_JOB_RETRY_LIMIT', type: 'int' },
  jobRetryDelaySeconds: { env: 'VIGIL_JOB_RETRY_DELAY_SECONDS', type: 'int' },
  jobPollSeconds: { env: 'VIGIL_JOB_POLL_SECONDS', type: 'int' },
  jobMaintenanceSeconds: { env: 'VIGIL_JOB_MAINTENANCE_SECONDS', type: 'int' },
  schedulerIntervalSeconds: { env: 'VIGIL_SCHEDULER_INTERVAL_SECONDS', type: 'int' },
  auditCheckpointSeconds: { env: 'VIGIL_AUDIT_CHECKPOINT_SECONDS', type: 'int' },
  demo: { env: 'VIGIL_DEMO', type: 'bool' },
  demoImage: { env: 'VIGIL_DEMO_IMAGE', type: 'string' },
  agentPort: { env: 'VIGIL_AGENT_PORT', type: 'int' },
  agentNames: { env: 'VIGIL_AGENT_NAMES', type: 'string' },
  agentOfflineSeconds: { env: 'VIGIL_AGENT_OFFLINE_SECONDS', type: 'int' },
  agentCertSeconds: { env: 'VIGIL_AGENT_CERT_SECONDS', type: 'int' },
  agentAlertRate: { env: 'VIGIL_AGENT_ALERT_RATE', type: 'int' },
  agentAlertBurst: { env: 'VIGIL_AGENT_ALERT_BURST', type: 'int' },
  agentCommitMs: { env: 'VIGIL_AGENT_COMMIT_MS', type: 'int' },
  agentCommits: { env: 'VIGIL_AGENT_COMMITS', type: 'int' },
  consoleDir: { env: 'VIGIL_CONSOLE_DIR', type: 'string' },
  localImageDirs: { env: 'VIGIL_LOCAL_IMAGE_DIRS', type: 'string' },
  outboundAllow: { env: 'VIGIL_OUTBOUND_ALLOW', type: 'string' },
  tokenRealms: { env: 'VIGIL_TOKEN_REALMS', type: 'string' },
};

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_DATA_DIR || join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vigil');
}

function coerce(key: string, v: unknown, type: 'string' | 'int' | 'bool', where: string): string | number | boolean {
  if (type === 'string') {
    if (typeof v !== 'string' && typeof v !== 'number') throw new InputError('CONFIG', `${key} must be a string`, where);
    return String(v);
  }
  if (type === 'int') {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n) || n < 0) throw new InputError('CONFIG', `${key} must be a non-negative integer, got ${JSON.stringify(v)}`, where);
    return n;
  }
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  throw new InputError('CONFIG', `${key} must be true or false, got ${JSON.stringify(v)}`, where);
}

export function loadConfig(flags: Partial<Record<Key, unknown>> & { config?: string }, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const out: Record<string, unknown> = {};
  /** Where each setting came from (the last source wins), for errors that name it. */
  const from: Record<string, string> = {};
  const file = flags.config ?? env.VIGIL_CONFIG;
  if (file) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
    } catch (e) {
      throw new InputError('CONFIG', `cannot read config: ${(e as Error).message.split('\n')[0]}`, file);
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new InputError('CONFIG', 'config file must be a YAML mapping', file);
      for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
        const spec = SPEC[k as Key];
        if (!spec) throw new InputError('CONFIG', `unknown setting "${k}"`, file);
        out[k] = coerce(k, v, spec.type, file);
        from[k] = file;
      }
    }
  }
  for (const [k, spec] of Object.entries(SPEC)) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') {
      out[k] = coerce(k, v, spec.type, `env ${spec.env}`);
      from[k] = `env ${spec.env}`;
    }
  }
  for (const [k, v] of Object.entries(flags)) {
    if (k === 'config' || v === undefined) continue;
    const spec = SPEC[k as Key];
    if (spec) {
      out[k] = coerce(k, v, spec.type, `--${k}`);
      from[k] = `--${k}`;
    }
  }
  const dataDir = (out.dataDir as string | undefined) ?? defaultDataDir(env);
  const cfg: ServerConfig = {
    db: `sqlite:${join(dataDir, 'vigil.db')}`,
    dataDir,
    host: '127.0.0.1',
    port: 8080,
    role: 'all',
    metricsPublic: false,
    rescanCron: '0 3 * * *',
    workerConcurrency: 2,
    sessionTtlHours: 12,
    bodyLimitBytes: 8 * 1024 * 1024,
    loginRateLimit: 10,
    apiRateLimit: 6000,
    trustedProxies: '',
    jobExpireSeconds: 30 * 60,
    jobRetryLimit: 3,
    jobRetryDelaySeconds: 10,
    jobPollSeconds: 2,
    jobMaintenanceSeconds: 30,
    schedulerIntervalSeconds: 30,
    auditCheckpointSeconds: 300,
    demo: false,
    agentPort: 8091,
    agentNames: '',
    agentOfflineSeconds: 90,
    agentCertSeconds: 30 * 86_400,
    agentAlertRate: 2000,
    agentAlertBurst: 20_000,
    agentCommitMs: 10,
    agentCommits: 2,
    localImageDirs: '',
    outboundAllow: '',
    tokenRealms: '',
    ...(out as Partial<ServerConfig>),
  };
  if (!['all', 'api', 'worker'].includes(cfg.role)) throw new InputError('CONFIG', `role must be all, api or worker, got "${cfg.role}"`, '--role');
  if (cfg.port > 65535) throw new InputError('CONFIG', `port out of range: ${cfg.port}`, '--port');
  // An ephemeral API port (tests, several servers on one host) makes the agent port ephemeral too unless it was set.
  if (cfg.port === 0 && out.agentPort === undefined) cfg.agentPort = 0;
  if (cfg.agentPort > 65535) throw new InputError('CONFIG', `agent port out of range: ${cfg.agentPort}`, '--agent-port');
  if (cfg.agentCertSeconds < 10 || cfg.agentCertSeconds > 3650 * 86_400)
    throw new InputError('CONFIG', `agentCertSeconds must be 10 to ${3650 * 86_400}, got ${cfg.agentCertSeconds}`, from.agentCertSeconds ?? 'agentCertSeconds');
  if (cfg.agentAlertRate < 1) throw new InputError('CONFIG', 'agentAlertRate must be at least 1', from.agentAlertRate ?? 'agentAlertRate');
  if (cfg.agentCommitMs < 0 || cfg.agentCommitMs > 1000)
    throw new InputError('CONFIG', `agentCommitMs must be 0 to 1000, got ${cfg.agentCommitMs}`, from.agentCommitMs ?? 'agentCommitMs');
  if (cfg.agentCommits < 1 || cfg.agentCommits > 8)
    throw new InputError('CONFIG', `agentCommits must be 1 to 8, got ${cfg.agentCommits}`, from.agentCommits ?? 'agentCommits');
  if (cfg.agentAlertBurst < 1) throw new InputError('CONFIG', 'agentAlertBurst must be at least 1', from.agentAlertBurst ?? 'agentAlertBurst');
  trustedProxyList(cfg.trustedProxies);
  parseAllowList(cfg.outboundAllow);
  parseLocalDirs(cfg.localImageDirs);
  checkAdminPassword(cfg.adminPassword, from.adminPassword);
  return cfg;
}

/**
 * The first administrator's password (adminPassword) passes the same rules as
 * every other password (src/core/auth/password-policy.ts); the error names the
 * setting's source, never the value.
 */
export function checkAdminPassword(password: string | undefined, where = 'adminPassword'): void {
  if (password === undefined) return;
  const problem = passwordProblem(password, { username: 'admin' });
  if (problem) throw new InputError('CONFIG', `adminPassword is refused: ${problem}`, where);
}

/** The trusted proxies setting as a list of addresses / CIDR ranges; a bad entry is an error naming it. */
export function trustedProxyList(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const e = raw.trim();
    if (!e) continue;
    const [addr, prefix, extra] = e.split('/');
    const kind = isIP(addr ?? '');
    const max = kind === 4 ? 32 : 128;
    const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!kind || !okPrefix || extra !== undefined)
      throw new InputError('CONFIG', `trustedProxies: not an IP address or CIDR range: ${JSON.stringify(e)}`, 'trustedProxies');
    out.push(e);
  }
  if (out.length > 100) throw new InputError('CONFIG', 'trustedProxies: more than 100 entries', 'trustedProxies');
  return out;
}
