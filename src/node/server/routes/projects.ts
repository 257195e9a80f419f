// Projects: the tenancy unit. Listing shows only the projects the caller can read.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { badRequest, conflict, notFound } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { projectParams, toApi } from './common.js';
import { markScheduleSet, validCron } from '../../jobs/scheduler.js';

const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' } as const;
const cronSchema = { type: 'string', maxLength: 100 } as const;

export async function createProject(ctx: ServerContext, trx: import('../../store/store.js').Tx, name: string, description = '', cron?: string): Promise<string> {
  if (await trx.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst()) throw conflict(`project ${name} exists`);
  const id = newId();
  await trx.insertInto('projects').values({ id, name, description, rescan_cron: cron ?? ctx.config.rescanCron, created_at: ctx.clock().toISOString() }).execute();
  await markScheduleSet(trx, id, ctx.clock());
  return id;
}

export function registerProjectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  app.get<{ Querystring: PageQuery & { name?: string } }>('/api/v1/projects', {
    config: { action: 'project:read', scope: 'project' },
    schema: { tags: ['projects'], summary: 'List the projects you can read', querystring: { type: 'object', properties: { ...pageQuerySchema, name: { type: 'string', maxLength: 100 } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('projects').selectAll();
    const allowed = req.allowedProjects!;
    if (allowed !== 'all') q = q.where('id', 'in', allowed.length ? allowed : ['']);
    if (req.query.name) q = q.where('name', '=', req.query.name);
    const page = await pageOf(q, req.query, { name: 'name', createdAt: 'created_at' }, 'projects');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.post<{ Body: { name: string; description?: string; rescanCron?: string } }>('/api/v1/projects', {
    config: { action: 'project:create', scope: 'global', event: 'addProject' },
    schema: { tags: ['projects'], summary: 'Create a project', body: { type: 'object', properties: { name: nameSchema, description: { type: 'string', maxLength: 1000 }, rescanCron: cronSchema }, required: ['name'], additionalProperties: false } },
  }, async (req, reply) => {
    const b = req.body;
    if (b.rescanCron && !validCron(b.rescanCron)) throw badRequest('BAD_CRON', `not a cron expression: ${b.rescanCron}`);
    const id = await mutate(ctx, req, { resourceType: 'project', resourceId: (r: string) => r, summary: b }, (trx) => createProject(ctx, trx, b.name, b.description, b.rescanCron));
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { projectId: string } }>('/api/v1/projects/:projectId', {
    config: { action: 'project:read', scope: 'project' },
    schema: { tags: ['projects'], summary: 'Read a project', params: projectParams },
  }, async (req) => {
    const p = await db.selectFrom('projects').selectAll().where('id', '=', req.params.projectId).executeTakeFirst();
    if (!p) throw notFound('project');
    return toApi(p);
  });

  app.patch<{ Params: { projectId: string }; Body: { description?: string; rescanCron?: string; scanners?: string } }>('/api/v1/projects/:projectId', {
    config: { action: 'project:update', scope: 'project', event: 'modifyProject' },
    schema: { tags: ['projects'], summary: 'Change a project (description, daily rescan cron; "" disables it; scanners of its scans, "" = all)', params: projectParams, body: { type: 'object', properties: { description: { type: 'string', maxLength: 1000 }, rescanCron: cronSchema, scanners: { type: 'string', maxLength: 100, pattern: '^((vuln|malware|secret|baseline|files)(,(vuln|malware|secret|baseline|files))*)?$', description: 'comma-separated: vuln,malware,secret,baseline,files; "" = all' } }, additionalProperties: false, minProperties: 1 } },
  }, async (req) => {
    const b = req.body;
    if (b.rescanCron && !validCron(b.rescanCron)) throw badRequest('BAD_CRON', `not a cron expression: ${b.rescanCron}`);
    await mutate(ctx, req, { resourceType: 'project', resourceId: req.params.projectId, projectId: req.params.projectId, summary: b }, async (trx) => {
      const set: Record<string, string> = {};
      if (b.description !== undefined) set.description = b.description;
      if (b.rescanCron !== undefined) set.rescan_cron = b.rescanCron;
      if (b.scanners !== undefined) set.scanners = b.scanners;
      const r = await trx.updateTable('projects').set(set).where('id', '=', req.params.projectId).executeTakeFirst();
      if (!Number(r.numUpdatedRows)) throw notFound('project');
      if (b.rescanCron !== undefined) await markScheduleSet(trx, req.params.projectId, ctx.clock());
    });
    return { ok: true };
  });

  app.delete<{ Params: { projectId: string } }>('/api/v1/projects/:projectId', {
    config: { action: 'project:delete', scope: 'global', event: 'deleteProject' },
    schema: { tags: ['projects'], summary: 'Delete a project and everything in it', params: projectParams },
  }, async (req) => {
    await mutate(ctx, req, { resourceType: 'project', resourceId: req.params.projectId, projectId: req.params.projectId }, async (trx) => {
      const r = await trx.deleteFrom('projects').where('id', '=', req.params.projectId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('project');
    });
    // its role bindings went with it
    ctx.authCache.clear();
    return { ok: true };
  });
}
