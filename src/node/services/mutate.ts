// A state change and its audit record in one transaction: services call
// `mutate(s, by, entry, fn)`; when fn fails the change rolls back and a
// failure record is written on its own, so the trail shows the attempt.
import type { Tx } from '../store/store.js';
import { appendAudit, auditOnly, type AuditEntry } from '../store/audit-log.js';
import type { Caller, ServiceDeps } from './common.js';

export type MutateEntry<T> = Omit<AuditEntry, 'event' | 'resourceId'> & {
  event?: string;
  resourceId?: string | ((result: T) => string);
};

export async function mutate<T>(s: Pick<ServiceDeps, 'store' | 'clock'>, by: Caller, entry: MutateEntry<T>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const event = entry.event ?? by.event;
  if (!event) throw new Error('a state change without an audit event');
  try {
    return await s.store.db.transaction().execute(async (trx) => {
      const result = await fn(trx);
      const resourceId = typeof entry.resourceId === 'function' ? entry.resourceId(result) : (entry.resourceId ?? '');
      await appendAudit(trx, s.store, by.actor, { ...entry, event, resourceId }, s.clock());
      return result;
    });
  } catch (e) {
    const resourceId = typeof entry.resourceId === 'string' ? entry.resourceId : '';
    await auditOnly(s.store, by.actor, {
      ...entry,
      event,
      resourceId,
      result: 'failure',
      summary: { ...((entry.summary as object) ?? {}), error: (e as Error).message?.slice(0, 200) },
    })
      .then(() => {
        // The server's error handler records failures of routes that carry no record yet; this one has.
        if (e && typeof e === 'object') (e as { audited?: boolean }).audited = true;
      })
      .catch(() => {});
    throw e;
  }
}
