// A state change and its audit record in one transaction: routes call
// `mutate(ctx, req, entry, fn)`; when fn fails the change rolls back and a
// failure record is written on its own, so the trail shows the attempt.
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import type { Tx } from '../store/store.js';
import { appendAudit, auditOnly, type AuditEntry } from '../store/audit-log.js';
import { actorOf } from './auth-hook.js';

export type MutateEntry<T> = Omit<AuditEntry, 'event' | 'resourceId'> & {
  event?: string;
  resourceId?: string | ((result: T) => string);
};

export async function mutate<T>(ctx: ServerContext, req: FastifyRequest, entry: MutateEntry<T>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const event = entry.event ?? req.routeOptions.config.event;
  if (!event) throw new Error(`route ${req.routeOptions.url} changes state but declares no audit event`);
  const actor = actorOf(req);
  try {
    return await ctx.store.db.transaction().execute(async (trx) => {
      const result = await fn(trx);
      const resourceId = typeof entry.resourceId === 'function' ? entry.resourceId(result) : (entry.resourceId ?? '');
      await appendAudit(trx, ctx.store, actor, { ...entry, event, resourceId }, ctx.clock());
      return result;
    });
  } catch (e) {
    const resourceId = typeof entry.resourceId === 'string' ? entry.resourceId : '';
    await auditOnly(ctx.store, actor, { ...entry, event, resourceId, result: 'failure', summary: { ...(entry.summary as object ?? {}), error: (e as Error).message?.slice(0, 200) } }).catch(() => {});
    throw e;
  }
}
