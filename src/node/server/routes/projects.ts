// Projects: the tenancy unit. Listing shows only the projects the caller can read.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as projects from '../../services/projects.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, projectParams } from './common.js';

const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' } as const;
const cronSchema = { type: 'string', maxLength: 100 } as const;

export function registerProjectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: PageQuery & { name?: string } }>(
    '/api/v1/projects',
    {
      config: { action: 'project:read', scope: 'project' },
      schema: {
        tags: ['projects'],
        summary: 'List the projects you can read',
        querystring: { type: 'object', properties: { ...pageQuerySchema, name: { type: 'string', maxLength: 100 } }, additionalProperties: false },
      },
    },
    async (req) => projects.listProjects(ctx, req.allowedProjects!, req.query),
  );

  app.post<{ Body: { name: string; description?: string; rescanCron?: string } }>(
    '/api/v1/projects',
    {
      config: { action: 'project:create', scope: 'global', event: 'addProject' },
      schema: {
        tags: ['projects'],
        summary: 'Create a project',
        body: {
          type: 'object',
          properties: { name: nameSchema, description: { type: 'string', maxLength: 1000 }, rescanCron: cronSchema },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await projects.addProject(ctx, callerOf(req), req.body)),
  );

  app.get<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId',
    {
      config: { action: 'project:read', scope: 'project' },
      schema: { tags: ['projects'], summary: 'Read a project', params: projectParams },
    },
    async (req) => projects.getProject(ctx, req.params.projectId),
  );

  app.patch<{ Params: { projectId: string }; Body: { description?: string; rescanCron?: string; scanners?: string } }>(
    '/api/v1/projects/:projectId',
    {
      config: { action: 'project:update', scope: 'project', event: 'modifyProject' },
      schema: {
        tags: ['projects'],
        summary: 'Change a project (description, daily rescan cron; "" disables it; scanners of its scans, "" = all)',
        params: projectParams,
        body: {
          type: 'object',
          properties: {
            description: { type: 'string', maxLength: 1000 },
            rescanCron: cronSchema,
            scanners: {
              type: 'string',
              maxLength: 100,
              pattern: '^((vuln|malware|secret|baseline|files)(,(vuln|malware|secret|baseline|files))*)?$',
              description: 'comma-separated: vuln,malware,secret,baseline,files; "" = all',
            },
          },
          additionalProperties: false,
          minProperties: 1,
        },
      },
    },
    async (req) => ok(projects.updateProject(ctx, callerOf(req), req.params.projectId, req.body)),
  );

  app.delete<{ Params: { projectId: string } }>(
    '/api/v1/projects/:projectId',
    {
      config: { action: 'project:delete', scope: 'global', event: 'deleteProject' },
      schema: { tags: ['projects'], summary: 'Delete a project and everything in it', params: projectParams },
    },
    async (req) => ok(projects.deleteProject(ctx, callerOf(req), req.params.projectId)),
  );
}
