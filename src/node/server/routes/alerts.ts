// Alerts: batch ingest (agents, runtime and cluster pipelines), grouped by
// type + subject; listing across the caller's projects with filters and
// keyset pagination; status changes (open, handled, ignored, false-positive).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { SEVERITIES, type Alert } from '../../../core/alerts/types.js';
import * as alertService from '../../services/alerts.js';
import { ALERT_STATUSES } from '../../services/alerts.js';
import { callerOf } from '../auth-hook.js';
import { ID, ok, params, routes, type Ids } from './common.js';

export const MAX_ALERTS_PER_BATCH = 5000;

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;

export const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 100 },
    type: { type: 'string', minLength: 3, maxLength: 200, pattern: '^[a-z]+/[A-Za-z0-9 ._:-]+$' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    time: { type: 'string', format: 'date-time' },
    message: str(4000),
    rule: str(300),
    host: str(253),
    process: {
      type: 'object',
      properties: {
        pid: { type: 'integer' },
        ppid: { type: 'integer' },
        name: str(300),
        exepath: str(4096),
        cmdline: str(8192),
        uid: { type: 'integer' },
        user: str(100),
        parents: { type: 'array', maxItems: 64 },
      },
      required: ['pid', 'name'],
    },
    container: {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,75}$', description: 'Docker: 64 hex; containerd: its container id' },
        name: str(300),
        image: str(1000),
        pod: str(300),
        namespace: str(300),
      },
      required: ['id'],
    },
    k8s: {
      type: 'object',
      properties: {
        auditID: str(100),
        user: str(300),
        verb: str(50),
        resource: str(100),
        subresource: str(100),
        namespace: str(300),
        name: str(300),
        sourceIPs: { type: 'array', items: str(100), maxItems: 20 },
        userAgent: str(500),
      },
    },
    action: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['alert', 'killed', 'denied'] }, detail: str(1000), delayUs: { type: 'number' } },
      required: ['kind'],
    },
    remedy: str(2000),
    tags: { type: 'array', items: str(100), maxItems: 50 },
    fields: { type: 'object', maxProperties: 100 },
  },
  required: ['id', 'type', 'severity', 'time', 'message', 'rule', 'host'],
  additionalProperties: false,
} as const;

export function registerAlertRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'alerts', scope: 'project' });
  // `:batch` is a custom method in the URL (Google AIP style); `::` escapes the colon for Fastify's router.
  route<{ Querystring: { project: string }; Body: { alerts: Alert[] } }>(
    'POST /api/v1/alerts::batch',
    {
      action: 'alert:ingest',
      event: 'ingestAlerts',
      bodyLimit: 16 * 1024 * 1024,
      summary: `Ingest up to ${MAX_ALERTS_PER_BATCH} alerts (grouped by type + subject)`,
      querystring: { type: 'object', properties: { project: ID }, required: ['project'], additionalProperties: false },
      body: {
        type: 'object',
        properties: { alerts: { type: 'array', items: alertSchema, minItems: 1, maxItems: MAX_ALERTS_PER_BATCH } },
        required: ['alerts'],
        additionalProperties: false,
      },
    },
    async (req) => {
      const { project: projectId } = req.query;
      const r = await alertService.ingestAlerts(ctx, callerOf(req), projectId, req.body.alerts);
      ctx.metrics.inc('vigil_alerts_ingested_total', 'Alerts received through the ingest API.', req.body.alerts.length);
      void ctx.notifier.alerts(projectId, req.body.alerts).catch((e) => req.log.warn({ err: e }, 'alert notification failed'));
      return r;
    },
  );
  // The store's filter (less the caller's projects; the limit has a default here) plus one project.
  type ListQuery = Omit<Parameters<typeof alertService.listAlerts>[1], 'projects' | 'limit'> & { project?: string; limit?: number };
  route<{ Querystring: ListQuery }>(
    'GET /api/v1/alerts',
    {
      action: 'alert:read',
      summary: 'List alert groups, newest first, across the projects you can read (or one: project=)',
      querystring: {
        type: 'object',
        properties: {
          project: ID,
          status: { type: 'string', enum: [...ALERT_STATUSES] },
          type: { type: 'string', maxLength: 200 },
          severity: { type: 'string', enum: [...SEVERITIES] },
          since: { type: 'string', format: 'date-time', description: 'groups last seen at or after this time' },
          until: { type: 'string', format: 'date-time', description: 'groups last seen before this time' },
          node: { type: 'string', minLength: 1, maxLength: 253, description: "the node's host name (the alerts' host)" },
          container: { type: 'string', minLength: 1, maxLength: 300, description: "the container's id or name" },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          cursor: { type: 'string', maxLength: 300 },
        },
        additionalProperties: false,
      },
    },
    (req) => {
      const { project: _project, limit, ...rest } = req.query;
      const filter = { ...rest, limit: limit ?? 50 };
      return alertService.listAlerts(ctx, { projects: req.allowedProjects!, ...filter });
    },
  );

  const aParams = params('projectId', 'alertId');
  type One = { Params: Ids<'projectId' | 'alertId'> };
  route<One>(
    'GET /api/v1/projects/:projectId/alerts/:alertId',
    { action: 'alert:read', summary: 'Read an alert group with its latest alert', params: aParams },
    (req) => alertService.getAlert(ctx, req.params.projectId, req.params.alertId),
  );
  route<One & { Body: { status: string } }>(
    'PATCH /api/v1/projects/:projectId/alerts/:alertId',
    {
      action: 'alert:update',
      event: 'handleAlert',
      summary: 'Set the status of an alert group',
      params: aParams,
      body: { type: 'object', properties: { status: { type: 'string', enum: [...ALERT_STATUSES] } }, required: ['status'], additionalProperties: false },
    },
    (req) => ok(alertService.setAlertStatus(ctx, callerOf(req), req.params.projectId, req.params.alertId, req.body.status)),
  );
}
