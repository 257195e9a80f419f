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
      response: {
        200: {
          type: 'object',
          properties: {
            images: {
              type: 'object',
              properties: {
                total: { type: 'integer' },
                unscanned: { type: 'integer' },
                critical: { type: 'integer' },
                high: { type: 'integer' },
                medium: { type: 'integer' },
                low: { type: 'integer' },
                clean: { type: 'integer' },
              },
            },
            topImages: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  ref: { type: 'string' },
                  critical: { type: 'integer' },
                  high: { type: 'integer' },
                  medium: { type: 'integer' },
                  low: { type: 'integer' },
                },
              },
            },
            topPackages: {
              type: 'array',
              items: { type: 'object', properties: { package: { type: 'string' }, findings: { type: 'integer' }, images: { type: 'integer' } } },
            },
            alerts: {
              type: 'object',
              nullable: true,
              properties: {
                open: { type: 'integer' },
                byDay: {
                  type: 'array',
                  items: { type: 'object', properties: { day: { type: 'string' }, severity: { type: 'string' }, groups: { type: 'integer' } } },
                },
                byType: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, groups: { type: 'integer' } } } },
              },
            },
            clusters: { type: 'object', nullable: true, properties: { total: { type: 'integer' }, protected: { type: 'integer' } } },
            nodes: {
              type: 'object',
              nullable: true,
              properties: { online: { type: 'integer' }, offline: { type: 'integer' }, degraded: { type: 'integer' } },
            },
          },
        },
      },
    },
    (req) => overview.projectOverview(ctx, req.params.projectId, (action) => authorize(req.auth!.bindings, action, 'project', req.params.projectId)),
  );
}
