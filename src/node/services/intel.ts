// What the server gives its agents' rule engines besides policies
// (docs/rules.md "Rules and threat lists from the server"): threat-IP entries
// added through the API, of one project or global (addThreatIp /
// deleteThreatIp), the threat-IP feeds of the vulnerability DB (`vigil db
// update --sources threat-ips`), and custom Falco-style rule files of a
// project (addRule / modifyRule / deleteRule), checked by the rule loader on
// upload (its diagnostics, with line and column, are the error). Every change
// is published as a policy change: the agent link re-reads the project's set
// (src/node/services/agents.ts agentPolicies) and pushes it.
import { statSync } from 'node:fs';
import { loadRuleset } from '../../core/rules/index.js';
import { normalizeCidr } from '../../core/rules/cidr.js';
import type { PushedIntel } from '../../core/policy/pushed.js';
import type { Db, Tx } from '../store/store.js';
import { newId } from '../store/ids.js';
import { readFeedThreatIps } from '../vulndb/db.js';
import { badRequest, HttpError } from './errors.js';
import { mutate } from './mutate.js';
import { inProject, requireProject, requireTouched, toApi, published, type Caller, type ServiceDeps } from './common.js';

/** API entries per scope (one project, or global). */
export const MAX_THREAT_IPS_PER_SCOPE = 10_000;
/** Feed entries pushed to an agent (the rest are counted, not sent): the agent's own bound; they travel packed, in chunks. */
export const MAX_PUSHED_FEED_THREAT_IPS = 500_000;
export const MAX_RULE_FILE_BYTES = 256 * 1024;
export const MAX_RULE_FILES = 50;
/** All rule files of a project together (they travel in one message). */
export const MAX_RULE_BYTES_PER_PROJECT = 1024 * 1024;

type Api = Record<string, unknown>;

// ---- threat IPs --------------------------------------------------------------

const scopeOf = (projectId: string | null) => (projectId === null ? 'global' : `project ${projectId}`);

export async function listThreatIps(s: Pick<ServiceDeps, 'store'>, projectId: string | null): Promise<{ items: Api[] }> {
  let qb = s.store.db.selectFrom('threat_ips').selectAll();
  qb = projectId === null ? qb.where('project_id', 'is', null) : qb.where('project_id', '=', projectId);
  return { items: (await qb.orderBy('cidr').orderBy('id').execute()).map(toApi) };
}

/** Adds entries (addThreatIp); a bad CIDR refuses the whole request naming the entry. Entries already present are kept as they are. */
export async function addThreatIps(
  s: ServiceDeps,
  by: Caller,
  projectId: string | null,
  entries: ReadonlyArray<{ cidr: string; comment?: string }>,
): Promise<{ added: number; ids: string[] }> {
  const rows = entries.map((e, i) => {
    const cidr = normalizeCidr(e.cidr);
    if (!cidr) throw badRequest('THREAT_IP_INVALID', `entries[${i}].cidr: '${e.cidr.slice(0, 80)}' is not an IP address or CIDR`);
    const comment = (e.comment ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
    return { cidr, comment };
  });
  const result = await mutate(
    s,
    by,
    {
      resourceType: 'threatIp',
      resourceId: (r: { ids: string[] }) => r.ids.slice(0, 20).join(','),
      ...(projectId !== null ? { projectId } : {}),
      summary: { scope: scopeOf(projectId), cidrs: rows.slice(0, 20).map((r) => r.cidr), count: rows.length },
    },
    async (trx) => {
      if (projectId !== null) await requireProject(trx, projectId);
      const existing = await threatIpsOf(trx, projectId);
      const have = new Set(existing.map((r) => r.cidr));
      const fresh = rows.filter((r) => !have.has(r.cidr) && (have.add(r.cidr), true));
      if (existing.length + fresh.length > MAX_THREAT_IPS_PER_SCOPE)
        throw badRequest('LIMIT_THREAT_IPS', `${scopeOf(projectId)} would hold more than ${MAX_THREAT_IPS_PER_SCOPE} threat-IP entries`);
      const now = s.clock().toISOString();
      const ids: string[] = [];
      for (let i = 0; i < fresh.length; i += 200) {
        const chunk = fresh.slice(i, i + 200).map((r) => {
          const id = newId();
          ids.push(id);
          return { id, project_id: projectId, cidr: r.cidr, comment: r.comment, created_by: by.actor.username, created_at: now };
        });
        await trx.insertInto('threat_ips').values(chunk).execute();
      }
      return { added: ids.length, ids };
    },
  );
  published(s, 'policies', projectId ?? '*');
  return result;
}

export async function deleteThreatIp(s: ServiceDeps, by: Caller, projectId: string | null, id: string): Promise<void> {
  await mutate(
    s,
    by,
    { resourceType: 'threatIp', resourceId: id, ...(projectId !== null ? { projectId } : {}), summary: { scope: scopeOf(projectId) } },
    async (trx) => {
      let q = trx.deleteFrom('threat_ips').where('id', '=', id);
      q = projectId === null ? q.where('project_id', 'is', null) : q.where('project_id', '=', projectId);
      requireTouched(await q.executeTakeFirst(), 'threat-IP entry');
    },
  );
  published(s, 'policies', projectId ?? '*');
}

async function threatIpsOf(db: Db | Tx, projectId: string | null): Promise<Array<{ cidr: string }>> {
  let qb = db.selectFrom('threat_ips').select('cidr');
  qb = projectId === null ? qb.where('project_id', 'is', null) : qb.where('project_id', '=', projectId);
  return qb.execute();
}

/** The threat-IP feed entries of the server's vulnerability DB, re-read only when the file changed. */
export class FeedThreatIps {
  private cached?: { key: string; cidrs: string[]; total: number };
  constructor(readonly dbPath: string | undefined) {}

  /** The file's identity now ('' without a DB): the link polls it to push a new feed. */
  key(): string {
    if (!this.dbPath) return '';
    try {
      const st = statSync(this.dbPath);
      return `${st.dev}:${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  current(): { cidrs: string[]; total: number } {
    const key = this.key();
    if (!key) return { cidrs: [], total: 0 };
    if (this.cached?.key !== key) {
      try {
        this.cached = { key, ...readFeedThreatIps(this.dbPath!, MAX_PUSHED_FEED_THREAT_IPS) };
      } catch {
        // A broken DB is reported by the scans that use it; the agents keep the API's entries.
        this.cached = { key, cidrs: [], total: 0 };
      }
    }
    return { cidrs: this.cached.cidrs, total: this.cached.total };
  }
}

const feeds = new Map<string, FeedThreatIps>();
/** One reader per DB path in the process (the link and the API share its cache). */
export function feedThreatIps(dbPath: string | undefined): FeedThreatIps {
  let f = feeds.get(dbPath ?? '');
  if (!f) feeds.set(dbPath ?? '', (f = new FeedThreatIps(dbPath)));
  return f;
}

// ---- custom rules -------------------------------------------------------------

/** The loader's verdict on one file: 400 RULES_INVALID with the diagnostics (line, column) when it has errors. */
function checkRuleFile(name: string, content: string): { rules: number; warnings: Api[] } {
  const r = loadRuleset([{ name, text: content }], { builtin: false, source: 'syscall' });
  // Errors first (a refused file lists every error, up to 50), then warnings.
  const ordered = [...r.diagnostics.filter((d) => d.severity === 'error'), ...r.diagnostics.filter((d) => d.severity !== 'error')];
  const diagnostics = ordered.slice(0, 50).map((d) => ({
    severity: d.severity,
    code: d.code,
    line: d.line,
    column: d.column,
    ...(d.rule ? { rule: d.rule } : {}),
    message: d.message,
  }));
  const first = r.diagnostics.find((d) => d.severity === 'error');
  if (first)
    throw new HttpError(400, 'RULES_INVALID', `${name}:${first.line}:${first.column}: ${first.message} (${first.code})`, {
      diagnostics: diagnostics.filter((d) => d.severity === 'error'),
    });
  const rules = r.ruleset.rules.length;
  if (!rules) throw badRequest('RULES_INVALID', `${name}: the file defines no rule`);
  return { rules, warnings: diagnostics };
}

const RULE_COLUMNS = ['id', 'project_id', 'name', 'enabled', 'rule_count', 'created_by', 'created_at', 'updated_at'] as const;

const ruleApi = (r: Record<string, unknown>): Api => ({ ...toApi(r), enabled: r.enabled === 1 });

export async function listRules(s: Pick<ServiceDeps, 'store'>, projectId: string): Promise<{ items: Api[] }> {
  const rows = await s.store.db.selectFrom('custom_rules').select(RULE_COLUMNS).where('project_id', '=', projectId).orderBy('name').execute();
  return { items: rows.map(ruleApi) };
}

export async function getRule(s: Pick<ServiceDeps, 'store'>, projectId: string, ruleId: string): Promise<Api> {
  return ruleApi(await inProject(s.store.db, 'custom_rules', ruleId, projectId, 'rule file'));
}

async function checkProjectBudget(trx: Tx, projectId: string, exceptId: string | undefined, bytes: number): Promise<void> {
  let q = trx.selectFrom('custom_rules').select(['id', 'content']).where('project_id', '=', projectId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const others = await q.execute();
  if (!exceptId && others.length >= MAX_RULE_FILES) throw badRequest('LIMIT_RULE_FILES', `a project holds at most ${MAX_RULE_FILES} rule files`);
  const total = others.reduce((n, r) => n + Buffer.byteLength(r.content), bytes);
  if (total > MAX_RULE_BYTES_PER_PROJECT)
    throw badRequest('LIMIT_RULE_FILES', `the project's rule files would hold ${total} bytes, more than ${MAX_RULE_BYTES_PER_PROJECT}`);
}

export async function addRule(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  b: { name: string; content: string; enabled?: boolean },
): Promise<{ id: string; rules: number; warnings: Api[] }> {
  const bytes = Buffer.byteLength(b.content);
  if (bytes > MAX_RULE_FILE_BYTES) throw badRequest('LIMIT_RULE_FILES', `${b.name}: ${bytes} bytes, more than ${MAX_RULE_FILE_BYTES}`);
  const checked = checkRuleFile(b.name, b.content);
  const enabled = b.enabled ?? true;
  const id = await mutate(
    s,
    by,
    { resourceType: 'rule', resourceId: (r: string) => r, projectId, summary: { name: b.name, rules: checked.rules, enabled, bytes } },
    async (trx) => {
      await requireProject(trx, projectId);
      await checkProjectBudget(trx, projectId, undefined, bytes);
      const rid = newId();
      const now = s.clock().toISOString();
      await trx
        .insertInto('custom_rules')
        .values({
          id: rid,
          project_id: projectId,
          name: b.name,
          content: b.content,
          enabled: enabled ? 1 : 0,
          rule_count: checked.rules,
          created_by: by.actor.username,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return rid;
    },
  );
  published(s, 'policies', projectId);
  return { id, rules: checked.rules, warnings: checked.warnings };
}

/** Enables, disables or replaces a rule file (modifyRule). */
export async function updateRule(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  ruleId: string,
  b: { enabled?: boolean; content?: string },
): Promise<{ ok: true; rules: number; warnings: Api[] }> {
  const cur = await inProject(s.store.db, 'custom_rules', ruleId, projectId, 'rule file');
  let checked: { rules: number; warnings: Api[] } = { rules: cur.rule_count, warnings: [] };
  if (b.content !== undefined) {
    const bytes = Buffer.byteLength(b.content);
    if (bytes > MAX_RULE_FILE_BYTES) throw badRequest('LIMIT_RULE_FILES', `${cur.name}: ${bytes} bytes, more than ${MAX_RULE_FILE_BYTES}`);
    checked = checkRuleFile(cur.name, b.content);
  }
  const summary = { name: cur.name, ...(b.enabled !== undefined ? { enabled: b.enabled } : {}), ...(b.content !== undefined ? { rules: checked.rules } : {}) };
  await mutate(s, by, { resourceType: 'rule', resourceId: ruleId, projectId, summary }, async (trx) => {
    if (b.content !== undefined) await checkProjectBudget(trx, projectId, ruleId, Buffer.byteLength(b.content));
    requireTouched(
      await trx
        .updateTable('custom_rules')
        .set({
          ...(b.enabled !== undefined ? { enabled: b.enabled ? 1 : 0 } : {}),
          ...(b.content !== undefined ? { content: b.content, rule_count: checked.rules } : {}),
          updated_at: s.clock().toISOString(),
        })
        .where('id', '=', ruleId)
        .where('project_id', '=', projectId)
        .executeTakeFirst(),
      'rule file',
    );
  });
  published(s, 'policies', projectId);
  return { ok: true, rules: checked.rules, warnings: checked.warnings };
}

export async function deleteRule(s: ServiceDeps, by: Caller, projectId: string, ruleId: string): Promise<void> {
  await mutate(s, by, { resourceType: 'rule', resourceId: ruleId, projectId }, async (trx) => {
    requireTouched(await trx.deleteFrom('custom_rules').where('id', '=', ruleId).where('project_id', '=', projectId).executeTakeFirst(), 'rule file');
  });
  published(s, 'policies', projectId);
}

// ---- what the agents get --------------------------------------------------------

/** The rule files and threat-IP entries of a project's agents: enabled rule files by name, global + project + feed CIDRs. */
export async function agentIntel(db: Db, projectId: string, feed?: FeedThreatIps): Promise<PushedIntel & { counts: Record<string, number> }> {
  const rules = await db
    .selectFrom('custom_rules')
    .select(['name', 'content'])
    .where('project_id', '=', projectId)
    .where('enabled', '=', 1)
    .orderBy('name')
    .execute();
  const api = await db
    .selectFrom('threat_ips')
    .select(['cidr', 'project_id'])
    .where((eb) => eb.or([eb('project_id', 'is', null), eb('project_id', '=', projectId)]))
    .execute();
  const f = feed?.current() ?? { cidrs: [], total: 0 };
  const all = [...new Set([...api.map((r) => r.cidr), ...f.cidrs])].sort();
  return {
    rules: rules.map((r) => ({ name: r.name, content: r.content })),
    threatIps: all,
    counts: {
      global: api.filter((r) => r.project_id === null).length,
      project: api.filter((r) => r.project_id !== null).length,
      feed: f.total,
      feedPushed: f.cidrs.length,
    },
  };
}
