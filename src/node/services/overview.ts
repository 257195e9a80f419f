// The console's overview of one project in one read-only call: images by
// their highest severity, the most vulnerable images and packages (counted
// findings: vulnerabilities not ignored), alert groups by UTC day of their
// last activity and severity and by type over the last OVERVIEW_DAYS days
// (today included), clusters and nodes. A section the caller may not read (`may`) is left out
// (null), never computed.
import { sql } from 'kysely';
import type { ServiceDeps } from './common.js';

export const OVERVIEW_DAYS = 14;

/** The first UTC day (YYYY-MM-DD) of the alert charts: the last OVERVIEW_DAYS days, today included. */
export function overviewFirstDay(now: Date): string {
  return new Date(now.getTime() - (OVERVIEW_DAYS - 1) * 86400_000).toISOString().slice(0, 10);
}

export async function projectOverview(s: Pick<ServiceDeps, 'store' | 'clock'>, projectId: string, may: (action: string) => boolean) {
  const db = s.store.db;
  const n = (v: unknown) => Number(v ?? 0);
  // Images per level, the packages and the alert sections read the counters
  // the database keeps at every write (migration 0018,
  // src/node/store/overview-counts.ts).
  const levels = await db.selectFrom('overview_image_levels').where('project_id', '=', projectId).select(['level', 'n']).execute();
  const lv: Record<string, number> = Object.fromEntries(levels.map((r) => [r.level, n(r.n)]));
  const im: Record<string, number> = { ...lv, total: levels.reduce((t, r) => t + n(r.n), 0) };
  const topImages = await db
    .selectFrom('images')
    .select(['id', 'ref', 'critical', 'high', 'medium', 'low'])
    .where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('critical', '>', 0), eb('high', '>', 0), eb('medium', '>', 0), eb('low', '>', 0)]))
    .orderBy('critical', 'desc')
    .orderBy('high', 'desc')
    .orderBy('medium', 'desc')
    .orderBy('id')
    .limit(10)
    .execute();
  const topPackages = await db
    .selectFrom('overview_packages')
    .where('project_id', '=', projectId)
    .where('findings', '>', 0)
    .select(['package', 'findings', 'images'])
    .orderBy('findings', 'desc')
    .orderBy('package')
    .limit(10)
    .execute();
  let alerts = null;
  if (may('alert:read')) {
    const rows = await db
      .selectFrom('overview_alert_days')
      .where('project_id', '=', projectId)
      .where('day', '>=', overviewFirstDay(s.clock()))
      .where('n', '>', 0)
      .select(['day', 'severity', 'type', 'n'])
      .execute();
    const byDay = new Map<string, { day: string; severity: string; groups: number }>();
    const byType = new Map<string, number>();
    for (const r of rows) {
      const k = `${r.day}|${r.severity}`;
      const d = byDay.get(k) ?? { day: r.day, severity: r.severity, groups: 0 };
      d.groups += n(r.n);
      byDay.set(k, d);
      byType.set(r.type, (byType.get(r.type) ?? 0) + n(r.n));
    }
    const open = await db.selectFrom('overview_alert_status').where('project_id', '=', projectId).where('status', '=', 'open').select('n').executeTakeFirst();
    alerts = {
      open: n(open?.n),
      byDay: [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.severity < b.severity ? -1 : 1)),
      byType: [...byType]
        .map(([type, groups]) => ({ type, groups }))
        .sort((a, b) => b.groups - a.groups || (a.type < b.type ? -1 : 1))
        .slice(0, 12),
    };
  }
  let clusters = null;
  if (may('cluster:read')) {
    const c = await db
      .selectFrom('clusters')
      .where('project_id', '=', projectId)
      .select([sql<number>`count(*)`.as('total'), sql<number>`sum(case when protected <> 0 then 1 else 0 end)`.as('protected')])
      .executeTakeFirstOrThrow();
    clusters = { total: n(c.total), protected: n(c.protected) };
  }
  let nodes = null;
  if (may('node:read')) {
    const rows = await db
      .selectFrom('nodes')
      .where('project_id', '=', projectId)
      .select(['status', sql<number>`count(*)`.as('n')])
      .groupBy('status')
      .execute();
    const by = Object.fromEntries(rows.map((r) => [r.status, n(r.n)]));
    nodes = { online: by.online ?? 0, offline: by.offline ?? 0, degraded: by.degraded ?? 0 };
  }
  return {
    images: {
      total: n(im.total),
      unscanned: n(im.unscanned),
      critical: n(im.critical),
      high: n(im.high),
      medium: n(im.medium),
      low: n(im.low),
      clean: n(im.clean),
    },
    topImages: topImages.map((r) => ({ ...r, critical: n(r.critical), high: n(r.high), medium: n(r.medium), low: n(r.low) })),
    topPackages: topPackages.map((r) => ({ package: r.package, findings: n(r.findings), images: n(r.images) })),
    alerts,
    clusters,
    nodes,
  };
}
