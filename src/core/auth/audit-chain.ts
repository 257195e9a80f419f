// The audit trail's chain: each record's hash is HMAC-SHA256 (keyed with a
// key kept outside the database) over the previous record's hash and the
// canonical JSON of the record (keys sorted, no whitespace), so changing,
// removing or reordering any record breaks every later link, and without the
// key the chain cannot be recomputed. Records written before the keyed chain
// (`auditHash`, plain SHA-256) verify under that scheme up to the switch
// point. Signed checkpoints anchor the head. Pure; the store appends and
// verifies with it.
import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one byte string per value. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as Record<string, unknown>)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export interface AuditRecordFields {
  seq: number;
  time: string;
  user_id: string;
  username: string;
  source_ip: string;
  user_agent: string;
  project_id: string;
  event: string;
  resource_type: string;
  resource_id: string;
  summary: string;
  result: string;
}

function recordBody(r: AuditRecordFields): string {
  return canonicalJson({
    seq: r.seq,
    time: r.time,
    user_id: r.user_id,
    username: r.username,
    source_ip: r.source_ip,
    user_agent: r.user_agent,
    project_id: r.project_id,
    event: r.event,
    resource_type: r.resource_type,
    resource_id: r.resource_id,
    summary: r.summary,
    result: r.result,
  });
}

/** The legacy, unkeyed link (records before the keyed chain was switched on). */
export function auditHash(prevHash: string, r: AuditRecordFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(recordBody(r)).digest('hex');
}

/** The keyed link: HMAC-SHA256 under the audit chain key. */
export function auditMac(key: Buffer, prevHash: string, r: AuditRecordFields): string {
  return createHmac('sha256', key).update(prevHash).update('\n').update(recordBody(r)).digest('hex');
}

/** What a checkpoint signs: the head of the chain and where the keyed chain starts. */
export interface CheckpointBody {
  version: 1;
  seq: number;
  hash: string;
  hmacFrom: number;
  time: string;
  keyId: string;
}

/** The exact bytes signed (Ed25519) for a checkpoint. */
export function checkpointMessage(c: CheckpointBody): Buffer {
  return Buffer.from(
    `vigil-audit-checkpoint\n${canonicalJson({ version: c.version, seq: c.seq, hash: c.hash, hmacFrom: c.hmacFrom, time: c.time, keyId: c.keyId })}`,
    'utf8',
  );
}

const SECRET_KEY = /pass(word)?|secret|token|key|credential|authorization/i;

/** A request summary without secrets: values under secret-looking keys become "***"; long strings are cut. */
export function redactSummary(v: unknown, depth = 0): unknown {
  if (depth > 6) return '…';
  if (typeof v === 'string') return v.length > 500 ? `${v.slice(0, 500)}…` : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => redactSummary(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && x !== '' && x !== null && x !== undefined && typeof x !== 'boolean' ? '***' : redactSummary(x, depth + 1);
  }
  return out;
}
