// Registries of a project: URL and credentials (password encrypted at rest).
// Adding one grants the service access to it (seed event registerCgsAgency);
// sync lists its images and scans new digests (syncSwrPrivateImage).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as registries from '../../services/registries.js';
import { listRegistryImages } from '../../jobs/registry-sync.js';
import { callerOf } from '../auth-hook.js';
import { ok, projectObjects, routes, type Ids } from './common.js';

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
  const registry = projectObjects(route, 'registry', 'registries');
  type One = { Params: Ids<'projectId' | 'registryId'> };
  registry.list('List registries (credentials never returned)', (projectId, query) => registries.listRegistries(ctx, projectId, query));
  registry.add<{ name: string; url: string; username?: string; password?: string; insecure?: boolean }>(
    {
      event: 'registerCgsAgency',
      summary: 'Add a registry: grants the service access to it (registerCgsAgency)',
      body: { ...regBody, required: ['name', 'url'] },
    },
    (caller, projectId, body) => registries.addRegistry(ctx, caller, projectId, body),
  );
  registry.read('Read a registry', (projectId, id) => registries.getRegistry(ctx, projectId, id));
  route<One & { Body: { name?: string; url?: string; username?: string; password?: string; insecure?: boolean } }>(
    'PATCH /api/v1/projects/:projectId/registries/:registryId',
    { action: 'registry:update', event: 'modifyRegistry', summary: 'Change a registry', params: registry.params, body: { ...regBody, minProperties: 1 } },
    (req) => ok(registries.updateRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, req.body)),
  );
  registry.remove({ event: 'deleteRegistry', summary: 'Remove a registry (its images stay)' }, (caller, projectId, id) =>
    registries.deleteRegistry(ctx, caller, projectId, id),
  );
  route<One>(
    'POST /api/v1/projects/:projectId/registries/:registryId/sync',
    {
      action: 'registry:sync',
      event: 'syncSwrPrivateImage',
      summary: "List the registry's repositories and tags, upsert images, scan new digests (syncSwrPrivateImage)",
      params: registry.params,
    },
    async (req) => {
      const r = await registries.syncRegistry(ctx, callerOf(req), req.params.projectId, req.params.registryId, (access) =>
        listRegistryImages(access, {}, ctx.imagePolicy.openOptions()),
      );
      return { repositories: r.repositories, images: r.images, newImages: r.newImages, scansQueued: r.scanIds.length, scanIds: r.scanIds };
    },
  );
}
