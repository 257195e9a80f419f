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
import { ID, ok, params, routes, type Ids } from './common.js';
import { SEVERITIES } from '../../../core/alerts/types.js';
import { imagesAffectedByDb } from '../../jobs/vulndb-rematch.js';

export function registerSettingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'settings', scope: 'global' });
  route('GET /api/v1/settings', { action: 'setting:read', summary: 'Read server settings' }, () => settings.readSettings(ctx));
  route<{ Params: { key: string }; Body: { value: unknown } }>(
    'PUT /api/v1/settings/:key',
    {
      action: 'setting:update',
      event: 'modifySetting',
      summary: 'Change a server setting',
      params: { type: 'object', properties: { key: { type: 'string', enum: Object.keys(SETTINGS) } }, required: ['key'] },
      body: {
        type: 'object',
        properties: { value: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'integer' }, { type: 'boolean' }] } },
        required: ['value'],
        additionalProperties: false,
      },
    },
    (req) => ok(settings.setSetting(ctx, callerOf(req), req.params.key, req.body.value)),
  );

  const notifier = routes(app, { tag: 'notifications', scope: 'global' });
  notifier('GET /api/v1/notifiers', { action: 'notifier:read', summary: 'List notification targets (secrets never returned)' }, () =>
    settings.listNotifiers(ctx),
  );
  notifier<{ Body: NotifierBody }>(
    'POST /api/v1/notifiers',
    {
      action: 'notifier:create',
      event: 'addNotifier',
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
      status: 201,
    },
    (req) => settings.addNotifier(ctx, callerOf(req), req.body),
  );
  notifier<{ Params: Ids<'notifierId'> }>(
    'DELETE /api/v1/notifiers/:notifierId',
    { action: 'notifier:delete', event: 'deleteNotifier', summary: 'Remove a notification target', params: params('notifierId') },
    (req) => ok(settings.deleteNotifier(ctx, callerOf(req), req.params.notifierId)),
  );

  route<{ Body: { projectId?: string; onlyScanned?: boolean; onlyAffected?: boolean } }>(
    'POST /api/v1/rescans',
    {
      action: 'image:scan',
      event: 'rescanImages',
      tag: 'scans',
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
      status: 202,
    },
    async (req) => {
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
      return { scansQueued: ids.length, checked };
    },
  );
}
