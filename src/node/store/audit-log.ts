// The operations audit trail in the store: appends (HMAC-chained under a key
// kept outside the database, serialised so concurrent writers never fork the
// chain, inside the caller's transaction), signed checkpoints of the head,
// verification (naming the first bad record and the kind of tampering) and
// export (JSON lines, CSV).
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { InputError } from '../../core/errors.js';
import { sql } from 'kysely';
import { auditHash, auditMac, canonicalJson, checkpointMessage, GENESIS_HASH, redactSummary, type CheckpointBody } from '../../core/auth/audit-chain.js';
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

/** What appending needs of the store: its dialect and the chain key. */
export type AuditSink = Pick<Store, 'dialect' | 'auditKey'>;

export async function appendAudit(trx: Tx, s: AuditSink, actor: Actor, e: AuditEntry, now: Date = new Date()): Promise<AuditRow> {
  return (await appendAuditMany(trx, s, [{ actor, entry: e }], now))[0]!;
}

/**
 * Several records in one transaction, chained in order: one lock, one read
 * of the tail and one insert for all (the agent link's group commit writes
 * one per node).
 */
export async function appendAuditMany(
  trx: Tx,
  s: AuditSink,
  records: ReadonlyArray<{ actor: Actor; entry: AuditEntry }>,
  now: Date = new Date(),
): Promise<AuditRow[]> {
  if (!records.length) return [];
  const dialect: Dialect = s.dialect;
  if (!s.auditKey) throw new Error('the audit chain key is not loaded (Store.auditKey)');
  // PostgreSQL: the transaction-scoped lock serialises appends across processes
  // and is released at commit, so the next writer sees this record as the tail.
  // SQLite has one writer: Kysely runs the transaction on its single connection.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_LOCK_AUDIT}::bigint)`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash', 'time']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  // Time follows sequence order: `now` was taken before waiting for the lock
  // (or on another replica's clock), so it may be earlier than the tail's.
  let time = now.toISOString();
  if (last && last.time > time) time = last.time;
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const rows: AuditRow[] = [];
  for (const { actor, entry: e } of records) {
    const rec = {
      seq: ++seq,
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
    const row: AuditRow = { ...rec, prev_hash: prev, hash: auditMac(s.auditKey, prev, rec) };
    prev = row.hash;
    rows.push(row);
  }
  // 14 columns a row: 500 rows stay far below either dialect's limit of bound parameters.
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .insertInto('audit_log')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows;
}

/** Appends outside any other change (e.g. a failed operation, a login). */
export function auditOnly(store: Store, actor: Actor, e: AuditEntry): Promise<AuditRow> {
  return store.db.transaction().execute((trx) => appendAudit(trx, store, actor, e));
}

export type TamperKind = 'changed' | 'deleted' | 're-chained' | 'truncated' | 'forged-checkpoint';

/** A signed checkpoint as stored and exported (`vigil audit checkpoint`). */
export interface Checkpoint extends CheckpointBody {
  /** Ed25519 over checkpointMessage(), base64. */
  signature: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record that does not verify, and how it was tampered with. */
  bad?: { seq: number; kind: TamperKind; reason: string };
  /** The checkpoint the head was checked against. */
  checkpoint?: { seq: number; time: string; source: string };
  /** Set when no checkpoint was available: deleting the newest records cannot be detected then. */
  warning?: string;
}

export interface VerifyOptions {
  /** The audit chain's HMAC key. */
  key: Buffer;
  /** Public keys whose checkpoints are trusted. */
  trusted: KeyObject[];
  /** Checkpoints from outside the database (an operator's file, the data dir's copy), with where each came from. */
  external?: Array<{ checkpoint: Checkpoint; source: string }>;
  pageSize?: number;
}

/** The key id of an Ed25519 public key: sha256 of its SPKI DER, 16 hex digits. */
export function keyIdOf(pub: KeyObject): string {
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** A checkpoint from JSON text (an operator's file): every field checked; `where` names it in errors. */
export function parseCheckpoint(text: string, where: string): Checkpoint {
  if (text.length > 65536) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'checkpoint file too large (max 64 KiB)', where);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError('AUDIT_CHECKPOINT_INVALID', 'checkpoint is not JSON', where);
  }
  const o = v as Record<string, unknown>;
  const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!o || typeof o !== 'object' || o.version !== 1) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'not a version 1 audit checkpoint', where);
  if (!isInt(o.seq) || !isInt(o.hmacFrom)) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'checkpoint seq and hmacFrom must be non-negative integers', where);
  for (const f of ['hash', 'time', 'keyId', 'signature'] as const) {
    if (typeof o[f] !== 'string' || (o[f] as string).length > 200)
      throw new InputError('AUDIT_CHECKPOINT_INVALID', `checkpoint field ${f} must be a string`, where);
  }
  if (!/^[0-9a-f]{64}$/.test(o.hash as string)) throw new InputError('AUDIT_CHECKPOINT_INVALID', 'checkpoint hash must be 64 hex digits', where);
  return {
    version: 1,
    seq: o.seq,
    hash: o.hash as string,
    hmacFrom: o.hmacFrom,
    time: o.time as string,
    keyId: o.keyId as string,
    signature: o.signature as string,
  };
}

export function signCheckpoint(body: Omit<CheckpointBody, 'keyId' | 'version'>, priv: KeyObject): Checkpoint {
  const full: CheckpointBody = { version: 1, ...body, keyId: keyIdOf(createPublicKey(priv)) };
  return { ...full, signature: sign(null, checkpointMessage(full), priv).toString('base64') };
}

/** Whether a trusted key signed this checkpoint. */
export function checkpointSigned(c: Checkpoint, trusted: KeyObject[]): boolean {
  const k = trusted.find((t) => keyIdOf(t) === c.keyId);
  if (!k) return false;
  try {
    return verify(null, checkpointMessage(c), k, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The switch point: the first sequence number of the keyed chain (1 when the row is missing). */
export async function hmacFrom(db: Db): Promise<number> {
  const r = await db.selectFrom('audit_chain').select('hmac_from').where('id', '=', 1).executeTakeFirst();
  return r ? Number(r.hmac_from) : 1;
}

/** Signs and stores a checkpoint of the current head (inside the chain's lock, so the head is stable). */
export async function writeCheckpoint(store: Store, priv: KeyObject, now: Date = new Date()): Promise<Checkpoint> {
  return store.db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_LOCK_AUDIT}::bigint)`.execute(trx);
    const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const from = await hmacFrom(trx);
    const c = signCheckpoint({ seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, hmacFrom: from, time: now.toISOString() }, priv);
    await trx
      .insertInto('audit_checkpoints')
      .values({ seq: c.seq, hash: c.hash, hmac_from: c.hmacFrom, time: c.time, key_id: c.keyId, signature: c.signature })
      .execute();
    return c;
  });
}

/** The newest checkpoint stored in the database (highest sequence number, then newest). */
export async function latestCheckpoint(db: Db): Promise<Checkpoint | undefined> {
  const r = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').orderBy('time', 'desc').limit(1).executeTakeFirst();
  if (!r) return undefined;
  return { version: 1, seq: Number(r.seq), hash: r.hash, hmacFrom: Number(r.hmac_from), time: r.time, keyId: r.key_id, signature: r.signature };
}

/**
 * Verifies the trail: every link (HMAC under the key from the switch point
 * on, plain SHA-256 before it) and the head against the newest trusted
 * checkpoint (the database's or one kept outside it). Names the first bad
 * sequence number and the kind: changed (content or link altered), deleted (a
 * gap), re-chained (a recomputed unkeyed chain where the keyed one belongs),
 * truncated (records the checkpoint covers are missing), forged-checkpoint.
 */
export async function verifyAudit(db: Db, o: VerifyOptions): Promise<VerifyResult> {
  const pageSize = o.pageSize ?? 5000;
  const candidates: Array<{ checkpoint: Checkpoint; source: string }> = [...(o.external ?? [])];
  const fromDb = await latestCheckpoint(db);
  if (fromDb) candidates.push({ checkpoint: fromDb, source: 'database' });
  for (const c of candidates) {
    if (!checkpointSigned(c.checkpoint, o.trusted)) {
      return {
        ok: false,
        records: 0,
        bad: { seq: c.checkpoint.seq, kind: 'forged-checkpoint', reason: `checkpoint from ${c.source} is not signed by a trusted audit signing key` },
      };
    }
  }
  // Anchor on the checkpoint covering the most records.
  const anchor = candidates.sort((a, b) => b.checkpoint.seq - a.checkpoint.seq)[0];
  const cp = anchor?.checkpoint;
  // A checkpoint's switch point is signed; the database's can be moved by whoever edits it.
  const from = cp ? Math.min(cp.hmacFrom, await hmacFrom(db)) : await hmacFrom(db);
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let after = 0;
  let n = 0;
  let hashAtCp: string | undefined;
  const fail = (seq: number, kind: TamperKind, reason: string): VerifyResult => ({
    ok: false,
    records: n,
    bad: { seq, kind, reason },
    ...(anchor ? { checkpoint: { seq: cp!.seq, time: cp!.time, source: anchor.source } } : {}),
  });
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq) return fail(expectedSeq, 'deleted', `record ${expectedSeq} is missing (next present: ${r.seq})`);
      if (r.prev_hash !== prev) return fail(r.seq, 'deleted', 'previous-hash link broken: a record before it was removed or its link changed');
      const keyed = auditMac(o.key, prev, r) === r.hash;
      if (!keyed) {
        const plain = auditHash(prev, r) === r.hash;
        if (!plain) return fail(r.seq, 'changed', 'content does not match its hash');
        if (r.seq >= from) return fail(r.seq, 're-chained', `unkeyed SHA-256 link where the keyed chain starts at record ${from}`);
      }
      if (cp && r.seq === cp.seq) hashAtCp = r.hash;
      prev = r.hash;
      expectedSeq++;
      n++;
    }
    after = rows[rows.length - 1]!.seq;
  }
  if (!cp) return { ok: true, records: n, warning: 'no signed checkpoint: deleting the newest records cannot be detected' };
  const checkpoint = { seq: cp.seq, time: cp.time, source: anchor!.source };
  if (n < cp.seq)
    return {
      ok: false,
      records: n,
      bad: { seq: n + 1, kind: 'truncated', reason: `the checkpoint of ${cp.time} covers ${cp.seq} records, ${n} remain` },
      checkpoint,
    };
  if (cp.seq > 0 && hashAtCp !== cp.hash)
    return { ok: false, records: n, bad: { seq: cp.seq, kind: 'changed', reason: "record does not match the signed checkpoint's hash" }, checkpoint };
  return { ok: true, records: n, checkpoint };
}

export interface AuditQuery {
  event?: string;
  projectId?: string;
  afterSeq?: number;
  /** Exact user name of the actor. */
  username?: string;
  /** Records at or after this ISO 8601 UTC time (inclusive). */
  since?: string;
  /** Records before this ISO 8601 UTC time (exclusive). */
  until?: string;
  limit?: number;
}

export async function queryAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  let qb = db.selectFrom('audit_log').selectAll();
  if (q.event) qb = qb.where('event', '=', q.event);
  if (q.projectId) qb = qb.where('project_id', '=', q.projectId);
  if (q.afterSeq) qb = qb.where('seq', '>', q.afterSeq);
  if (q.username) qb = qb.where('username', '=', q.username);
  if (q.since) qb = qb.where('time', '>=', q.since);
  if (q.until) qb = qb.where('time', '<', q.until);
  return qb
    .orderBy('seq')
    .limit(q.limit ?? 100)
    .execute();
}

export const AUDIT_COLUMNS = [
  'seq',
  'time',
  'user_id',
  'username',
  'source_ip',
  'user_agent',
  'project_id',
  'event',
  'resource_type',
  'resource_id',
  'summary',
  'result',
  'prev_hash',
  'hash',
] as const;

function csvField(v: unknown): string {
  const s = String(v ?? '');
  // Also defuse spreadsheet formulas.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** What an export selects: the query's filters; `max` bounds the records written (default all). */
export type AuditExportFilter = Omit<AuditQuery, 'afterSeq' | 'limit'> & { max?: number };

/** Streams the trail (or the records the filter selects) as JSON lines or CSV, in pages of `pageSize` records. */
export async function* exportAudit(db: Db, format: 'jsonl' | 'csv', pageSize = 5000, filter: AuditExportFilter = {}): AsyncGenerator<string> {
  if (format === 'csv') yield `${AUDIT_COLUMNS.join(',')}\n`;
  let after = 0;
  let left = filter.max ?? Infinity;
  while (left > 0) {
    const rows = await queryAudit(db, { ...filter, afterSeq: after, limit: Math.min(pageSize, left) });
    if (rows.length === 0) return;
    left -= rows.length;
    let chunk = '';
    for (const r of rows) {
      chunk += format === 'jsonl' ? `${JSON.stringify(r)}\n` : `${AUDIT_COLUMNS.map((c) => csvField(r[c])).join(',')}\n`;
    }
    yield chunk;
    after = rows[rows.length - 1]!.seq;
  }
}
