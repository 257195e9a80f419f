// Server settings (Administrator), notification targets (webhook, syslog;
// secrets encrypted at rest) and the rescan trigger.
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { badRequest, notFound } from '../http-errors.js';
import { ID, params, toApi } from './common.js';
import { SEVERITIES } from '../../../core/alerts/types.js';
import { imagesAffectedByDb } from '../../jobs/vulndb-rematch.js';

/** Settings users may change; stored under `cfg.<key>`. */
export const SETTINGS: Record<string, { type: 'string' | 'integer' | 'boolean'; description: string }> = {
  defaultRescanCron: { type: 'string', description: 'cron of the daily rescan of new projects' },
  alertRetentionDays: { type: 'integer', description: 'days alert groups are kept after last seen' },
  loginBanner: { type: 'string', description: 'text the console shows at login' },
};

export function registerSettingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  app.get('/api/v1/settings', {
    config: { action: 'setting:read', scope: 'global' },
    schema: { tags: ['settings'], summary: 'Read server settings' },
  }, async () => {
    const rows = await db.selectFrom('settings').selectAll().where('key', 'like', 'cfg.%').execute();
    return Object.fromEntries(rows.map((r) => [r.key.slice(4), JSON.parse(r.value)]));
  });

  app.put<{ Params: { key: string }; Body: { value: unknown } }>('/api/v1/settings/:key', {
    config: { action: 'setting:update', scope: 'global', event: 'modifySetting' },
    schema: { tags: ['settings'], summary: 'Change a server setting', params: { type: 'object', properties: { key: { type: 'string', enum: Object.keys(SETTINGS) } }, required: ['key'] }, body: { type: 'object', properties: { value: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'integer' }, { type: 'boolean' }] } }, required: ['value'], additionalProperties: false } },
  }, async (req) => {
    const spec = SETTINGS[req.params.key]!;
    const v = req.body.value;
    if ((spec.type === 'integer' && !Number.isInteger(v)) || (spec.type !== 'integer' && typeof v !== spec.type)) throw badRequest('BAD_SETTING', `${req.params.key} must be a ${spec.type}`);
    await mutate(ctx, req, { resourceType: 'setting', resourceId: req.params.key, summary: { value: v } }, async (trx) => {
      const now = ctx.clock().toISOString();
      await trx.insertInto('settings').values({ key: `cfg.${req.params.key}`, value: JSON.stringify(v), updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(v), updated_at: now })).execute();
    });
    return { ok: true };
  });

  app.get('/api/v1/notifiers', {
    config: { action: 'notifier:read', scope: 'global' },
    schema: { tags: ['notifications'], summary: 'List notification targets (secrets never returned)' },
  }, async () => ({
    items: (await db.selectFrom('notifiers').selectAll().orderBy('id').execute()).map((n) => {
      const o = toApi(n);
      const c = o.config as Record<string, unknown>;
      if (c.secret) c.secret = '***';
      return o;
    }),
  }));

  app.post<{ Body: { name: string; kind: 'webhook' | 'syslog'; projectId?: string | null; url?: string; secret?: string; host?: string; port?: number; protocol?: 'udp' | 'tcp'; facility?: number; minSeverity?: string; types?: string[]; events?: string[] } }>('/api/v1/notifiers', {
    config: { action: 'notifier:create', scope: 'global', event: 'addNotifier' },
    schema: {
      tags: ['notifications'], summary: 'Add a webhook (JSON, HMAC-SHA256 signed) or syslog (RFC 5424, UDP/TCP) target',
      body: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 }, kind: { type: 'string', enum: ['webhook', 'syslog'] }, projectId: { anyOf: [ID, { type: 'null' }] },
          url: { type: 'string', maxLength: 2000, pattern: '^https?://' }, secret: { type: 'string', maxLength: 500 },
          host: { type: 'string', maxLength: 253 }, port: { type: 'integer', minimum: 1, maximum: 65535 }, protocol: { type: 'string', enum: ['udp', 'tcp'] }, facility: { type: 'integer', minimum: 0, maximum: 23 },
          minSeverity: { type: 'string', enum: [...SEVERITIES] }, types: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 100 }, events: { type: 'array', items: { type: 'string', enum: ['alert', 'scan', 'audit-checkpoint'] }, maxItems: 3 },
        },
        required: ['name', 'kind'],
        additionalProperties: false,
      },
    },
  }, async (req, reply) => {
    const b = req.body;
    if (b.kind === 'webhook' && !b.url) throw badRequest('NOTIFIER', 'a webhook needs url');
    if (b.kind === 'syslog' && (!b.host || !b.port)) throw badRequest('NOTIFIER', 'syslog needs host and port');
    const config = b.kind === 'webhook' ? { url: b.url, secret: b.secret ? ctx.secrets.seal(b.secret) : '' } : { host: b.host, port: b.port, protocol: b.protocol ?? 'udp', facility: b.facility };
    const id = await mutate(ctx, req, { resourceType: 'notifier', resourceId: (r: string) => r, projectId: b.projectId ?? undefined, summary: b }, async (trx) => {
      const nid = newId();
      await trx.insertInto('notifiers').values({ id: nid, project_id: b.projectId ?? null, name: b.name, kind: b.kind, config: JSON.stringify(config), min_severity: b.minSeverity ?? 'info', types: JSON.stringify(b.types ?? []), events: JSON.stringify(b.events ?? []), created_at: ctx.clock().toISOString() }).execute();
      return nid;
    });
    ctx.notifier.invalidate();
    return reply.code(201).send({ id });
  });

  app.delete<{ Params: { notifierId: string } }>('/api/v1/notifiers/:notifierId', {
    config: { action: 'notifier:delete', scope: 'global', event: 'deleteNotifier' },
    schema: { tags: ['notifications'], summary: 'Remove a notification target', params: params('notifierId') },
  }, async (req) => {
    await mutate(ctx, req, { resourceType: 'notifier', resourceId: req.params.notifierId }, async (trx) => {
      const r = await trx.deleteFrom('notifiers').where('id', '=', req.params.notifierId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('notifier');
    });
    ctx.notifier.invalidate();
    return { ok: true };
  });

  app.post<{ Body: { projectId?: string; onlyScanned?: boolean; onlyAffected?: boolean } }>('/api/v1/rescans', {
    config: { action: 'image:scan', scope: 'global', event: 'rescanImages' },
    schema: {
      tags: ['scans'], summary: 'Rescan images (all projects, or one), e.g. after a vulnerability DB change',
      body: {
        type: 'object',
        properties: {
          projectId: ID,
          onlyScanned: { type: 'boolean', default: true, description: 'leave out images never scanned' },
          onlyAffected: { type: 'boolean', default: false, description: "only images whose findings change under the server's vulnerability DB (their software lists are matched again first)" },
        },
        additionalProperties: false,
      },
      response: { 202: { type: 'object', properties: { scansQueued: { type: 'integer' }, checked: { type: 'integer' } } } },
    },
  }, async (req, reply) => {
    const b = req.body ?? {};
    let affected: Set<string> | undefined;
    let checked: number | undefined;
    if (b.onlyAffected) {
      if (!existsSync(ctx.scans.vulnDbPath)) throw badRequest('NO_VULN_DB', `onlyAffected: no vulnerability DB at ${ctx.scans.vulnDbPath}`);
      const r = await imagesAffectedByDb(ctx.store, ctx.scans.vulnDbPath, b.projectId);
      affected = new Set(r.affected.map((i) => i.id));
      checked = r.checked;
    }
    const ids = await mutate(ctx, req, { resourceType: 'project', resourceId: b.projectId ?? '*', projectId: b.projectId, summary: b }, async (trx) => {
      let q = trx.selectFrom('images').select(['id', 'project_id']);
      if (b.projectId) q = q.where('project_id', '=', b.projectId);
      if (b.onlyScanned !== false || affected) q = q.where('last_scan_id', 'is not', null);
      const out: string[] = [];
      for (const im of await q.execute()) {
        if (affected && !affected.has(im.id)) continue;
        out.push(await ctx.scans.create(trx, im.project_id, im.id, 'vulndb'));
      }
      return out;
    });
    await ctx.scans.dispatch(ids);
    return reply.code(202).send({ scansQueued: ids.length, checked });
  });
}
