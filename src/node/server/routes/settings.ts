// Server settings (Administrator), notification targets (webhook, syslog;
// secrets encrypted at rest) and the rescan trigger.
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as settings from '../../services/settings.js';
import { SETTINGS, type NotifierBody } from '../../services/settings.js';
import { queueRescans } from '../../services/scans.js';
import { badRequest } from '../../services/errors.js';
import { callerOf } from '../auth-hook.js';
import { ID, ok, params } from './common.js';
import { SEVERITIES } from '../../../core/alerts/types.js';
import { imagesAffectedByDb } from '../../jobs/vulndb-rematch.js';

export function registerSettingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/settings',
    {
      config: { action: 'setting:read', scope: 'global' },
      schema: { tags: ['settings'], summary: 'Read server settings' },
    },
    async () => settings.readSettings(ctx),
  );

  app.put<{ Params: { key: string }; Body: { value: unknown } }>(
    '/api/v1/settings/:key',
    {
      config: { action: 'setting:update', scope: 'global', event: 'modifySetting' },
      schema: {
        tags: ['settings'],
        summary: 'Change a server setting',
        params: { type: 'object', properties: { key: { type: 'string', enum: Object.keys(SETTINGS) } }, required: ['key'] },
        body: {
          type: 'object',
          properties: { value: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'integer' }, { type: 'boolean' }] } },
          required: ['value'],
          additionalProperties: false,
        },
      },
    },
    async (req) => ok(settings.setSetting(ctx, callerOf(req), req.params.key, req.body.value)),
  );

  app.get(
    '/api/v1/notifiers',
    {
      config: { action: 'notifier:read', scope: 'global' },
      schema: { tags: ['notifications'], summary: 'List notification targets (secrets never returned)' },
    },
    async () => settings.listNotifiers(ctx),
  );

  app.post<{ Body: NotifierBody }>(
    '/api/v1/notifiers',
    {
      config: { action: 'notifier:create', scope: 'global', event: 'addNotifier' },
      schema: {
        tags: ['notifications'],
        summary: 'Add a webhook (JSON, HMAC-SHA256 signed) or syslog (RFC 5424, UDP/TCP) target',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            kind: { type: 'string', enum: ['webhook', 'syslog'] },
            projectId: { anyOf: [ID, { type: 'null' }] },
            url: { type: 'string', maxLength: 2000, pattern: '^https?://' },
            secret: { type: 'string', maxLength: 500 },
            host: { type: 'string', maxLength: 253 },
            port: { type: 'integer', minimum: 1, maximum: 65535 },
            protocol: { type: 'string', enum: ['udp', 'tcp'] },
            facility: { type: 'integer', minimum: 0, maximum: 23 },
            minSeverity: { type: 'string', enum: [...SEVERITIES] },
            types: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 100 },
            events: { type: 'array', items: { type: 'string', enum: ['alert', 'scan', 'audit-checkpoint'] }, maxItems: 3 },
          },
          required: ['name', 'kind'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await settings.addNotifier(ctx, callerOf(req), req.body)),
  );

  app.delete<{ Params: { notifierId: string } }>(
    '/api/v1/notifiers/:notifierId',
    {
      config: { action: 'notifier:delete', scope: 'global', event: 'deleteNotifier' },
      schema: { tags: ['notifications'], summary: 'Remove a notification target', params: params('notifierId') },
    },
    async (req) => ok(settings.deleteNotifier(ctx, callerOf(req), req.params.notifierId)),
  );

  app.post<{ Body: { projectId?: string; onlyScanned?: boolean; onlyAffected?: boolean } }>(
    '/api/v1/rescans',
    {
      config: { action: 'image:scan', scope: 'global', event: 'rescanImages' },
      schema: {
        tags: ['scans'],
        summary: 'Rescan images (all projects, or one), e.g. after a vulnerability DB change',
        body: {
          type: 'object',
          properties: {
            projectId: ID,
            onlyScanned: { type: 'boolean', default: true, description: 'leave out images never scanned' },
            onlyAffected: {
              type: 'boolean',
              default: false,
              description: "only images whose findings change under the server's vulnerability DB (their software lists are matched again first)",
            },
          },
          additionalProperties: false,
        },
        response: { 202: { type: 'object', properties: { scansQueued: { type: 'integer' }, checked: { type: 'integer' } }, required: ['scansQueued'] } },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      let affected: Set<string> | undefined;
      let checked: number | undefined;
      if (b.onlyAffected) {
        // Matching the stored software lists against the DB is the jobs layer's work.
        if (!existsSync(ctx.scans.vulnDbPath)) throw badRequest('NO_VULN_DB', `onlyAffected: no vulnerability DB at ${ctx.scans.vulnDbPath}`);
        const r = await imagesAffectedByDb(ctx.store, ctx.scans.vulnDbPath, b.projectId);
        affected = new Set(r.affected.map((i) => i.id));
        checked = r.checked;
      }
      const ids = await queueRescans(ctx, callerOf(req), b, affected);
      return reply.code(202).send({ scansQueued: ids.length, checked });
    },
  );
}
