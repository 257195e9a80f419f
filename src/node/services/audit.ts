// The operations audit trail as the API reads it: query, verify (the keyed
// chain and the head against the newest trusted signed checkpoint), export.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { exportAudit, queryAudit, verifyAudit, type AuditQuery } from '../store/audit-log.js';
import { isoTime, toApi, type ServiceDeps } from './common.js';

/** The filters of the audit query and export, as the API takes them. */
export interface AuditFilterParams {
  event?: string;
  project?: string;
  user?: string;
  since?: string;
  until?: string;
}

/** The API's filters as the store's query (time bounds in the stored form). */
function auditQuery(q: AuditFilterParams): AuditQuery {
  return { event: q.event, projectId: q.project, username: q.user, since: isoTime(q.since), until: isoTime(q.until) };
}

export async function listAudit(
  s: ServiceDeps,
  q: AuditFilterParams & { after?: number; limit?: number },
): Promise<{ items: Record<string, unknown>[]; next?: number }> {
  const rows = await queryAudit(s.store.db, { ...auditQuery(q), afterSeq: q.after, limit: q.limit ?? 100 });
  return { items: rows.map(toApi), next: rows.length ? rows[rows.length - 1]!.seq : undefined };
}

export function verifyTrail(s: Pick<ServiceDeps, 'store'> & { auditSigningKey: KeyObject }): ReturnType<typeof verifyAudit> {
  return verifyAudit(s.store.db, { key: s.store.auditKey!, trusted: [createPublicKey(s.auditSigningKey)] });
}

/** The records the filters select (all without), oldest first, streamed in pages; at most `max` of them. */
export function exportTrail(s: ServiceDeps, format: 'jsonl' | 'csv', q: AuditFilterParams & { max?: number } = {}): ReturnType<typeof exportAudit> {
  return exportAudit(s.store.db, format, 5000, { ...auditQuery(q), max: q.max });
}
