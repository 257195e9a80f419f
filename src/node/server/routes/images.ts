// Images of a project, their scans (manual scan: scanPrivateImage), findings,
// software list, and vulnerability ignores for all images (ignoreVul /
// cancelIgnoreVul) or one image (ignoreImageVul / cancelIgnoreImageVul).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as images from '../../services/images.js';
import { getScan, listScans } from '../../services/scans.js';
import { pageQuerySchema, type PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, params, projectParams } from './common.js';
import { SEVERITY_FILTER_VALUES } from '../../../core/scan/severity-filter.js';

const refSchema = { type: 'string', minLength: 1, maxLength: 1000, pattern: '^(registry|docker-archive|oci|oci-archive|rootfs):.+' } as const;

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const imgParams = params('projectId', 'imageId');

  app.get<{
    Params: { projectId: string };
    Querystring: PageQuery & { repository?: string; registry?: string; os?: string; minSeverity?: string; scanned?: boolean };
  }>(
    '/api/v1/projects/:projectId/images',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['images'],
        summary: 'List images with their OS, last scan and finding counts by severity',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuerySchema,
            repository: { type: 'string', maxLength: 300 },
            registry: { type: 'string', maxLength: 300 },
            os: { type: 'string', maxLength: 50 },
            minSeverity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
            scanned: { type: 'boolean' },
            name: { type: 'string', maxLength: 300, description: 'substring of the image reference, any case' },
            fixable: { type: 'boolean', description: 'true: images with a vulnerability that has a fix and is not ignored; false: without' },
            scanStatus: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'], description: "status of the image's latest scan" },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => images.listImages(ctx, req.params.projectId, req.query),
  );

  app.post<{ Params: { projectId: string }; Body: { ref: string; scan?: boolean } }>(
    '/api/v1/projects/:projectId/images',
    {
      config: { action: 'image:create', scope: 'project', event: 'addImage' },
      schema: {
        tags: ['images'],
        summary: 'Add an image by reference (registry:HOST/REPO:TAG, docker-archive:PATH, ...); scan=true also scans it (scanPrivateImage)',
        params: projectParams,
        body: { type: 'object', properties: { ref: refSchema, scan: { type: 'boolean' } }, required: ['ref'], additionalProperties: false },
      },
    },
    async (req, reply) => reply.code(201).send(await images.addImage(ctx, callerOf(req), req.params.projectId, req.body)),
  );

  app.get<{ Params: { projectId: string; imageId: string } }>(
    '/api/v1/projects/:projectId/images/:imageId',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: { tags: ['images'], summary: 'Read an image', params: imgParams },
    },
    async (req) => images.getImage(ctx, req.params.projectId, req.params.imageId),
  );

  app.delete<{ Params: { projectId: string; imageId: string } }>(
    '/api/v1/projects/:projectId/images/:imageId',
    {
      config: { action: 'image:delete', scope: 'project', event: 'deleteImage' },
      schema: { tags: ['images'], summary: 'Remove an image with its scans and findings', params: imgParams },
    },
    async (req) => ok(images.deleteImage(ctx, callerOf(req), req.params.projectId, req.params.imageId)),
  );

  app.post<{ Params: { projectId: string; imageId: string } }>(
    '/api/v1/projects/:projectId/images/:imageId/scan',
    {
      config: { action: 'image:scan', scope: 'project', event: 'scanPrivateImage' },
      schema: { tags: ['images'], summary: 'Scan an image now (scanPrivateImage)', params: imgParams },
    },
    async (req, reply) => reply.code(202).send(await images.scanImage(ctx, callerOf(req), req.params.projectId, req.params.imageId)),
  );

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { imageId?: string; status?: string } }>(
    '/api/v1/projects/:projectId/scans',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['scans'],
        summary: 'List scan jobs (status, progress, errors)',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuerySchema,
            imageId: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => listScans(ctx, req.params.projectId, req.query),
  );

  app.get<{ Params: { projectId: string; scanId: string } }>(
    '/api/v1/projects/:projectId/scans/:scanId',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: { tags: ['scans'], summary: 'Read a scan job', params: params('projectId', 'scanId') },
    },
    async (req) => getScan(ctx, req.params.projectId, req.params.scanId),
  );

  app.get<{ Params: { projectId: string; imageId: string }; Querystring: images.FindingFilter }>(
    '/api/v1/projects/:projectId/images/:imageId/findings',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['images'],
        summary:
          'Findings of an image: vulnerabilities (kind vuln), malware, secret, baseline, file (unowned files); ignored vulnerabilities are marked and can be left out before paging. Secrets are stored and returned masked.',
        params: imgParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuerySchema,
            severity: { type: 'string', maxLength: 200, description: `comma-separated severities to keep: ${SEVERITY_FILTER_VALUES.join(', ')}` },
            kind: { type: 'string', enum: ['vuln', 'malware', 'secret', 'baseline', 'file'] },
            ruleId: { type: 'string', maxLength: 300, description: 'vulnerability id, malware rule, secret rule, baseline check id' },
            path: { type: 'string', maxLength: 4096, description: 'file path prefix (content findings)' },
            includeIgnored: { type: 'boolean', default: true, description: 'false leaves ignored findings out (before paging)' },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => images.listFindings(ctx, req.params.projectId, req.params.imageId, req.query),
  );

  app.get<{ Params: { projectId: string; imageId: string }; Querystring: PageQuery & { name?: string; type?: string } }>(
    '/api/v1/projects/:projectId/images/:imageId/packages',
    {
      config: { action: 'image:read', scope: 'project' },
      schema: {
        tags: ['images'],
        summary: 'Software list of an image',
        params: imgParams,
        querystring: {
          type: 'object',
          properties: { ...pageQuerySchema, name: { type: 'string', maxLength: 300 }, type: { type: 'string', maxLength: 20 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => images.listPackages(ctx, req.params.projectId, req.params.imageId, req.query),
  );

  // --- vulnerability ignores
  const ignoreBody = {
    type: 'object',
    properties: {
      vulnId: { type: 'string', minLength: 1, maxLength: 100 },
      package: { type: 'string', maxLength: 300 },
      reason: { type: 'string', maxLength: 1000 },
      expires: {
        type: 'string',
        maxLength: 40,
        description: 'when the ignore lapses and the vulnerability counts again: YYYY-MM-DD (00:00 UTC) or a date-time, in the future',
      },
    },
    required: ['vulnId'],
    additionalProperties: false,
  } as const;

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { imageId?: string } }>(
    '/api/v1/projects/:projectId/vuln-ignores',
    {
      config: { action: 'vuln:read', scope: 'project' },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'List vulnerability ignores (project-wide and per image)',
        params: projectParams,
        querystring: { type: 'object', properties: { ...pageQuerySchema, imageId: { type: 'string', maxLength: 64 } }, additionalProperties: false },
      },
    },
    async (req) => images.listIgnores(ctx, req.params.projectId, req.query),
  );

  app.post<{ Params: { projectId: string }; Body: images.IgnoreBody }>(
    '/api/v1/projects/:projectId/vuln-ignores',
    {
      config: { action: 'vuln:ignore', scope: 'project', event: 'ignoreVul' },
      schema: {
        tags: ['vulnerabilities'],
        summary: 'Ignore a vulnerability for all images of the project (ignoreVul)',
        params: projectParams,
        body: ignoreBody,
      },
    },
    async (req, reply) => reply.code(201).send(await images.addIgnore(ctx, callerOf(req), req.params.projectId, null, req.body)),
  );

  app.delete<{ Params: { projectId: string; ignoreId: string } }>(
    '/api/v1/projects/:projectId/vuln-ignores/:ignoreId',
    {
      config: { action: 'vuln:ignore', scope: 'project', event: 'cancelIgnoreVul' },
      schema: { tags: ['vulnerabilities'], summary: 'Cancel a project-wide ignore (cancelIgnoreVul)', params: params('projectId', 'ignoreId') },
    },
    async (req) => ok(images.cancelIgnore(ctx, callerOf(req), req.params.projectId, null, req.params.ignoreId)),
  );

  app.post<{ Params: { projectId: string; imageId: string }; Body: images.IgnoreBody }>(
    '/api/v1/projects/:projectId/images/:imageId/vuln-ignores',
    {
      config: { action: 'vuln:ignore', scope: 'project', event: 'ignoreImageVul' },
      schema: { tags: ['vulnerabilities'], summary: 'Ignore a vulnerability for one image (ignoreImageVul)', params: imgParams, body: ignoreBody },
    },
    async (req, reply) => reply.code(201).send(await images.addIgnore(ctx, callerOf(req), req.params.projectId, req.params.imageId, req.body)),
  );

  app.delete<{ Params: { projectId: string; imageId: string; ignoreId: string } }>(
    '/api/v1/projects/:projectId/images/:imageId/vuln-ignores/:ignoreId',
    {
      config: { action: 'vuln:ignore', scope: 'project', event: 'cancelIgnoreImageVul' },
      schema: { tags: ['vulnerabilities'], summary: 'Cancel an image ignore (cancelIgnoreImageVul)', params: params('projectId', 'imageId', 'ignoreId') },
    },
    async (req) => ok(images.cancelIgnore(ctx, callerOf(req), req.params.projectId, req.params.imageId, req.params.ignoreId)),
  );
}
