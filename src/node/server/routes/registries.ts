// Registries of a project: URL and credentials (password encrypted at rest).
// Adding one grants the service access to it (seed event registerCgsAgency);
// sync lists its images and scans new digests (syncSwrPrivateImage).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { badRequest, notFound, HttpError } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { inProject, params, projectParams, toApi } from './common.js';
import { listRegistryImages, registryHost, upsertListedImages } from '../../jobs/registry-sync.js';
import { InputError } from '../../../core/errors.js';

const regBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    url: { type: 'string', minLength: 1, maxLength: 300, pattern: '^(https?://)?[A-Za-z0-9.\\-\\[\\]:]+(/.*)?$' },
    username: { type: 'string', maxLength: 200 },
    password: { type: 'string', maxLength: 4000 },
    insecure: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

export function registerRegistryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  const regParams = params('projectId', 'registryId');
  app.get<{ Params: { projectId: string }; Querystring: PageQuery }>('/api/v1/projects/:projectId/registries', {
    config: { action: 'registry:read', scope: 'project' },
    schema: { tags: ['registries'], summary: 'List registries (credentials never returned)', params: projectParams, querystring: { type: 'object', properties: pageQuerySchema, additionalProperties: false } },
  }, async (req) => {
    const page = await pageOf(db.selectFrom('registries').selectAll().where('project_id', '=', req.params.projectId), req.query, { name: 'name' }, 'registries');
    return { items: page.items.map((r) => ({ ...toApi(r), hasPassword: r.password_enc !== '' })), next: page.next };
  });

  app.post<{ Params: { projectId: string }; Body: { name: string; url: string; username?: string; password?: string; insecure?: boolean } }>('/api/v1/projects/:projectId/registries', {
    config: { action: 'registry:create', scope: 'project', event: 'registerCgsAgency' },
    schema: { tags: ['registries'], summary: 'Add a registry: grants the service access to it (registerCgsAgency)', params: projectParams, body: { ...regBody, required: ['name', 'url'] } },
  }, async (req, reply) => {
    const b = req.body;
    const { projectId } = req.params;
    const id = await mutate(ctx, req, { resourceType: 'registry', resourceId: (r: string) => r, projectId, summary: b }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      const rid = newId();
      await trx.insertInto('registries').values({
        id: rid, project_id: projectId, name: b.name, url: b.url, username: b.username ?? '', password_enc: ctx.secrets.seal(b.password ?? ''),
        insecure: b.insecure ? 1 : 0, created_at: ctx.clock().toISOString(), last_sync_at: null,
      }).execute();
      return rid;
    });
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { projectId: string; registryId: string } }>('/api/v1/projects/:projectId/registries/:registryId', {
    config: { action: 'registry:read', scope: 'project' },
    schema: { tags: ['registries'], summary: 'Read a registry', params: regParams },
  }, async (req) => {
    const r = await inProject(db, 'registries', req.params.registryId, req.params.projectId, 'registry');
    return { ...toApi(r), hasPassword: r.password_enc !== '' };
  });

  app.patch<{ Params: { projectId: string; registryId: string }; Body: { name?: string; url?: string; username?: string; password?: string; insecure?: boolean } }>('/api/v1/projects/:projectId/registries/:registryId', {
    config: { action: 'registry:update', scope: 'project', event: 'modifyRegistry' },
    schema: { tags: ['registries'], summary: 'Change a registry', params: regParams, body: { ...regBody, minProperties: 1 } },
  }, async (req) => {
    const { projectId, registryId } = req.params;
    const b = req.body;
    await mutate(ctx, req, { resourceType: 'registry', resourceId: registryId, projectId, summary: b }, async (trx) => {
      const set: Record<string, unknown> = {};
      if (b.name !== undefined) set.name = b.name;
      if (b.url !== undefined) set.url = b.url;
      if (b.username !== undefined) set.username = b.username;
      if (b.password !== undefined) set.password_enc = ctx.secrets.seal(b.password);
      if (b.insecure !== undefined) set.insecure = b.insecure ? 1 : 0;
      const r = await trx.updateTable('registries').set(set).where('id', '=', registryId).where('project_id', '=', projectId).executeTakeFirst();
      if (!Number(r.numUpdatedRows)) throw notFound('registry');
    });
    return { ok: true };
  });

  app.delete<{ Params: { projectId: string; registryId: string } }>('/api/v1/projects/:projectId/registries/:registryId', {
    config: { action: 'registry:delete', scope: 'project', event: 'deleteRegistry' },
    schema: { tags: ['registries'], summary: 'Remove a registry (its images stay)', params: regParams },
  }, async (req) => {
    const { projectId, registryId } = req.params;
    await mutate(ctx, req, { resourceType: 'registry', resourceId: registryId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('registries').where('id', '=', registryId).where('project_id', '=', projectId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('registry');
    });
    return { ok: true };
  });

  app.post<{ Params: { projectId: string; registryId: string } }>('/api/v1/projects/:projectId/registries/:registryId/sync', {
    config: { action: 'registry:sync', scope: 'project', event: 'syncSwrPrivateImage' },
    schema: { tags: ['registries'], summary: 'List the registry\'s repositories and tags, upsert images, scan new digests (syncSwrPrivateImage)', params: regParams },
  }, async (req) => {
    const { projectId, registryId } = req.params;
    const reg = await inProject(db, 'registries', registryId, projectId, 'registry');
    const host = registryHost(reg.url);
    let listed;
    try {
      listed = await listRegistryImages({ host, username: reg.username || undefined, password: ctx.secrets.open(reg.password_enc) || undefined, insecure: reg.insecure === 1 || reg.url.startsWith('http://') });
    } catch (e) {
      const msg = e instanceof InputError ? e.message : `registry ${host} unreachable: ${(e as Error).message}`;
      await mutate(ctx, req, { resourceType: 'registry', resourceId: registryId, projectId, summary: { host } }, async () => { throw new HttpError(502, 'REGISTRY_SYNC', msg); }).catch(() => {});
      throw new HttpError(502, 'REGISTRY_SYNC', msg);
    }
    const r = await mutate(ctx, req, { resourceType: 'registry', resourceId: registryId, projectId, summary: { host } }, async (trx) => {
      const res = await upsertListedImages(trx, ctx.scans, projectId, registryId, host, listed, ctx.clock().toISOString());
      return res;
    });
    await ctx.scans.dispatch(r.scanIds);
    return { repositories: r.repositories, images: r.images, newImages: r.newImages, scansQueued: r.scanIds.length, scanIds: r.scanIds };
  });
  void badRequest;
}
