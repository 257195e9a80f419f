// The operations audit trail in the store: appends (hash-chained, serialised
// so concurrent writers never fork the chain, inside the caller's
// transaction), verification and export (JSON lines, CSV).
import { sql } from 'kysely';
import { auditHash, canonicalJson, GENESIS_HASH, redactSummary } from '../../core/auth/audit-chain.js';
import type { Dialect, Store, Tx, Db } from './store.js';
import type { AuditTable } from './schema.js';

/** Who did it and from where: filled from the request. */
export interface Actor {
  userId: string;
  username: string;
  sourceIp: string;
  userAgent: string;
}

export const SYSTEM_ACTOR: Actor = { userId: '', username: 'system', sourceIp: '', userAgent: '' };

export interface AuditEntry {
  event: string;
  projectId?: string;
  resourceType: string;
  resourceId: string;
  summary?: unknown;
  result?: 'success' | 'failure';
}

export type AuditRow = Omit<AuditTable, 'seq'> & { seq: number };

/** Advisory lock key of the chain (PostgreSQL). */
const PG_LOCK_AUDIT = '8531190335541231617';

export async function appendAudit(trx: Tx, dialect: Dialect, actor: Actor, e: AuditEntry, now: Date = new Date()): Promise<AuditRow> {
  // PostgreSQL: the transaction-scoped lock serialises appends across processes
  // and is released at commit, so the next writer sees this record as the tail.
  // SQLite has one writer: Kysely runs the transaction on its single connection.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_LOCK_AUDIT}::bigint)`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash', 'time']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  // Time follows sequence order: `now` was taken before waiting for the lock
  // (or on another replica's clock), so it may be earlier than the tail's.
  let time = now.toISOString();
  if (last && last.time > time) time = last.time;
  const rec = {
    seq: (last?.seq ?? 0) + 1,
    time,
    user_id: actor.userId,
    username: actor.username,
    source_ip: actor.sourceIp,
    user_agent: actor.userAgent.slice(0, 300),
    project_id: e.projectId ?? '',
    event: e.event,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    summary: canonicalJson(redactSummary(e.summary ?? {})),
    result: e.result ?? 'success',
  };
  const prev = last?.hash ?? GENESIS_HASH;
  const row: AuditRow = { ...rec, prev_hash: prev, hash: auditHash(prev, rec) };
  await trx.insertInto('audit_log').values(row).execute();
  return row;
}

/** Appends outside any other change (e.g. a failed operation, a login). */
export function auditOnly(store: Store, actor: Actor, e: AuditEntry): Promise<AuditRow> {
  return store.db.transaction().execute((trx) => appendAudit(trx, store.dialect, actor, e));
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record that does not verify. */
  bad?: { seq: number; reason: string };
}

export async function verifyAudit(db: Db, pageSize = 5000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let after = 0;
  let n = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq) return { ok: false, records: n, bad: { seq: r.seq, reason: `sequence gap: expected record ${expectedSeq}` } };
      if (r.prev_hash !== prev) return { ok: false, records: n, bad: { seq: r.seq, reason: 'previous-hash link broken' } };
      if (auditHash(prev, r) !== r.hash) return { ok: false, records: n, bad: { seq: r.seq, reason: 'content does not match its hash' } };
      prev = r.hash;
      expectedSeq++;
      n++;
    }
    after = rows[rows.length - 1]!.seq;
  }
  return { ok: true, records: n };
}

export interface AuditQuery {
  event?: string;
  projectId?: string;
  afterSeq?: number;
  limit?: number;
}

export async function queryAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  let qb = db.selectFrom('audit_log').selectAll();
  if (q.event) qb = qb.where('event', '=', q.event);
  if (q.projectId) qb = qb.where('project_id', '=', q.projectId);
  if (q.afterSeq) qb = qb.where('seq', '>', q.afterSeq);
  return qb.orderBy('seq').limit(q.limit ?? 100).execute();
}

export const AUDIT_COLUMNS = ['seq', 'time', 'user_id', 'username', 'source_ip', 'user_agent', 'project_id', 'event', 'resource_type', 'resource_id', 'summary', 'result', 'prev_hash', 'hash'] as const;

function csvField(v: unknown): string {
  const s = String(v ?? '');
  // Also defuse spreadsheet formulas.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Streams the whole trail as JSON lines or CSV, in pages. */
export async function* exportAudit(db: Db, format: 'jsonl' | 'csv', pageSize = 5000): AsyncGenerator<string> {
  if (format === 'csv') yield `${AUDIT_COLUMNS.join(',')}\n`;
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) return;
    let chunk = '';
    for (const r of rows) {
      chunk += format === 'jsonl' ? `${JSON.stringify(r)}\n` : `${AUDIT_COLUMNS.map((c) => csvField(r[c])).join(',')}\n`;
    }
    yield chunk;
    after = rows[rows.length - 1]!.seq;
  }
}
