// Images of a project, their scans (manual scan: scanPrivateImage), findings,
// software list, and vulnerability ignores for all images (ignoreVul /
// cancelIgnoreVul) or one image (ignoreImageVul / cancelIgnoreImageVul).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import * as images from '../../services/images.js';
import { getScan, listScans } from '../../services/scans.js';
import type { PageQuery } from '../list-query.js';
import { callerOf } from '../auth-hook.js';
import { ok, pageQuery, params, projectObjects, projectParams, routes, type Ids } from './common.js';
import { SEVERITY_FILTER_VALUES } from '../../../core/scan/severity-filter.js';

const refSchema = { type: 'string', minLength: 1, maxLength: 1000, pattern: '^(registry|docker-archive|oci|oci-archive|rootfs):.+' } as const;

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

const SCAN_STATUS = { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] } as const;

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const route = routes(app, { tag: 'images', scope: 'project' });
  const image = projectObjects(route, 'image', 'images');
  type Project = { Params: Ids<'projectId'> };
  type One = { Params: Ids<'projectId' | 'imageId'> };

  image.list<{ repository?: string; registry?: string; os?: string; minSeverity?: string; scanned?: boolean }>(
    'List images with their OS, last scan and finding counts by severity',
    (projectId, query) => images.listImages(ctx, projectId, query),
    {
      repository: { type: 'string', maxLength: 300 },
      registry: { type: 'string', maxLength: 300 },
      os: { type: 'string', maxLength: 50 },
      minSeverity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] },
      scanned: { type: 'boolean' },
      name: { type: 'string', maxLength: 300, description: 'substring of the image reference, any case' },
      fixable: { type: 'boolean', description: 'true: images with a vulnerability that has a fix and is not ignored; false: without' },
      scanStatus: { ...SCAN_STATUS, description: "status of the image's latest scan" },
    },
  );
  image.add<{ ref: string; scan?: boolean }>(
    {
      event: 'addImage',
      summary: 'Add an image by reference (registry:HOST/REPO:TAG, docker-archive:PATH, ...); scan=true also scans it (scanPrivateImage)',
      body: { type: 'object', properties: { ref: refSchema, scan: { type: 'boolean' } }, required: ['ref'], additionalProperties: false },
    },
    (caller, projectId, body) => images.addImage(ctx, caller, projectId, body),
  );
  image.read('Read an image', (projectId, id) => images.getImage(ctx, projectId, id));
  image.remove({ event: 'deleteImage', summary: 'Remove an image with its scans and findings' }, (caller, projectId, id) =>
    images.deleteImage(ctx, caller, projectId, id),
  );
  route<One>(
    'POST /api/v1/projects/:projectId/images/:imageId/scan',
    { action: 'image:scan', event: 'scanPrivateImage', summary: 'Scan an image now (scanPrivateImage)', params: image.params, status: 202 },
    (req) => images.scanImage(ctx, callerOf(req), req.params.projectId, req.params.imageId),
  );
  route<Project & { Querystring: PageQuery & { imageId?: string; status?: string } }>(
    'GET /api/v1/projects/:projectId/scans',
    {
      action: 'image:read',
      tag: 'scans',
      summary: 'List scan jobs (status, progress, errors)',
      params: projectParams,
      querystring: pageQuery({ imageId: { type: 'string', maxLength: 64 }, status: SCAN_STATUS }),
    },
    (req) => listScans(ctx, req.params.projectId, req.query),
  );
  route<{ Params: Ids<'projectId' | 'scanId'> }>(
    'GET /api/v1/projects/:projectId/scans/:scanId',
    { action: 'image:read', tag: 'scans', summary: 'Read a scan job', params: params('projectId', 'scanId') },
    (req) => getScan(ctx, req.params.projectId, req.params.scanId),
  );
  route<One & { Querystring: images.FindingFilter }>(
    'GET /api/v1/projects/:projectId/images/:imageId/findings',
    {
      action: 'image:read',
      summary:
        'Findings of an image: vulnerabilities (kind vuln), malware, secret, baseline, file (unowned files); ignored vulnerabilities are marked and can be left out before paging. Secrets are stored and returned masked.',
      params: image.params,
      querystring: pageQuery({
        severity: { type: 'string', maxLength: 200, description: `comma-separated severities to keep: ${SEVERITY_FILTER_VALUES.join(', ')}` },
        kind: { type: 'string', enum: ['vuln', 'malware', 'secret', 'baseline', 'file'] },
        ruleId: { type: 'string', maxLength: 300, description: 'vulnerability id, malware rule, secret rule, baseline check id' },
        path: { type: 'string', maxLength: 4096, description: 'file path prefix (content findings)' },
        includeIgnored: { type: 'boolean', default: true, description: 'false leaves ignored findings out (before paging)' },
      }),
    },
    (req) => images.listFindings(ctx, req.params.projectId, req.params.imageId, req.query),
  );
  route<One & { Querystring: PageQuery & { name?: string; type?: string } }>(
    'GET /api/v1/projects/:projectId/images/:imageId/packages',
    {
      action: 'image:read',
      summary: 'Software list of an image',
      params: image.params,
      querystring: pageQuery({ name: { type: 'string', maxLength: 300 }, type: { type: 'string', maxLength: 20 } }),
    },
    (req) => images.listPackages(ctx, req.params.projectId, req.params.imageId, req.query),
  );

  // --- vulnerability ignores: for all images of the project, or for one image
  const ignore = routes(app, { tag: 'vulnerabilities', scope: 'project' });
  ignore<Project & { Querystring: PageQuery & { imageId?: string } }>(
    'GET /api/v1/projects/:projectId/vuln-ignores',
    {
      action: 'vuln:read',
      summary: 'List vulnerability ignores (project-wide and per image)',
      params: projectParams,
      querystring: pageQuery({ imageId: { type: 'string', maxLength: 64 } }),
    },
    (req) => images.listIgnores(ctx, req.params.projectId, req.query),
  );
  ignore<Project & { Body: images.IgnoreBody }>(
    'POST /api/v1/projects/:projectId/vuln-ignores',
    {
      action: 'vuln:ignore',
      event: 'ignoreVul',
      summary: 'Ignore a vulnerability for all images of the project (ignoreVul)',
      params: projectParams,
      body: ignoreBody,
      status: 201,
    },
    (req) => images.addIgnore(ctx, callerOf(req), req.params.projectId, null, req.body),
  );
  ignore<{ Params: Ids<'projectId' | 'ignoreId'> }>(
    'DELETE /api/v1/projects/:projectId/vuln-ignores/:ignoreId',
    { action: 'vuln:ignore', event: 'cancelIgnoreVul', summary: 'Cancel a project-wide ignore (cancelIgnoreVul)', params: params('projectId', 'ignoreId') },
    (req) => ok(images.cancelIgnore(ctx, callerOf(req), req.params.projectId, null, req.params.ignoreId)),
  );
  ignore<One & { Body: images.IgnoreBody }>(
    'POST /api/v1/projects/:projectId/images/:imageId/vuln-ignores',
    {
      action: 'vuln:ignore',
      event: 'ignoreImageVul',
      summary: 'Ignore a vulnerability for one image (ignoreImageVul)',
      params: image.params,
      body: ignoreBody,
      status: 201,
    },
    (req) => images.addIgnore(ctx, callerOf(req), req.params.projectId, req.params.imageId, req.body),
  );
  ignore<{ Params: Ids<'projectId' | 'imageId' | 'ignoreId'> }>(
    'DELETE /api/v1/projects/:projectId/images/:imageId/vuln-ignores/:ignoreId',
    {
      action: 'vuln:ignore',
      event: 'cancelIgnoreImageVul',
      summary: 'Cancel an image ignore (cancelIgnoreImageVul)',
      params: params('projectId', 'imageId', 'ignoreId'),
    },
    (req) => ok(images.cancelIgnore(ctx, callerOf(req), req.params.projectId, req.params.imageId, req.params.ignoreId)),
  );
}
