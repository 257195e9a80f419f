// The console's overview of one project in one read-only call: images by
// their highest severity, the most vulnerable images and packages, alert
// groups by day/severity and by type over the last 14 days, clusters and
// nodes. Each section needs its own read action: a section the caller may
// not read is left out (null), never computed.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authorize } from '../../../core/auth/policy.js';
import { projectParams } from './common.js';
import * as overview from '../../services/overview.js';
import { int, obj, str } from '../responses.js';

export function registerOverviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId/overview',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['overview'],
        summary:
          'Risk at a glance for one project: images by highest severity, top vulnerable images and packages, alerts over 14 days, clusters and nodes (sections the caller cannot read are null)',
        params: projectParams,
        response: {
          200: obj({
            images: obj({ total: int, unscanned: int, critical: int, high: int, medium: int, low: int, clean: int }),
            topImages: { type: 'array', items: obj({ id: str, ref: str, critical: int, high: int, medium: int, low: int }) },
            topPackages: { type: 'array', items: obj({ package: str, findings: int, images: int }) },
            alerts: {
              ...obj({
                open: int,
                byDay: { type: 'array', items: obj({ day: str, severity: str, groups: int }) },
                byType: { type: 'array', items: obj({ type: str, groups: int }) },
              }),
              nullable: true,
            },
            clusters: { ...obj({ total: int, protected: int }), nullable: true },
            nodes: { ...obj({ online: int, offline: int, degraded: int }), nullable: true },
          }),
        },
      },
    },
    async (req) => overview.projectOverview(ctx, req.params.projectId, (action) => authorize(req.auth!.bindings, action, 'project', req.params.projectId)),
  );
}
