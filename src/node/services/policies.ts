// Security policies of a project: process whitelist and file protection
// (documents in the runtime policy model of src/core/policy/model.ts, so
// agents can receive them as they are), image admission and detection
// (src/core/policy/detection.ts; read back as a policy file and as the
// effective configuration by ./detection.ts); add, modify, delete
// (addPolicy / modifyPolicy / deletePolicy) and apply to images
// (imageApplyPolicy).
import { validatePolicyDocument } from '../../core/policy/model.js';
import { InputError } from '../../core/errors.js';
import { validateAdmissionPolicy } from '../../core/admission/policy.js';
import { validateDetectionPolicy } from '../../core/policy/detection.js';
import { DetectionTuning } from '../../core/rules/tuning.js';
import type { Db } from '../store/store.js';
import { newId } from '../store/ids.js';
import { badRequest, notFound } from './errors.js';
import { mutate } from './mutate.js';
import { mapPage, pageOf, type Page, type PageQuery } from './page.js';
import { deleteFromProject, inProject, published, requireInProject, requireProject, toApi, type Caller, type ServiceDeps } from './common.js';

type Api = Record<string, unknown>;

export const POLICY_KINDS = ['process-whitelist', 'file-protection', 'image-admission', 'detection'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** Validates a policy document for its kind; returns the document to store. */
export function checkPolicyDocument(kind: PolicyKind, name: string, mode: string, doc: Record<string, unknown>): Record<string, unknown> {
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
  if (kind === 'detection') {
    // The document is one detection policy whose name is the row's; it only tunes alerts, so its mode is alert.
    if (mode !== 'alert') throw badRequest('POLICY_INVALID', 'mode: a detection policy tunes alerts; its mode is alert');
    const { name: _n, ...rest } = doc;
    try {
      new DetectionTuning([validateDetectionPolicy({ ...rest, name }, 'document')], 'document');
    } catch (e) {
      if (e instanceof InputError) throw badRequest('POLICY_INVALID', e.message);
      throw e;
    }
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

/** A project's policies of one kind (what the admission and detection services read), ordered by name. */
export async function policiesOfKind(
  db: Db,
  projectId: string,
  kind: PolicyKind,
): Promise<Array<{ id: string; name: string; mode: string; document: string }>> {
  return db
    .selectFrom('policies')
    .select(['id', 'name', 'mode', 'document'])
    .where('project_id', '=', projectId)
    .where('kind', '=', kind)
    .orderBy('name')
    .execute();
}

export async function listPolicies(s: ServiceDeps, projectId: string, q: PageQuery & { kind?: string }): Promise<Page<Api>> {
  let qb = s.store.db.selectFrom('policies').selectAll().where('project_id', '=', projectId);
  if (q.kind) qb = qb.where('kind', '=', q.kind);
  return mapPage(await pageOf(qb, q, { name: 'name', updatedAt: 'updated_at' }, 'policies'), toApi);
}

export async function addPolicy(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  b: { name: string; kind: PolicyKind; mode?: string; document: Record<string, unknown> },
): Promise<{ id: string }> {
  // An admission policy file posted as it is carries its own mode.
  const mode = b.mode ?? (b.kind === 'image-admission' && typeof b.document.mode === 'string' ? b.document.mode : 'alert');
  const doc = checkPolicyDocument(b.kind, b.name, mode, b.document);
  const id = await mutate(
    s,
    by,
    { resourceType: 'policy', resourceId: (r: string) => r, projectId, summary: { name: b.name, kind: b.kind, mode } },
    async (trx) => {
      await requireProject(trx, projectId);
      const pid = newId();
      const now = s.clock().toISOString();
      await trx
        .insertInto('policies')
        .values({ id: pid, project_id: projectId, name: b.name, kind: b.kind, mode, document: JSON.stringify(doc), created_at: now, updated_at: now })
        .execute();
      return pid;
    },
  );
  published(s, 'policies', projectId);
  return { id };
}

/** A policy with the images it applies to. */
export async function getPolicy(s: ServiceDeps, projectId: string, policyId: string): Promise<Api> {
  const p = await inProject(s.store.db, 'policies', policyId, projectId, 'policy');
  const images = await s.store.db
    .selectFrom('policy_images')
    .innerJoin('images', 'images.id', 'policy_images.image_id')
    .select(['images.id', 'images.ref'])
    .where('policy_images.policy_id', '=', p.id)
    .execute();
  return { ...toApi(p), images };
}

export async function updatePolicy(
  s: ServiceDeps,
  by: Caller,
  projectId: string,
  policyId: string,
  b: { mode?: string; document?: Record<string, unknown> },
): Promise<void> {
  const p = await inProject(s.store.db, 'policies', policyId, projectId, 'policy');
  const mode = b.mode ?? p.mode;
  const doc = checkPolicyDocument(p.kind, p.name, mode, b.document ?? JSON.parse(p.document));
  await mutate(s, by, { resourceType: 'policy', resourceId: policyId, projectId, summary: b }, async (trx) => {
    if (p.kind === 'detection' && doc.thresholds !== undefined) {
      const applied = await trx.selectFrom('policy_images').select('image_id').where('policy_id', '=', policyId).executeTakeFirst();
      if (applied) throw badRequest('POLICY_INVALID', 'document.thresholds: thresholds apply to the whole project; this policy is applied to images');
    }
    await trx
      .updateTable('policies')
      .set({ mode, document: JSON.stringify(doc), updated_at: s.clock().toISOString() })
      .where('id', '=', policyId)
      .execute();
  });
  published(s, 'policies', projectId);
}

export async function deletePolicy(s: ServiceDeps, by: Caller, projectId: string, policyId: string): Promise<void> {
  await deleteFromProject(s, by, 'policies', 'policy', projectId, policyId);
  published(s, 'policies', projectId);
}

/** Applies a policy to images of its project (imageApplyPolicy); applying twice is a no-op. */
export async function applyPolicy(s: ServiceDeps, by: Caller, projectId: string, policyId: string, imageIds: string[]): Promise<void> {
  await mutate(s, by, { resourceType: 'policy', resourceId: policyId, projectId, summary: { imageIds } }, async (trx) => {
    await requireInProject(trx, 'policies', policyId, projectId, 'policy');
    const p = await trx.selectFrom('policies').select(['kind', 'document']).where('id', '=', policyId).executeTakeFirstOrThrow();
    if (p.kind === 'detection' && (JSON.parse(p.document) as { thresholds?: unknown }).thresholds !== undefined)
      throw badRequest('POLICY_INVALID', 'document.thresholds: thresholds apply to the whole project; a policy with thresholds cannot be applied to images');
    const found = await trx.selectFrom('images').select('id').where('project_id', '=', projectId).where('id', 'in', imageIds).execute();
    if (found.length !== new Set(imageIds).size) throw notFound('image');
    const now = s.clock().toISOString();
    await trx
      .insertInto('policy_images')
      .values(found.map((f) => ({ policy_id: policyId, image_id: f.id, created_at: now })))
      .onConflict((oc) => oc.columns(['policy_id', 'image_id']).doNothing())
      .execute();
  });
  published(s, 'policies', projectId);
}
