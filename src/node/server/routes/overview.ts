// The console's overview of one project in one read-only call: images by
// their highest severity, the most vulnerable images and packages, alert
// groups by day/severity and by type over the last 14 days, clusters and
// nodes. Each section needs its own read action: a section the caller may
// not read is left out (null), never computed.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authorize } from '../../../core/auth/policy.js';
import { projectParams } from './common.js';

export const OVERVIEW_DAYS = 14;

export function registerOverviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  app.get<{ Params: { projectId: string } }>('/api/v1/projects/:projectId/overview', {
    config: { action: 'image:read', scope: 'project' },
    schema: {
      tags: ['overview'], summary: 'Risk at a glance for one project: images by highest severity, top vulnerable images and packages, alerts over 14 days, clusters and nodes (sections the caller cannot read are null)',
      params: projectParams,
      response: {
        200: {
          type: 'object',
          properties: {
            images: { type: 'object', properties: { total: { type: 'integer' }, unscanned: { type: 'integer' }, critical: { type: 'integer' }, high: { type: 'integer' }, medium: { type: 'integer' }, low: { type: 'integer' }, clean: { type: 'integer' } } },
            topImages: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, ref: { type: 'string' }, critical: { type: 'integer' }, high: { type: 'integer' }, medium: { type: 'integer' }, low: { type: 'integer' } } } },
            topPackages: { type: 'array', items: { type: 'object', properties: { package: { type: 'string' }, findings: { type: 'integer' }, images: { type: 'integer' } } } },
            alerts: {
              type: 'object', nullable: true,
              properties: {
                open: { type: 'integer' },
                byDay: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, severity: { type: 'string' }, groups: { type: 'integer' } } } },
                byType: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, groups: { type: 'integer' } } } },
              },
            },
            clusters: { type: 'object', nullable: true, properties: { total: { type: 'integer' }, protected: { type: 'integer' } } },
            nodes: { type: 'object', nullable: true, properties: { online: { type: 'integer' }, offline: { type: 'integer' }, degraded: { type: 'integer' } } },
          },
        },
      },
    },
  }, async (req) => {
    const { projectId } = req.params;
    const may = (action: string) => authorize(req.auth!.bindings, action, 'project', projectId);
    const n = (v: unknown) => Number(v ?? 0);
    const im = await db.selectFrom('images').where('project_id', '=', projectId).select([
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when last_scan_id is null then 1 else 0 end)`.as('unscanned'),
      sql<number>`sum(case when last_scan_id is not null and critical > 0 then 1 else 0 end)`.as('critical'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high > 0 then 1 else 0 end)`.as('high'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium > 0 then 1 else 0 end)`.as('medium'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low > 0 then 1 else 0 end)`.as('low'),
      sql<number>`sum(case when last_scan_id is not null and critical = 0 and high = 0 and medium = 0 and low = 0 then 1 else 0 end)`.as('clean'),
    ]).executeTakeFirstOrThrow();
    const topImages = await db.selectFrom('images').select(['id', 'ref', 'critical', 'high', 'medium', 'low']).where('project_id', '=', projectId)
      .where((eb) => eb.or([eb('critical', '>', 0), eb('high', '>', 0), eb('medium', '>', 0), eb('low', '>', 0)]))
      .orderBy('critical', 'desc').orderBy('high', 'desc').orderBy('medium', 'desc').orderBy('id').limit(10).execute();
    const topPackages = await db.selectFrom('findings').innerJoin('images', 'images.id', 'findings.image_id')
      .where('images.project_id', '=', projectId).where('findings.kind', '=', 'vuln')
      .select(['findings.package as package', sql<number>`count(*)`.as('findings'), sql<number>`count(distinct findings.image_id)`.as('images')])
      .groupBy('findings.package').orderBy(sql`count(*)`, 'desc').orderBy('findings.package').limit(10).execute();
    let alerts = null;
    if (may('alert:read')) {
      const since = new Date(ctx.clock().getTime() - OVERVIEW_DAYS * 86400_000).toISOString();
      const day = sql<string>`substr(last_seen, 1, 10)`;
      const byDay = await db.selectFrom('alerts').where('project_id', '=', projectId).where('last_seen', '>=', since)
        .select([day.as('day'), 'severity', sql<number>`count(*)`.as('groups')]).groupBy([day, 'severity']).orderBy(day).execute();
      const byType = await db.selectFrom('alerts').where('project_id', '=', projectId).where('last_seen', '>=', since)
        .select(['type', sql<number>`count(*)`.as('groups')]).groupBy('type').orderBy(sql`count(*)`, 'desc').limit(12).execute();
      const open = await db.selectFrom('alerts').where('project_id', '=', projectId).where('status', '=', 'open').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      alerts = { open: n(open.n), byDay: byDay.map((r) => ({ day: r.day, severity: r.severity, groups: n(r.groups) })), byType: byType.map((r) => ({ type: r.type, groups: n(r.groups) })) };
    }
    let clusters = null;
    if (may('cluster:read')) {
      const c = await db.selectFrom('clusters').where('project_id', '=', projectId).select([sql<number>`count(*)`.as('total'), sql<number>`sum(case when protected <> 0 then 1 else 0 end)`.as('protected')]).executeTakeFirstOrThrow();
      clusters = { total: n(c.total), protected: n(c.protected) };
    }
    let nodes = null;
    if (may('node:read')) {
      const rows = await db.selectFrom('nodes').where('project_id', '=', projectId).select(['status', sql<number>`count(*)`.as('n')]).groupBy('status').execute();
      const by = Object.fromEntries(rows.map((r) => [r.status, n(r.n)]));
      nodes = { online: by.online ?? 0, offline: by.offline ?? 0, degraded: by.degraded ?? 0 };
    }
    return {
      images: { total: n(im.total), unscanned: n(im.unscanned), critical: n(im.critical), high: n(im.high), medium: n(im.medium), low: n(im.low), clean: n(im.clean) },
      topImages: topImages.map((r) => ({ ...r, critical: n(r.critical), high: n(r.high), medium: n(r.medium), low: n(r.low) })),
      topPackages: topPackages.map((r) => ({ package: r.package, findings: n(r.findings), images: n(r.images) })),
      alerts, clusters, nodes,
    };
  });
}
