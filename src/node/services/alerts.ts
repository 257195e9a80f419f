// Alerts: batch ingest (grouped by type + subject, audited as ingestAlerts),
// listing across projects, one group, status changes.
import type { Alert } from '../../core/alerts/types.js';
import { isCatalogType } from '../../core/alerts/catalog.js';
import { ingestAlerts as storeAlerts, listAlerts as listAlertGroups, type AlertFilter } from '../store/alert-groups.js';

export { ALERT_STATUSES } from '../store/alert-groups.js';
import { appendAuditMany, type Actor } from '../store/audit-log.js';
import { badRequest, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { isoTime, requireProject, requireTouched, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export interface IngestServiceOptions {
  /** Store each alert ID once per project (replays of a batch whose answer was lost); default true. */
  dedupeIds?: boolean;
  /** Told, inside the transaction, which alerts were stored (with dedupeIds: the new ones). */
  onFresh?: (alerts: readonly Alert[]) => void;
  /** The audit records for the stored alerts, each with its actor (one per sender of a group commit); none when nothing changed. Default: one by the caller, `{count}` of all. */
  audit?: (fresh: readonly Alert[]) => Array<{ actor: Actor; summary: Record<string, unknown> }>;
  /** The caller has just seen the project exist (the agent link: its nodes' rows, deleted with it): no look-up of its own. */
  projectChecked?: boolean;
}

export async function ingestAlerts(
  s: Pick<ServiceDeps, 'store' | 'clock'>,
  by: Caller,
  projectId: string,
  alerts: Alert[],
  o: IngestServiceOptions = {},
): Promise<{ received: number; groups: number }> {
  for (const a of alerts) {
    if (!isCatalogType(a.type) && !a.type.startsWith('custom/'))
      throw badRequest('ALERT_TYPE', `alert ${a.id}: type ${a.type} is neither a catalog type nor custom/<rule>`);
  }
  if (!o.projectChecked) await requireProject(s.store.db, projectId);
  // Idempotent: an alert ID this project has seen is acknowledged again and not counted again
  // (a sender that lost the answer re-sends its batch; the agent link relies on the same rule).
  let fresh: readonly Alert[] = alerts;
  const now = s.clock();
  return storeAlerts(
    s.store,
    projectId,
    alerts,
    async (trx) => {
      const records = o.audit ? o.audit(fresh) : [{ actor: by.actor, summary: { count: alerts.length } }];
      await appendAuditMany(
        trx,
        s.store,
        records.map((r) => ({ actor: r.actor, entry: { event: by.event, projectId, resourceType: 'alerts', resourceId: '', summary: r.summary } })),
        now,
      );
    },
    {
      dedupeIds: o.dedupeIds ?? true,
      now: now.toISOString(),
      onFresh: (f) => {
        fresh = f;
        o.onFresh?.(f);
      },
    },
  );
}

export async function listAlerts(s: ServiceDeps, f: AlertFilter): Promise<{ items: Api[]; next?: string }> {
  const page = await listAlertGroups(s.store, { ...f, since: isoTime(f.since), until: isoTime(f.until) });
  return { items: page.items.map(toApi), next: page.next };
}

export async function getAlert(s: ServiceDeps, projectId: string, alertId: string): Promise<Api> {
  const a = await s.store.db.selectFrom('alerts').selectAll().where('id', '=', alertId).where('project_id', '=', projectId).executeTakeFirst();
  if (!a) throw notFound('alert');
  return toApi(a);
}

export async function setAlertStatus(s: ServiceDeps, by: Caller, projectId: string, alertId: string, status: string): Promise<void> {
  await mutate(s, by, { resourceType: 'alert', resourceId: alertId, projectId, summary: { status } }, async (trx) => {
    requireTouched(await trx.updateTable('alerts').set({ status }).where('id', '=', alertId).where('project_id', '=', projectId).executeTakeFirst(), 'alert');
  });
}
