// The operations audit trail as the API reads it: query, verify (the keyed
// chain and the head against the newest trusted signed checkpoint), export.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { exportAudit, queryAudit, verifyAudit } from '../store/audit-log.js';
import { toApi, type ServiceDeps } from './common.js';

export async function listAudit(
  s: ServiceDeps,
  q: { event?: string; project?: string; user?: string; since?: string; until?: string; after?: number; limit?: number },
): Promise<{ items: Record<string, unknown>[]; next?: number }> {
  // Times are stored as ISO 8601 UTC text: the bounds are normalised to that form so they compare as text.
  const iso = (t?: string) => (t ? new Date(t).toISOString() : undefined);
  const rows = await queryAudit(s.store.db, {
    event: q.event,
    projectId: q.project,
    username: q.user,
    since: iso(q.since),
    until: iso(q.until),
    afterSeq: q.after,
    limit: q.limit ?? 100,
  });
  return { items: rows.map(toApi), next: rows.length ? rows[rows.length - 1]!.seq : undefined };
}

export function verifyTrail(s: Pick<ServiceDeps, 'store'> & { auditSigningKey: KeyObject }): ReturnType<typeof verifyAudit> {
  return verifyAudit(s.store.db, { key: s.store.auditKey!, trusted: [createPublicKey(s.auditSigningKey)] });
}

export function exportTrail(s: ServiceDeps, format: 'jsonl' | 'csv'): ReturnType<typeof exportAudit> {
  return exportAudit(s.store.db, format);
}
