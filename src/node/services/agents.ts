// The node agents' side of the services (the gRPC link of src/node/agent
// calls these, as routes do): enrollment (spends a one-time cluster agent
// token, audited as enrollNode; a token check that spends nothing), the node
// of a client certificate, certificate renewal (renewNodeCert) and
// revocation (revokeNode, from the API), node
// status from heartbeats, alert batches (stored through ./alerts.ts,
// deduplicated by alert ID, audited as ingestAlerts), the policies pushed to
// a project's agents, the node inventory, and the housekeeping of the link (offline sweep,
// pruning of the remembered alert IDs).
import { createHash } from 'node:crypto';
import type { Alert } from '../../core/alerts/types.js';
import type { NodeContainer } from '../../core/checks/node-container.js';
import { pushedPolicies, type PushedPolicies } from '../../core/policy/pushed.js';
import { hashToken } from '../crypto/tokens.js';
import { appendAudit, type Actor } from '../store/audit-log.js';
import { newId } from '../store/ids.js';
import { ingestAlerts } from './alerts.js';
import { agentIntel, type FeedThreatIps } from './intel.js';
import { conflict, HttpError } from './errors.js';
import { mutate } from './mutate.js';
import { inProject, published, type Caller, type ServiceDeps } from './common.js';

/** How long the server remembers an agent alert ID (a replay older than this would be stored again). */
export const AGENT_ALERT_ID_DAYS = 30;

export interface EnrollInput {
  token: string;
  nodeName: string;
  publicKeyPem: string;
  version: string;
  kernel: string;
  sourceIp: string;
}

export interface EnrolledNode {
  nodeId: string;
  clusterId: string;
  projectId: string;
  certPem: string;
}

export interface AgentNode {
  id: string;
  projectId: string;
  clusterId: string | null;
  hostname: string;
}

/** A node found by a client certificate: the certificate may be its current one or the one it renewed from. */
export interface CertNode extends AgentNode {
  /** The presented certificate is the node's current one (not the previous one, kept until the renewed one is used). */
  current: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
}

/** What a certificate issuer returns: the PEM, its sha256 and its expiry. */
export type IssueCert = (
  node: { id: string; clusterId: string; projectId: string },
  now: Date,
) => Promise<{ certPem: string; fingerprint: string; notAfter: string }>;

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const refused = (message: string) => new HttpError(401, 'AGENT_TOKEN', message);
const invalid = (message: string) => new HttpError(400, 'AGENT_ENROLL', message);

/** The audit actor of an agent: the node's name, its address, its version. */
export function agentActor(nodeName: string, sourceIp: string, version: string): Actor {
  return { userId: '', username: `node:${nodeName}`, sourceIp, userAgent: `vigil-agent/${version}`.slice(0, 100) };
}

/**
 * Spends the token and records the node with the certificate `issue` makes
 * for it (issued inside the transaction: a failed issue leaves the token
 * unspent). Enrolling a node name again replaces its certificate.
 */
export async function enrollNode(s: Pick<ServiceDeps, 'store' | 'clock'>, req: EnrollInput, issue: IssueCert): Promise<EnrolledNode> {
  if (typeof req.token !== 'string' || req.token.length === 0 || req.token.length > 200) throw invalid('enroll: token missing or too long');
  if (!NODE_NAME.test(req.nodeName ?? ''))
    throw invalid(`enroll: bad node name ${JSON.stringify(String(req.nodeName).slice(0, 100))} (letters, digits, . _ -; up to 253)`);
  if ((req.publicKeyPem ?? '').length > 2000 || (req.version ?? '').length > 50 || (req.kernel ?? '').length > 200)
    throw invalid('enroll: public key, version or kernel too long');
  const db = s.store.db;
  const now = s.clock();
  const nowIso = now.toISOString();
  const tok = await usableToken(s, req.token);
  return db.transaction().execute(async (trx) => {
    const spent = await trx.updateTable('agent_tokens').set({ used_at: nowIso }).where('id', '=', tok.id).where('used_at', 'is', null).executeTakeFirst();
    if (!Number(spent.numUpdatedRows)) throw refused('enroll: agent token already used (tokens are one-time; mint a new one)');
    const existing = await trx
      .selectFrom('nodes')
      .select(['id', 'revoked_at'])
      .where('project_id', '=', tok.project_id)
      .where('hostname', '=', req.nodeName)
      .executeTakeFirst();
    if (existing?.revoked_at)
      throw refused(`enroll: node ${req.nodeName} was revoked at ${existing.revoked_at}; a revoked node stays refused (enroll under another node name)`);
    const nodeId = existing?.id ?? newId();
    const { certPem, fingerprint, notAfter } = await issue({ id: nodeId, clusterId: tok.cluster_id, projectId: tok.project_id }, now);
    const row = {
      cluster_id: tok.cluster_id,
      status: 'offline',
      version: req.version ?? '',
      kernel: req.kernel ?? '',
      cert_sha256: fingerprint,
      cert_not_after: notAfter,
      cert_prev_sha256: null,
      last_seen: nowIso,
    };
    if (existing) await trx.updateTable('nodes').set(row).where('id', '=', nodeId).execute();
    else
      await trx
        .insertInto('nodes')
        .values({ id: nodeId, project_id: tok.project_id, hostname: req.nodeName, created_at: nowIso, ...row })
        .execute();
    await appendAudit(
      trx,
      s.store,
      agentActor(req.nodeName, req.sourceIp, req.version ?? ''),
      {
        event: 'enrollNode',
        projectId: tok.project_id,
        resourceType: 'node',
        resourceId: nodeId,
        summary: { hostname: req.nodeName, clusterId: tok.cluster_id, tokenId: tok.id, reenrolled: !!existing, certSha256: fingerprint },
      },
      now,
    );
    return { certPem, nodeId, clusterId: tok.cluster_id, projectId: tok.project_id };
  });
}

/** The unspent, unexpired agent token with this secret, or a 401 saying why not (as Enroll says it). */
async function usableToken(s: Pick<ServiceDeps, 'store' | 'clock'>, token: string) {
  const tok = await s.store.db.selectFrom('agent_tokens').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!tok) throw refused('enroll: unknown agent token (mint one: POST /api/v1/projects/{id}/clusters/{id}/agent-tokens)');
  if (tok.used_at) throw refused(`enroll: agent token already used at ${tok.used_at} (tokens are one-time; mint a new one)`);
  if (tok.expires_at <= s.clock().toISOString()) throw refused(`enroll: agent token expired at ${tok.expires_at} (mint a new one)`);
  return tok;
}

/** Whether Enroll would take this token now, without spending it (`vigil agent doctor`). */
export async function checkAgentToken(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  token: string,
): Promise<{ valid: boolean; reason: string; expiresAt: string; clusterId: string }> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200)
    return { valid: false, reason: 'token missing or too long', expiresAt: '', clusterId: '' };
  try {
    const tok = await usableToken(s, token);
    return { valid: true, reason: '', expiresAt: tok.expires_at, clusterId: tok.cluster_id };
  } catch (e) {
    if (e instanceof HttpError) return { valid: false, reason: e.message, expiresAt: '', clusterId: '' };
    throw e;
  }
}

/** The enrolled node whose current (or previous, before its renewed one is used) certificate has this fingerprint. */
export async function nodeByCertificate(s: Pick<ServiceDeps, 'store'>, fingerprint: string): Promise<CertNode | undefined> {
  const n = await s.store.db
    .selectFrom('nodes')
    .select(['id', 'project_id', 'cluster_id', 'hostname', 'cert_sha256', 'revoked_at', 'revoked_reason'])
    .where((w) => w.or([w('cert_sha256', '=', fingerprint), w('cert_prev_sha256', '=', fingerprint)]))
    .executeTakeFirst();
  return (
    n && {
      id: n.id,
      projectId: n.project_id,
      clusterId: n.cluster_id,
      hostname: n.hostname,
      current: n.cert_sha256 === fingerprint,
      revokedAt: n.revoked_at,
      revokedReason: n.revoked_reason,
    }
  );
}

/** The node connected with its renewed certificate: the previous one is refused from now on. */
export async function forgetPreviousCert(s: Pick<ServiceDeps, 'store'>, nodeId: string, current: string): Promise<void> {
  await s.store.db
    .updateTable('nodes')
    .set({ cert_prev_sha256: null })
    .where('id', '=', nodeId)
    .where('cert_sha256', '=', current)
    .where('cert_prev_sha256', 'is not', null)
    .execute();
}

/**
 * A new client certificate for the node that presented `presented` (its
 * current or previous certificate, not revoked): the new one becomes
 * current, the presented one stays valid until the new one is used.
 * Audited as renewNodeCert (actor the node).
 */
export async function renewNodeCert(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  node: CertNode & { sourceIp: string; version: string },
  presented: string,
  issue: IssueCert,
): Promise<{ certPem: string; notAfter: string }> {
  const now = s.clock();
  return s.store.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('nodes').select(['revoked_at', 'cluster_id']).where('id', '=', node.id).executeTakeFirst();
    if (!row || row.revoked_at) throw new HttpError(403, 'AGENT_REVOKED', `renew: node ${node.hostname} was revoked${row ? ` at ${row.revoked_at}` : ''}`);
    const { certPem, fingerprint, notAfter } = await issue({ id: node.id, clusterId: row.cluster_id ?? '', projectId: node.projectId }, now);
    await trx.updateTable('nodes').set({ cert_sha256: fingerprint, cert_prev_sha256: presented, cert_not_after: notAfter }).where('id', '=', node.id).execute();
    await appendAudit(
      trx,
      s.store,
      agentActor(node.hostname, node.sourceIp, node.version),
      { event: 'renewNodeCert', projectId: node.projectId, resourceType: 'node', resourceId: node.id, summary: { certSha256: fingerprint, notAfter } },
      now,
    );
    return { certPem, notAfter };
  });
}

/**
 * Revokes a node (from the API, audited as revokeNode): its certificates are
 * refused from now on, its open streams are closed (the `nodes` change), and
 * enrolling its name again is refused.
 */
export async function revokeNode(s: ServiceDeps, by: Caller, projectId: string, nodeId: string, reason: string): Promise<{ ok: true; revokedAt: string }> {
  const at = s.clock().toISOString();
  await mutate(s, by, { resourceType: 'node', resourceId: nodeId, projectId, summary: { reason } }, async (trx) => {
    const n = await inProject(trx, 'nodes', nodeId, projectId, 'node');
    if (n.revoked_at) throw conflict(`node ${n.hostname} was already revoked at ${n.revoked_at}`);
    await trx
      .updateTable('nodes')
      .set({ revoked_at: at, revoked_reason: reason, status: 'revoked', cert_prev_sha256: null })
      .where('id', '=', nodeId)
      .execute();
  });
  published(s, 'nodes', projectId);
  return { ok: true, revokedAt: at };
}

/** Whether the node is revoked now (checked before each alert batch is committed). */
export async function isRevoked(s: Pick<ServiceDeps, 'store'>, nodeId: string): Promise<boolean> {
  const n = await s.store.db.selectFrom('nodes').select('revoked_at').where('id', '=', nodeId).executeTakeFirst();
  return !n || !!n.revoked_at;
}

export async function touchNode(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  nodeId: string,
  set: {
    status?: string;
    version?: string;
    kernel?: string;
    queue_depth?: number;
    queue_dropped?: number;
    lost_events?: number;
    sensor_health?: string;
    detection?: 'on' | 'off';
  },
): Promise<void> {
  await s.store.db
    .updateTable('nodes')
    .set({ ...set, last_seen: s.clock().toISOString() })
    .where('id', '=', nodeId)
    .where('revoked_at', 'is', null)
    .execute();
}

const SENSOR_STATES = new Set(['stopped', 'starting', 'running', 'failed']);
const count = (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0);

/**
 * A heartbeat: the node is online, with its agent's queue depth, alerts
 * dropped past its queue cap, events its sensors lost, and each sensor's
 * state. The sensor list comes from the node: anything but a list of
 * {name, state, detail, events, lost} (at most 32, strings cut short) is
 * stored as an empty list.
 */
export async function recordHeartbeat(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  nodeId: string,
  hb: { queueDepth: number; dropped: number; lostEvents: number; sensors: string },
): Promise<void> {
  let sensors: unknown[] = [];
  try {
    const v: unknown = hb.sensors.length <= 64 * 1024 ? JSON.parse(hb.sensors || '[]') : [];
    if (Array.isArray(v) && v.length <= 32)
      sensors = v
        .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && typeof x.name === 'string' && SENSOR_STATES.has(x.state as string))
        .map((x) => ({
          name: (x.name as string).slice(0, 40),
          state: x.state,
          detail: typeof x.detail === 'string' ? x.detail.slice(0, 300) : '',
          events: count(x.events),
          lost: count(x.lost),
        }));
  } catch {
    sensors = [];
  }
  await touchNode(s, nodeId, {
    status: 'online',
    queue_depth: count(hb.queueDepth),
    queue_dropped: count(hb.dropped),
    lost_events: count(hb.lostEvents),
    sensor_health: JSON.stringify(sensors),
  });
}

/** One validated batch from a node's agent. */
export interface AgentBatch {
  node: AgentNode & { sourceIp: string; version: string };
  alerts: Alert[];
}

/**
 * Alert batches of one project's nodes in one transaction (the link's group
 * commit): stored once per alert ID, one audit record per node with what it
 * added; returns the new alerts of each batch, or null for a batch whose
 * node is revoked (or gone): nothing of it is stored.
 */
export async function ingestAgentBatches(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  projectId: string,
  all: readonly AgentBatch[],
): Promise<Array<readonly Alert[] | null>> {
  // Revocation is checked here, once per commit for every node in it, rather than once per message.
  const ids = [...new Set(all.map((b) => b.node.id))];
  // A live node of the project also says the project exists (nodes go with it): ingestAlerts need not look it up.
  const live = new Set(
    (
      await s.store.db.selectFrom('nodes').select('id').where('id', 'in', ids).where('project_id', '=', projectId).where('revoked_at', 'is', null).execute()
    ).map((r) => r.id),
  );
  const batches = all.filter((b) => live.has(b.node.id));
  if (!batches.length) return all.map(() => null);
  let fresh = new Set<Alert>();
  const first = batches[0]!.node;
  await ingestAlerts(
    s,
    { actor: agentActor(first.hostname, first.sourceIp, first.version), event: 'ingestAlerts' },
    projectId,
    batches.flatMap((b) => b.alerts),
    {
      dedupeIds: true,
      projectChecked: true,
      onFresh: (f) => {
        fresh = new Set(f);
      },
      audit: () => {
        const byNode = new Map<string, { node: AgentBatch['node']; count: number; replayed: number }>();
        for (const b of batches) {
          const e = byNode.get(b.node.id) ?? byNode.set(b.node.id, { node: b.node, count: 0, replayed: 0 }).get(b.node.id)!;
          for (const a of b.alerts) {
            if (fresh.has(a)) e.count++;
            else e.replayed++;
          }
        }
        return [...byNode.values()]
          .filter((e) => e.count)
          .map((e) => ({
            actor: agentActor(e.node.hostname, e.node.sourceIp, e.node.version),
            summary: { count: e.count, replayed: e.replayed, nodeId: e.node.id },
          }));
      },
    },
  );
  return all.map((b) => (live.has(b.node.id) ? b.alerts.filter((a) => fresh.has(a)) : null));
}

/** What the agents of `projectId` (in cluster `clusterId`) apply. */
export async function agentPolicies(s: Pick<ServiceDeps, 'store'>, projectId: string, clusterId: string | null, feed?: FeedThreatIps): Promise<PushedPolicies> {
  const db = s.store.db;
  const { rules, threatIps } = await agentIntel(db, projectId, feed);
  const rows = await db.selectFrom('policies').selectAll().where('project_id', '=', projectId).execute();
  const applied = await db
    .selectFrom('policy_images')
    .innerJoin('images', 'images.id', 'policy_images.image_id')
    .innerJoin('policies', 'policies.id', 'policy_images.policy_id')
    .select(['policy_images.policy_id as policyId', 'images.ref as ref'])
    .where('policies.project_id', '=', projectId)
    .execute();
  const refs = new Map<string, string[]>();
  for (const a of applied) (refs.get(a.policyId) ?? refs.set(a.policyId, []).get(a.policyId)!).push(a.ref);
  const cluster = clusterId ? await db.selectFrom('clusters').select('protected').where('id', '=', clusterId).executeTakeFirst() : undefined;
  return pushedPolicies(
    projectId,
    cluster?.protected === 1,
    rows.map((r) => {
      let document: Record<string, unknown>;
      try {
        document = JSON.parse(r.document) as Record<string, unknown>;
      } catch {
        document = {};
      }
      return { id: r.id, name: r.name, kind: r.kind, mode: r.mode, document, images: refs.get(r.id) ?? [], updatedAt: r.updated_at };
    }),
    (x) => `sha256:${createHash('sha256').update(x).digest('hex')}`,
    { rules, threatIps },
  );
}

/** Nodes online whose last heartbeat is older than the cutoff become offline. */
export async function sweepOfflineNodes(s: Pick<ServiceDeps, 'store'>, cutoffIso: string): Promise<void> {
  await s.store.db
    .updateTable('nodes')
    .set({ status: 'offline' })
    .where('status', '=', 'online')
    .where('cert_sha256', 'is not', null)
    .where('last_seen', '<', cutoffIso)
    .execute();
}

/** Forgets agent alert IDs received before the cutoff; returns how many. */
export async function pruneAgentAlertIds(s: Pick<ServiceDeps, 'store'>, cutoffIso: string): Promise<number> {
  const r = await s.store.db.deleteFrom('agent_alert_ids').where('received_at', '<', cutoffIso).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

/** Replaces the node's inventory (the running containers its agent reported). */
export async function storeNodeInventory(s: Pick<ServiceDeps, 'store' | 'clock'>, node: AgentNode, containers: readonly NodeContainer[]): Promise<void> {
  const now = s.clock().toISOString();
  await s.store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('node_containers').where('node_id', '=', node.id).execute();
    for (let i = 0; i < containers.length; i += 100)
      await trx
        .insertInto('node_containers')
        .values(
          containers.slice(i, i + 100).map((c) => ({
            node_id: node.id,
            project_id: node.projectId,
            container_id: c.id,
            name: c.name,
            image: c.image,
            image_digest: c.imageDigest,
            state: c.state,
            started_at: c.startedAt,
            privileged: c.privileged ? 1 : 0,
            settings: JSON.stringify({
              runtime: c.runtime,
              namespace: c.namespace,
              capAdd: c.capAdd,
              hostMounts: c.hostMounts,
              hostPid: c.hostPid,
              hostNetwork: c.hostNetwork,
              hostIpc: c.hostIpc,
            }),
            updated_at: now,
          })),
        )
        .execute();
  });
}
