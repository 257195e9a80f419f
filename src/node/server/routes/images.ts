// Images of a project, their scans (manual scan: scanPrivateImage), findings,
// software list, and vulnerability ignores for all images (ignoreVul /
// cancelIgnoreVul) or one image (ignoreImageVul / cancelIgnoreImageVul).
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { notFound, conflict } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { inProject, params, projectParams, toApi } from './common.js';
import { recountImage } from '../../jobs/scan-service.js';
import type { Tx } from '../../store/store.js';

const refSchema = { type: 'string', minLength: 1, maxLength: 1000, pattern: '^(registry|docker-archive|oci|oci-archive|rootfs):.+' } as const;

function splitRef(ref: string): { registry: string; repository: string; tag: string } {
  if (!ref.startsWith('registry:')) return { registry: '', repository: ref.replace(/^[a-z-]+:/, ''), tag: '' };
  const s = ref.slice('registry:'.length);
  const slash = s.indexOf('/');
  const registry = s.slice(0, slash);
  let rest = s.slice(slash + 1);
  let tag = '';
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag };
}

export async function insertImage(ctx: ServerContext, trx: Tx, projectId: string, ref: string, registryId: string | null = null): Promise<string> {
  if (await trx.selectFrom('images').select('id').where('project_id', '=', projectId).where('ref', '=', ref).executeTakeFirst()) throw conflict(`image ${ref} exists in this project`);
  const id = newId();
  const now = ctx.clock().toISOString();
  await trx.insertInto('images').values({
    id, project_id: projectId, registry_id: registryId, ref, ...splitRef(ref), digest: '', os_family: '', os_version: '',
    last_scan_id: null, last_scan_at: null, critical: 0, high: 0, medium: 0, low: 0, unknown: 0, created_at: now, updated_at: now,
  }).execute();
  return id;
}

async function recountProject(trx: Tx, projectId: string, imageId?: string): Promise<void> {
  let q = trx.selectFrom('images').select('id').where('project_id', '=', projectId);
  if (imageId) q = q.where('id', '=', imageId);
  for (const im of await q.execute()) await recountImage(trx, projectId, im.id);
}

export function registerImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  const imgParams = params('projectId', 'imageId');

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { repository?: string; registry?: string; os?: string; minSeverity?: string; scanned?: boolean } }>('/api/v1/projects/:projectId/images', {
    config: { action: 'image:read', scope: 'project' },
    schema: {
      tags: ['images'], summary: 'List images with their OS, last scan and finding counts by severity', params: projectParams,
      querystring: { type: 'object', properties: { ...pageQuerySchema, repository: { type: 'string', maxLength: 300 }, registry: { type: 'string', maxLength: 300 }, os: { type: 'string', maxLength: 50 }, minSeverity: { type: 'string', enum: ['critical', 'high', 'medium', 'low'] }, scanned: { type: 'boolean' } }, additionalProperties: false },
    },
  }, async (req) => {
    const f = req.query;
    let q = db.selectFrom('images').selectAll().where('project_id', '=', req.params.projectId);
    if (f.repository) q = q.where('repository', '=', f.repository);
    if (f.registry) q = q.where('registry', '=', f.registry);
    if (f.os) q = q.where('os_family', '=', f.os);
    if (f.scanned !== undefined) q = q.where('last_scan_id', f.scanned ? 'is not' : 'is', null);
    if (f.minSeverity) {
      const cols = (['critical', 'high', 'medium', 'low'] as const).slice(0, ['critical', 'high', 'medium', 'low'].indexOf(f.minSeverity) + 1);
      q = q.where((eb) => eb.or(cols.map((c) => eb(c, '>', 0))));
    }
    const page = await pageOf(q, f, { ref: 'ref', repository: 'repository', critical: 'critical', high: 'high', createdAt: 'created_at' }, 'images');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.post<{ Params: { projectId: string }; Body: { ref: string; scan?: boolean } }>('/api/v1/projects/:projectId/images', {
    config: { action: 'image:create', scope: 'project', event: 'addImage' },
    schema: { tags: ['images'], summary: 'Add an image by reference (registry:HOST/REPO:TAG, docker-archive:PATH, ...); scan=true also scans it (scanPrivateImage)', params: projectParams, body: { type: 'object', properties: { ref: refSchema, scan: { type: 'boolean' } }, required: ['ref'], additionalProperties: false } },
  }, async (req, reply) => {
    const { projectId } = req.params;
    const r = await mutate(ctx, req, { resourceType: 'image', resourceId: (x: { id: string }) => x.id, projectId, summary: req.body }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      const id = await insertImage(ctx, trx, projectId, req.body.ref);
      return { id, scanId: req.body.scan ? await ctx.scans.create(trx, projectId, id, 'manual') : undefined };
    });
    if (r.scanId) await ctx.scans.dispatch([r.scanId]);
    return reply.code(201).send(r);
  });

  app.get<{ Params: { projectId: string; imageId: string } }>('/api/v1/projects/:projectId/images/:imageId', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['images'], summary: 'Read an image', params: imgParams },
  }, async (req) => toApi(await inProject(db, 'images', req.params.imageId, req.params.projectId, 'image')));

  app.delete<{ Params: { projectId: string; imageId: string } }>('/api/v1/projects/:projectId/images/:imageId', {
    config: { action: 'image:delete', scope: 'project', event: 'deleteImage' },
    schema: { tags: ['images'], summary: 'Remove an image with its scans and findings', params: imgParams },
  }, async (req) => {
    const { projectId, imageId } = req.params;
    await mutate(ctx, req, { resourceType: 'image', resourceId: imageId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('images').where('id', '=', imageId).where('project_id', '=', projectId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('image');
    });
    return { ok: true };
  });

  app.post<{ Params: { projectId: string; imageId: string } }>('/api/v1/projects/:projectId/images/:imageId/scan', {
    config: { action: 'image:scan', scope: 'project', event: 'scanPrivateImage' },
    schema: { tags: ['images'], summary: 'Scan an image now (scanPrivateImage)', params: imgParams },
  }, async (req, reply) => {
    const { projectId, imageId } = req.params;
    const scanId = await mutate(ctx, req, { resourceType: 'image', resourceId: imageId, projectId }, async (trx) => {
      if (!(await trx.selectFrom('images').select('id').where('id', '=', imageId).where('project_id', '=', projectId).executeTakeFirst())) throw notFound('image');
      return ctx.scans.create(trx, projectId, imageId, 'manual');
    });
    await ctx.scans.dispatch([scanId]);
    return reply.code(202).send({ scanId });
  });

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { imageId?: string; status?: string } }>('/api/v1/projects/:projectId/scans', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['scans'], summary: 'List scan jobs (status, progress, errors)', params: projectParams, querystring: { type: 'object', properties: { ...pageQuerySchema, imageId: { type: 'string', maxLength: 64 }, status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('scans').selectAll().where('project_id', '=', req.params.projectId);
    if (req.query.imageId) q = q.where('image_id', '=', req.query.imageId);
    if (req.query.status) q = q.where('status', '=', req.query.status);
    const page = await pageOf(q, req.query, { createdAt: 'created_at', status: 'status' }, 'scans');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.get<{ Params: { projectId: string; scanId: string } }>('/api/v1/projects/:projectId/scans/:scanId', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['scans'], summary: 'Read a scan job', params: params('projectId', 'scanId') },
  }, async (req) => toApi(await inProject(db, 'scans', req.params.scanId, req.params.projectId, 'scan')));

  app.get<{ Params: { projectId: string; imageId: string }; Querystring: PageQuery & { severity?: string; kind?: string; includeIgnored?: boolean; ruleId?: string; path?: string } }>('/api/v1/projects/:projectId/images/:imageId/findings', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['images'], summary: 'Findings of an image: vulnerabilities (kind vuln), malware, secret, baseline, file (unowned files); ignored vulnerabilities are marked. Secrets are stored and returned masked.', params: imgParams, querystring: { type: 'object', properties: { ...pageQuerySchema, severity: { type: 'string', maxLength: 20 }, kind: { type: 'string', enum: ['vuln', 'malware', 'secret', 'baseline', 'file'] }, ruleId: { type: 'string', maxLength: 300, description: 'vulnerability id, malware rule, secret rule, baseline check id' }, path: { type: 'string', maxLength: 4096, description: 'file path prefix (content findings)' }, includeIgnored: { type: 'boolean', default: true } }, additionalProperties: false } },
  }, async (req) => {
    const { projectId, imageId } = req.params;
    await inProject(db, 'images', imageId, projectId, 'image');
    let q = db.selectFrom('findings').selectAll().where('image_id', '=', imageId);
    if (req.query.severity) q = q.where('severity', '=', req.query.severity);
    if (req.query.kind) q = q.where('kind', '=', req.query.kind);
    if (req.query.ruleId) q = q.where('ref_id', '=', req.query.ruleId);
    if (req.query.path) q = q.where(sql`substr(path, 1, ${req.query.path.length})`, '=', req.query.path);
    const ignores = await db.selectFrom('vuln_ignores').selectAll().where('project_id', '=', projectId).where((eb) => eb.or([eb('image_id', 'is', null), eb('image_id', '=', imageId)])).execute();
    const page = await pageOf(q, req.query, { severity: 'severity', refId: 'ref_id', package: 'package' }, 'findings');
    const items = page.items.map((f) => {
      const ig = ignores.find((i) => i.vuln_id === f.ref_id && (i.package === '' || i.package === f.package));
      return { ...toApi(f), ignored: !!ig, ignoreReason: ig?.reason };
    }).filter((f) => req.query.includeIgnored !== false || !f.ignored);
    return { items, next: page.next };
  });

  app.get<{ Params: { projectId: string; imageId: string }; Querystring: PageQuery & { name?: string; type?: string } }>('/api/v1/projects/:projectId/images/:imageId/packages', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['images'], summary: 'Software list of an image', params: imgParams, querystring: { type: 'object', properties: { ...pageQuerySchema, name: { type: 'string', maxLength: 300 }, type: { type: 'string', maxLength: 20 } }, additionalProperties: false } },
  }, async (req) => {
    await inProject(db, 'images', req.params.imageId, req.params.projectId, 'image');
    let q = db.selectFrom('packages').selectAll().where('image_id', '=', req.params.imageId);
    if (req.query.name) q = q.where('name', '=', req.query.name);
    if (req.query.type) q = q.where('type', '=', req.query.type);
    const page = await pageOf(q, req.query, { name: 'name', type: 'type' }, 'packages');
    return { items: page.items.map(toApi), next: page.next };
  });

  // --- vulnerability ignores
  const ignoreBody = { type: 'object', properties: { vulnId: { type: 'string', minLength: 1, maxLength: 100 }, package: { type: 'string', maxLength: 300 }, reason: { type: 'string', maxLength: 1000 } }, required: ['vulnId'], additionalProperties: false } as const;
  type IgnoreBody = { vulnId: string; package?: string; reason?: string };

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { imageId?: string } }>('/api/v1/projects/:projectId/vuln-ignores', {
    config: { action: 'vuln:read', scope: 'project' },
    schema: { tags: ['vulnerabilities'], summary: 'List vulnerability ignores (project-wide and per image)', params: projectParams, querystring: { type: 'object', properties: { ...pageQuerySchema, imageId: { type: 'string', maxLength: 64 } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('vuln_ignores').selectAll().where('project_id', '=', req.params.projectId);
    if (req.query.imageId) q = q.where('image_id', '=', req.query.imageId);
    const page = await pageOf(q, req.query, { vulnId: 'vuln_id' }, 'vuln_ignores');
    return { items: page.items.map(toApi), next: page.next };
  });

  async function addIgnore(trx: Tx, req: { auth?: { username: string } }, projectId: string, imageId: string | null, b: IgnoreBody): Promise<string> {
    const id = newId();
    await trx.insertInto('vuln_ignores').values({ id, project_id: projectId, image_id: imageId, vuln_id: b.vulnId, package: b.package ?? '', reason: b.reason ?? '', created_by: req.auth?.username ?? '', created_at: ctx.clock().toISOString() }).execute();
    await recountProject(trx, projectId, imageId ?? undefined);
    return id;
  }

  app.post<{ Params: { projectId: string }; Body: IgnoreBody }>('/api/v1/projects/:projectId/vuln-ignores', {
    config: { action: 'vuln:ignore', scope: 'project', event: 'ignoreVul' },
    schema: { tags: ['vulnerabilities'], summary: 'Ignore a vulnerability for all images of the project (ignoreVul)', params: projectParams, body: ignoreBody },
  }, async (req, reply) => {
    const { projectId } = req.params;
    const id = await mutate(ctx, req, { resourceType: 'vuln-ignore', resourceId: (r: string) => r, projectId, summary: req.body }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      return addIgnore(trx, req, projectId, null, req.body);
    });
    return reply.code(201).send({ id });
  });

  app.delete<{ Params: { projectId: string; ignoreId: string } }>('/api/v1/projects/:projectId/vuln-ignores/:ignoreId', {
    config: { action: 'vuln:ignore', scope: 'project', event: 'cancelIgnoreVul' },
    schema: { tags: ['vulnerabilities'], summary: 'Cancel a project-wide ignore (cancelIgnoreVul)', params: params('projectId', 'ignoreId') },
  }, async (req) => {
    const { projectId, ignoreId } = req.params;
    await mutate(ctx, req, { resourceType: 'vuln-ignore', resourceId: ignoreId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('vuln_ignores').where('id', '=', ignoreId).where('project_id', '=', projectId).where('image_id', 'is', null).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('ignore');
      await recountProject(trx, projectId);
    });
    return { ok: true };
  });

  app.post<{ Params: { projectId: string; imageId: string }; Body: IgnoreBody }>('/api/v1/projects/:projectId/images/:imageId/vuln-ignores', {
    config: { action: 'vuln:ignore', scope: 'project', event: 'ignoreImageVul' },
    schema: { tags: ['vulnerabilities'], summary: 'Ignore a vulnerability for one image (ignoreImageVul)', params: imgParams, body: ignoreBody },
  }, async (req, reply) => {
    const { projectId, imageId } = req.params;
    const id = await mutate(ctx, req, { resourceType: 'vuln-ignore', resourceId: (r: string) => r, projectId, summary: { ...req.body, imageId } }, async (trx) => {
      if (!(await trx.selectFrom('images').select('id').where('id', '=', imageId).where('project_id', '=', projectId).executeTakeFirst())) throw notFound('image');
      return addIgnore(trx, req, projectId, imageId, req.body);
    });
    return reply.code(201).send({ id });
  });

  app.delete<{ Params: { projectId: string; imageId: string; ignoreId: string } }>('/api/v1/projects/:projectId/images/:imageId/vuln-ignores/:ignoreId', {
    config: { action: 'vuln:ignore', scope: 'project', event: 'cancelIgnoreImageVul' },
    schema: { tags: ['vulnerabilities'], summary: 'Cancel an image ignore (cancelIgnoreImageVul)', params: params('projectId', 'imageId', 'ignoreId') },
  }, async (req) => {
    const { projectId, imageId, ignoreId } = req.params;
    await mutate(ctx, req, { resourceType: 'vuln-ignore', resourceId: ignoreId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('vuln_ignores').where('id', '=', ignoreId).where('project_id', '=', projectId).where('image_id', '=', imageId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('ignore');
      await recountProject(trx, projectId, imageId);
    });
    return { ok: true };
  });
}
