// The console's overview of one project in one read-only call: images by
// their highest severity, the most vulnerable images and packages, alert
// groups by day/severity and by type over the last 14 days, clusters and
// nodes. Each section needs its own read action: a section the caller may
// not read is left out (null), never computed.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authorize } from '../../../core/auth/policy.js';
import { projectParams, routes, type Ids } from './common.js';
import * as overview from '../../services/overview.js';

export function registerOverviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'overview', scope: 'project' });
  route<{ Params: Ids<'projectId'> }>(
    'GET /api/v1/projects/:projectId/overview',
    {
      action: 'image:read',
      summary:
        'Risk at a glance for one project: images by highest severity, top vulnerable images and packages, alerts over 14 days, clusters and nodes (sections the caller cannot read are null)',
      params: projectParams,
    },
    (req) => overview.projectOverview(ctx, req.params.projectId, (action) => authorize(req.auth!.bindings, action, 'project', req.params.projectId)),
  );
}
