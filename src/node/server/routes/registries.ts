// Registries of a project: URL and credentials (password encrypted at rest).
// Adding one grants the service access to it (seed event registerCgsAgency);
// sync lists its images and scans new digests (syncSwrPrivateImage).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as registries from '../../services/registries.js';
import { listRegistryImages } from '../../jobs/registry-sync.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, params, projectParams } from './common.js';

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
  const regParams = params('projectId', 'registryId');
  app.get<{ Params: { projectId: string }; Querystring: PageQuery }>(
    '/api/v1/projects/:projectId/registries',
    {
      config: { action: 'registry:read', scope: 'project' },
      schema: {
        tags: ['registries'],
        summary: 'List registries (credentials never returned)',
        params: projectParams,
        querystring: { type: 'object', properties: pageQuerySchema, additionalProperties: false },
      },
    },
    async (req) => registries.listRegistries(ctx, req.params.projectId, req.query),
  );

  app.post<{ Params: { projectId: string }; Body: { name: string; url: string; username?: string; password?: string; insecure?: boolean } }>(
    '/api/v1/projects/:projectId/registries',
    {
      config: { action: 'registry:create', scope: 'project', event: 'registerCgsAgency' },
      schema: {
        tags: ['registries'],
        summary: 'Add a registry: grants the service access to it (registerCgsAgency)',
        params: projectParams,
        body: { ...regBody, required: ['name', 'url'] },
      },
    },
    async (req, reply) => reply.code(201).send(await registries.addRegistry(ctx, callerOf(req), req.params.projectId, req.body)),
  );

  app.get<{ Params: { projectId: string; registryId: string } }>(
    '/api/v1/projects/:projectId/registries/:registryId',
    {
      config: { action: 'registry:read', scope: 'project' },
      schema: { tags: ['registries'], summary: 'Read a registry', params: regParams },
    },
    async (req) => registries.getRegistry(ctx, req.params.projectId, req.params.registryId),
  );

  app.patch<{
    Params: { projectId: string; registryId: string };
    Body: { name?: string; url?: string; username?: string; password?: string; insecure?: boolean };
  }>(
    '/api/v1/projects/:projectId/registries/:registryId',
    {
      config: { action: 'registry:update', scope: 'project', event: 'modifyRegistry' },
      schema: { tags: ['registries'], summary: 'Change a registry', params: regParams, body: { ...regBody, minProperties: 1 } },
    },
    async (req) => ok(registries.updateRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, req.body)),
  );

  app.delete<{ Params: { projectId: string; registryId: string } }>(
    '/api/v1/projects/:projectId/registries/:registryId',
    {
      config: { action: 'registry:delete', scope: 'project', event: 'deleteRegistry' },
      schema: { tags: ['registries'], summary: 'Remove a registry (its images stay)', params: regParams },
    },
    async (req) => ok(registries.deleteRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId)),
  );

  app.post<{ Params: { projectId: string; registryId: string } }>(
    '/api/v1/projects/:projectId/registries/:registryId/sync',
    {
      config: { action: 'registry:sync', scope: 'project', event: 'syncSwrPrivateImage' },
      schema: {
        tags: ['registries'],
        summary: "List the registry's repositories and tags, upsert images, scan new digests (syncSwrPrivateImage)",
        params: regParams,
      },
    },
    async (req) => {
      const r = await registries.syncRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, (access) =>
        listRegistryImages(access, {}, ctx.imagePolicy.openOptions()),
      );
      return { repositories: r.repositories, images: r.images, newImages: r.newImages, scansQueued: r.scanIds.length, scanIds: r.scanIds };
    },
  );
}
