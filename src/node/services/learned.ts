// Learned process-whitelist entries (docs/agent.md, docs/console.md): what
// agents in learn mode report (stored per node, policy and executable; only
// for the project's process-whitelist policies, by name), listed per policy,
// and decided by a user: accept adds the executables to the policy's
// whitelist through the policy update path (modifyPolicy, audited, pushed to
// the agents), reject dismisses them (audited). Either way the nodes that
// still hold an entry are told (LearnedDecisions) and forget it.
import type { LearnedDecision, LearnedEntry } from '../../core/policy/learned.js';
import { newId } from '../store/ids.js';
import { badRequest, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { updatePolicy } from './policies.js';
import { inProject, published, toApi, type Caller, type ServiceDeps } from './common.js';
import type { AgentNode } from './agents.js';

export const LEARNED_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type LearnedStatus = (typeof LEARNED_STATUSES)[number];

/**
 * Stores a node's whole report: new entries pending, known ones updated
 * (count, first seen), a decision never undone; entries the report no longer
 * holds are marked unreported. Returns the decided entries the node still
 * holds (to be sent back to it).
 */
export async function storeLearnedReport(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  node: AgentNode,
  entries: readonly LearnedEntry[],
): Promise<LearnedDecision[]> {
  const now = s.clock().toISOString();
  return s.store.db.transaction().execute(async (trx) => {
    const policies = await trx
      .selectFrom('policies')
      .select(['id', 'name'])
      .where('project_id', '=', node.projectId)
      .where('kind', '=', 'process-whitelist')
      .execute();
    const byName = new Map(policies.map((p) => [p.name, p.id]));
    await trx.updateTable('learned_processes').set({ reported: 0 }).where('node_id', '=', node.id).execute();
    for (const e of entries) {
      const policyId = byName.get(e.policy);
      if (!policyId) continue; // a policy of the node's own --policy file, or one deleted since
      await trx
        .insertInto('learned_processes')
        .values({
          id: newId(),
          project_id: node.projectId,
          policy_id: policyId,
          node_id: node.id,
          executable: e.executable,
          image: e.image,
          first_seen: e.firstSeen,
          count: e.count,
          status: 'pending',
          decided_by: null,
          decided_at: null,
          reported: 1,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['node_id', 'policy_id', 'executable']).doUpdateSet({ count: e.count, reported: 1, updated_at: now }))
        .execute();
    }
    return decisionsOf(trx, node.id);
  });
}

/** The decided entries a node still holds (its last report has them). */
export async function learnedDecisionsFor(s: Pick<ServiceDeps, 'store'>, nodeId: string): Promise<LearnedDecision[]> {
  return decisionsOf(s.store.db, nodeId);
}

async function decisionsOf(db: ServiceDeps['store']['db'], nodeId: string): Promise<LearnedDecision[]> {
  const rows = await db
    .selectFrom('learned_processes')
    .innerJoin('policies', 'policies.id', 'learned_processes.policy_id')
    .select(['policies.name as policy', 'learned_processes.executable as executable', 'learned_processes.status as status'])
    .where('learned_processes.node_id', '=', nodeId)
    .where('learned_processes.reported', '=', 1)
    .where('learned_processes.status', '!=', 'pending')
    .execute();
  return rows.map((r) => ({ policy: r.policy, executable: r.executable, decision: r.status === 'accepted' ? 'accepted' : 'rejected' }));
}

/** The learned entries of a policy, with the node's name; newest first by default. */
export async function listLearned(
  s: ServiceDeps,
  projectId: string,
  policyId: string,
  q: PageQuery & { status?: LearnedStatus },
): Promise<Page<Record<string, unknown>>> {
  await inProject(s.store.db, 'policies', policyId, projectId, 'policy');
  let qb = s.store.db
    .selectFrom('learned_processes')
    .innerJoin('nodes', 'nodes.id', 'learned_processes.node_id')
    .select([
      'learned_processes.id',
      'learned_processes.policy_id',
      'learned_processes.node_id',
      'nodes.hostname as node_name',
      'learned_processes.executable',
      'learned_processes.image',
      'learned_processes.first_seen',
      'learned_processes.count',
      'learned_processes.status',
      'learned_processes.decided_by',
      'learned_processes.decided_at',
    ])
    .where('learned_processes.project_id', '=', projectId)
    .where('learned_processes.policy_id', '=', policyId);
  if (q.status) qb = qb.where('learned_processes.status', '=', q.status);
  const page = await pageOf(qb, q, { executable: 'executable', firstSeen: 'first_seen', count: 'count' }, 'learned_processes');
  return mapPage(page, toApi);
}

/**
 * Accept (into the policy's whitelist, as modifyPolicy) or reject pending
 * entries of a policy. Entries of the same executable on other nodes are
 * decided with them (the whitelist has no per-node entries).
 */
export async function decideLearned(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  policyId: string,
  ids: readonly string[],
  decision: 'accepted' | 'rejected',
): Promise<{ decided: number; executables: string[] }> {
  const policy = await inProject(s.store.db, 'policies', policyId, projectId, 'policy');
  if (policy.kind !== 'process-whitelist') throw badRequest('POLICY_INVALID', `policy ${policy.name} is not a process-whitelist policy`);
  const rows = await s.store.db
    .selectFrom('learned_processes')
    .select(['id', 'executable', 'status'])
    .where('policy_id', '=', policyId)
    .where('id', 'in', [...ids])
    .execute();
  if (rows.length !== new Set(ids).size) throw notFound('learned entry');
  const executables = [...new Set(rows.map((r) => r.executable))].sort();
  const now = s.clock().toISOString();
  let decided = 0;
  const mark = async (trx: Parameters<Parameters<typeof mutate>[3]>[0]) => {
    const r = await trx
      .updateTable('learned_processes')
      .set({ status: decision, decided_by: by.actor.username, decided_at: now, updated_at: now })
      .where('policy_id', '=', policyId)
      .where('status', '=', 'pending')
      .where('executable', 'in', executables)
      .executeTakeFirst();
    decided = Number(r.numUpdatedRows ?? 0);
  };
  const summary = { learned: decision, executables };
  if (decision === 'accepted') {
    await updatePolicy(
      s,
      by,
      projectId,
      policyId,
      {
        document: (doc) => {
          const wl = (doc.processWhitelist ?? {}) as { executables?: string[] };
          const merged = [...new Set([...(wl.executables ?? []), ...executables])];
          return { ...doc, processWhitelist: { ...wl, executables: merged } };
        },
      },
      { summary, within: mark },
    );
  } else {
    await mutate(s, by, { resourceType: 'policy', resourceId: policyId, projectId, summary }, mark);
  }
  published(s, 'learned', projectId);
  return { decided, executables };
}
