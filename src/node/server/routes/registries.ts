// Registries of a project: URL and credentials (password encrypted at rest).
// Adding one grants the service access to it (seed event registerCgsAgency);
// sync lists its images and scans new digests (syncSwrPrivateImage).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as registries from '../../services/registries.js';
import { listRegistryImages } from '../../jobs/registry-sync.js';
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, pageQuery, params, projectParams, routes, type Ids } from './common.js';

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
  const route = routes(app, { tag: 'registries', scope: 'project' });
  const regParams = params('projectId', 'registryId');
  type One = { Params: Ids<'projectId' | 'registryId'> };
  route<{ Params: Ids<'projectId'>; Querystring: PageQuery }>(
    'GET /api/v1/projects/:projectId/registries',
    { action: 'registry:read', summary: 'List registries (credentials never returned)', params: projectParams, querystring: pageQuery() },
    (req) => registries.listRegistries(ctx, req.params.projectId, req.query),
  );
  route<{ Params: Ids<'projectId'>; Body: { name: string; url: string; username?: string; password?: string; insecure?: boolean } }>(
    'POST /api/v1/projects/:projectId/registries',
    {
      action: 'registry:create',
      event: 'registerCgsAgency',
      summary: 'Add a registry: grants the service access to it (registerCgsAgency)',
      params: projectParams,
      body: { ...regBody, required: ['name', 'url'] },
      status: 201,
    },
    (req) => registries.addRegistry(ctx, callerOf(req), req.params.projectId, req.body),
  );
  route<One>('GET /api/v1/projects/:projectId/registries/:registryId', { action: 'registry:read', summary: 'Read a registry', params: regParams }, (req) =>
    registries.getRegistry(ctx, req.params.projectId, req.params.registryId),
  );
  route<One & { Body: { name?: string; url?: string; username?: string; password?: string; insecure?: boolean } }>(
    'PATCH /api/v1/projects/:projectId/registries/:registryId',
    { action: 'registry:update', event: 'modifyRegistry', summary: 'Change a registry', params: regParams, body: { ...regBody, minProperties: 1 } },
    (req) => ok(registries.updateRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, req.body)),
  );
  route<One>(
    'DELETE /api/v1/projects/:projectId/registries/:registryId',
    { action: 'registry:delete', event: 'deleteRegistry', summary: 'Remove a registry (its images stay)', params: regParams },
    (req) => ok(registries.deleteRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId)),
  );
  route<One>(
    'POST /api/v1/projects/:projectId/registries/:registryId/sync',
    {
      action: 'registry:sync',
      event: 'syncSwrPrivateImage',
      summary: "List the registry's repositories and tags, upsert images, scan new digests (syncSwrPrivateImage)",
      params: regParams,
    },
    async (req) => {
      const r = await registries.syncRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, (access) =>
        listRegistryImages(access, {}, ctx.imagePolicy.openOptions()),
      );
      return { repositories: r.repositories, images: r.images, newImages: r.newImages, scansQueued: r.scanIds.length, scanIds: r.scanIds };
    },
  );
}
