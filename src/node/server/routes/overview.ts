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
                required: ['total', 'unscanned', 'critical', 'high', 'medium', 'low', 'clean'],
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
                  required: ['id', 'ref', 'critical', 'high', 'medium', 'low'],
                },
              },
              topPackages: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { package: { type: 'string' }, findings: { type: 'integer' }, images: { type: 'integer' } },
                  required: ['package', 'findings', 'images'],
                },
              },
              alerts: {
                type: 'object',
                nullable: true,
                properties: {
                  open: { type: 'integer' },
                  byDay: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { day: { type: 'string' }, severity: { type: 'string' }, groups: { type: 'integer' } },
                      required: ['day', 'severity', 'groups'],
                    },
                  },
                  byType: {
                    type: 'array',
                    items: { type: 'object', properties: { type: { type: 'string' }, groups: { type: 'integer' } }, required: ['type', 'groups'] },
                  },
                },
                required: ['open', 'byDay', 'byType'],
              },
              clusters: {
                type: 'object',
                nullable: true,
                properties: { total: { type: 'integer' }, protected: { type: 'integer' } },
                required: ['total', 'protected'],
              },
              nodes: {
                type: 'object',
                nullable: true,
                properties: { online: { type: 'integer' }, offline: { type: 'integer' }, degraded: { type: 'integer' } },
                required: ['online', 'offline', 'degraded'],
              },
            },
            required: ['images', 'topImages', 'topPackages', 'alerts', 'clusters', 'nodes'],
          },
        },
      },
    },
    async (req) => overview.projectOverview(ctx, req.params.projectId, (action) => authorize(req.auth!.bindings, action, 'project', req.params.projectId)),
  );
}
