// Projects: the tenancy unit. Listing shows only the projects the caller can read.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as projects from '../../services/projects.js';
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, pageQuery, projectParams, routes, type Ids } from './common.js';

const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' } as const;
const cronSchema = { type: 'string', maxLength: 100 } as const;

export function registerProjectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'projects', scope: 'project' });
  type One = { Params: Ids<'projectId'> };

  route<{ Querystring: PageQuery & { name?: string } }>(
    'GET /api/v1/projects',
    { action: 'project:read', summary: 'List the projects you can read', querystring: pageQuery({ name: { type: 'string', maxLength: 100 } }) },
    (req) => projects.listProjects(ctx, req.allowedProjects!, req.query),
  );
  route<{ Body: { name: string; description?: string; rescanCron?: string } }>(
    'POST /api/v1/projects',
    {
      action: 'project:create',
      scope: 'global',
      event: 'addProject',
      summary: 'Create a project',
      body: {
        type: 'object',
        properties: { name: nameSchema, description: { type: 'string', maxLength: 1000 }, rescanCron: cronSchema },
        required: ['name'],
        additionalProperties: false,
      },
      status: 201,
    },
    (req) => projects.addProject(ctx, callerOf(req), req.body),
  );
  route<One>('GET /api/v1/projects/:projectId', { action: 'project:read', summary: 'Read a project', params: projectParams }, (req) =>
    projects.getProject(ctx, req.params.projectId),
  );
  route<One & { Body: { description?: string; rescanCron?: string; scanners?: string } }>(
    'PATCH /api/v1/projects/:projectId',
    {
      action: 'project:update',
      event: 'modifyProject',
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
    (req) => ok(projects.updateProject(ctx, callerOf(req), req.params.projectId, req.body)),
  );
  route<One>(
    'DELETE /api/v1/projects/:projectId',
    { action: 'project:delete', scope: 'global', event: 'deleteProject', summary: 'Delete a project and everything in it', params: projectParams },
    (req) => ok(projects.deleteProject(ctx, callerOf(req), req.params.projectId)),
  );
}
