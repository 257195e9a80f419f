// The console's overview of one project in one read-only call: images by
// their highest severity, the most vulnerable images and packages, alert
// groups by day/severity and by type over the last OVERVIEW_DAYS days,
// clusters and nodes. A section the caller may not read (`may`) is left out
// (null), never computed.
import { sql } from 'kysely';
import type { ServiceDeps } from './common.js';

export const OVERVIEW_DAYS = 14;

export async function projectOverview(s: Pick<ServiceDeps, 'store' | 'clock'>, projectId: string, may: (action: string) => boolean) {
  const db = s.store.db;
  const n = (v: unknown) => Number(v ?? 0);
  const im = await db
    .selectFrom('images')
    .where('project_id', '=', projectId)
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when last_scan_id is null then 1 else 0 end)`.as('unscanned'),
      sql<number>`sum(case when last_scan_id is not null and critical > 0 then 1 else 0 end)`.as('critical'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high > 0 then 1 else 0 end)`.as('high'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium > 0 then 1 else 0 end)`.as('medium'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low > 0 then 1 else 0 end)`.as('low'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low = 0 then 1 else 0 end)`.as('clean'),
    ])
    .executeTakeFirstOrThrow();
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
    .selectFrom('findings')
    .innerJoin('images', 'images.id', 'findings.image_id')
    .where('images.project_id', '=', projectId)
    .where('findings.kind', '=', 'vuln')
    .select(['findings.package as package', sql<number>`count(*)`.as('findings'), sql<number>`count(distinct findings.image_id)`.as('images')])
    .groupBy('findings.package')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('findings.package')
    .limit(10)
    .execute();
  let alerts = null;
  if (may('alert:read')) {
    const since = new Date(s.clock().getTime() - OVERVIEW_DAYS * 86400_000).toISOString();
    const day = sql<string>`substr(last_seen, 1, 10)`;
    // One range of the (project_id, last_seen, severity, type) index (migration
    // 0014) for both charts: groups by day, severity and type, summed here.
    const rows = await db
      .selectFrom('alerts')
      .where('project_id', '=', projectId)
      .where('last_seen', '>=', since)
      .select([day.as('day'), 'severity', 'type', sql<number>`count(*)`.as('groups')])
      .groupBy([day, 'severity', 'type'])
      .execute();
    const byDay = new Map<string, { day: string; severity: string; groups: number }>();
    const byType = new Map<string, number>();
    for (const r of rows) {
      const k = `${r.day}|${r.severity}`;
      const d = byDay.get(k) ?? { day: r.day, severity: r.severity, groups: 0 };
      d.groups += n(r.groups);
      byDay.set(k, d);
      byType.set(r.type, (byType.get(r.type) ?? 0) + n(r.groups));
    }
    const open = await db
      .selectFrom('alerts')
      .where('project_id', '=', projectId)
      .where('status', '=', 'open')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    alerts = {
      open: n(open.n),
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
