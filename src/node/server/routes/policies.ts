// Security policies of a project: process whitelist and file protection
// (documents in the runtime policy model of src/core/policy/model.ts, so
// agents can receive them as they are) and image admission; add, modify,
// delete (addPolicy / modifyPolicy / deletePolicy) and apply to images
// (imageApplyPolicy).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { newId } from '../../store/ids.js';
import { mutate } from '../mutate.js';
import { badRequest, notFound } from '../http-errors.js';
import { pageOf, pageQuerySchema, type PageQuery } from '../list-query.js';
import { inProject, params, projectParams, toApi } from './common.js';
import { validatePolicyDocument } from '../../../core/policy/model.js';
import { InputError } from '../../../core/errors.js';
import { validateAdmissionPolicy } from '../../../core/admission/policy.js';

export const POLICY_KINDS = ['process-whitelist', 'file-protection', 'image-admission'] as const;
type Kind = (typeof POLICY_KINDS)[number];

/** Validates a policy document for its kind; returns the document to store. */
export function checkPolicyDocument(kind: Kind, name: string, mode: string, doc: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'image-admission') {
    // The document is an admission policy (src/core/admission/policy.ts) whose name and mode are the row's.
    try {
      validateAdmissionPolicy({ ...doc, name, mode }, 'document');
    } catch (e) {
      if (e instanceof InputError) throw badRequest('POLICY_INVALID', e.message);
      throw e;
    }
    const { name: _n, mode: _m, ...rest } = doc;
    return rest;
  }
  if (mode !== 'alert' && mode !== 'enforce') throw badRequest('POLICY_INVALID', `mode: must be alert or enforce for a ${kind} policy`);
  const section = kind === 'process-whitelist' ? 'processWhitelist' : 'fileProtection';
  if (doc[section] === undefined) throw badRequest('POLICY_INVALID', `document.${section} is required for a ${kind} policy`);
  // The runtime model needs a selector; images applied later extend it.
  const candidate = { ...doc, name, mode, selector: doc.selector ?? { images: ['*'] } };
  try {
    validatePolicyDocument({ policies: [candidate] }, 'document');
  } catch (e) {
    if (e instanceof InputError) throw badRequest('POLICY_INVALID', e.message);
    throw e;
  }
  return doc;
}

const bodyProps = {
  name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
  kind: { type: 'string', enum: [...POLICY_KINDS] },
  mode: { type: 'string', enum: ['alert', 'enforce', 'warn', 'audit'] },
  document: { type: 'object', maxProperties: 20 },
} as const;

export function registerPolicyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  const polParams = params('projectId', 'policyId');

  app.get<{ Params: { projectId: string }; Querystring: PageQuery & { kind?: string } }>('/api/v1/projects/:projectId/policies', {
    config: { action: 'policy:read', scope: 'project' },
    schema: { tags: ['policies'], summary: 'List policies', params: projectParams, querystring: { type: 'object', properties: { ...pageQuerySchema, kind: { type: 'string', enum: [...POLICY_KINDS] } }, additionalProperties: false } },
  }, async (req) => {
    let q = db.selectFrom('policies').selectAll().where('project_id', '=', req.params.projectId);
    if (req.query.kind) q = q.where('kind', '=', req.query.kind);
    const page = await pageOf(q, req.query, { name: 'name', updatedAt: 'updated_at' }, 'policies');
    return { items: page.items.map(toApi), next: page.next };
  });

  app.post<{ Params: { projectId: string }; Body: { name: string; kind: Kind; mode?: string; document: Record<string, unknown> } }>('/api/v1/projects/:projectId/policies', {
    config: { action: 'policy:create', scope: 'project', event: 'addPolicy' },
    schema: { tags: ['policies'], summary: 'Add a policy (addPolicy)', params: projectParams, body: { type: 'object', properties: bodyProps, required: ['name', 'kind', 'document'], additionalProperties: false } },
  }, async (req, reply) => {
    const { projectId } = req.params;
    const b = req.body;
    // An admission policy file posted as it is carries its own mode.
    const mode = b.mode ?? (b.kind === 'image-admission' && typeof b.document.mode === 'string' ? b.document.mode : 'alert');
    const doc = checkPolicyDocument(b.kind, b.name, mode, b.document);
    const id = await mutate(ctx, req, { resourceType: 'policy', resourceId: (r: string) => r, projectId, summary: { name: b.name, kind: b.kind, mode } }, async (trx) => {
      if (!(await trx.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst())) throw notFound('project');
      const pid = newId();
      const now = ctx.clock().toISOString();
      await trx.insertInto('policies').values({ id: pid, project_id: projectId, name: b.name, kind: b.kind, mode, document: JSON.stringify(doc), created_at: now, updated_at: now }).execute();
      return pid;
    });
    return reply.code(201).send({ id });
  });

  app.get<{ Params: { projectId: string; policyId: string } }>('/api/v1/projects/:projectId/policies/:policyId', {
    config: { action: 'policy:read', scope: 'project' },
    schema: { tags: ['policies'], summary: 'Read a policy with the images it applies to', params: polParams },
  }, async (req) => {
    const p = await inProject(db, 'policies', req.params.policyId, req.params.projectId, 'policy');
    const images = await db.selectFrom('policy_images').innerJoin('images', 'images.id', 'policy_images.image_id').select(['images.id', 'images.ref']).where('policy_images.policy_id', '=', p.id).execute();
    return { ...toApi(p), images };
  });

  app.patch<{ Params: { projectId: string; policyId: string }; Body: { mode?: string; document?: Record<string, unknown> } }>('/api/v1/projects/:projectId/policies/:policyId', {
    config: { action: 'policy:update', scope: 'project', event: 'modifyPolicy' },
    schema: { tags: ['policies'], summary: 'Change a policy (modifyPolicy)', params: polParams, body: { type: 'object', properties: { mode: bodyProps.mode, document: bodyProps.document }, additionalProperties: false, minProperties: 1 } },
  }, async (req) => {
    const { projectId, policyId } = req.params;
    const p = await inProject(db, 'policies', policyId, projectId, 'policy');
    const mode = req.body.mode ?? p.mode;
    const doc = checkPolicyDocument(p.kind, p.name, mode, req.body.document ?? JSON.parse(p.document));
    await mutate(ctx, req, { resourceType: 'policy', resourceId: policyId, projectId, summary: req.body }, async (trx) => {
      await trx.updateTable('policies').set({ mode, document: JSON.stringify(doc), updated_at: ctx.clock().toISOString() }).where('id', '=', policyId).execute();
    });
    return { ok: true };
  });

  app.delete<{ Params: { projectId: string; policyId: string } }>('/api/v1/projects/:projectId/policies/:policyId', {
    config: { action: 'policy:delete', scope: 'project', event: 'deletePolicy' },
    schema: { tags: ['policies'], summary: 'Delete a policy (deletePolicy)', params: polParams },
  }, async (req) => {
    const { projectId, policyId } = req.params;
    await mutate(ctx, req, { resourceType: 'policy', resourceId: policyId, projectId }, async (trx) => {
      const r = await trx.deleteFrom('policies').where('id', '=', policyId).where('project_id', '=', projectId).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('policy');
    });
    return { ok: true };
  });

  app.post<{ Params: { projectId: string; policyId: string }; Body: { imageIds: string[] } }>('/api/v1/projects/:projectId/policies/:policyId/images', {
    config: { action: 'policy:apply', scope: 'project', event: 'imageApplyPolicy' },
    schema: { tags: ['policies'], summary: 'Apply a policy to images (imageApplyPolicy)', params: polParams, body: { type: 'object', properties: { imageIds: { type: 'array', items: { type: 'string', maxLength: 64 }, minItems: 1, maxItems: 1000 } }, required: ['imageIds'], additionalProperties: false } },
  }, async (req) => {
    const { projectId, policyId } = req.params;
    await mutate(ctx, req, { resourceType: 'policy', resourceId: policyId, projectId, summary: req.body }, async (trx) => {
      if (!(await trx.selectFrom('policies').select('id').where('id', '=', policyId).where('project_id', '=', projectId).executeTakeFirst())) throw notFound('policy');
      const found = await trx.selectFrom('images').select('id').where('project_id', '=', projectId).where('id', 'in', req.body.imageIds).execute();
      if (found.length !== new Set(req.body.imageIds).size) throw notFound('image');
      const now = ctx.clock().toISOString();
      await trx.insertInto('policy_images').values(found.map((f) => ({ policy_id: policyId, image_id: f.id, created_at: now })))
        .onConflict((oc) => oc.columns(['policy_id', 'image_id']).doNothing()).execute();
    });
    return { ok: true };
  });
}
