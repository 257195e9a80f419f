// Admission for a project: the image-admission policies in the model the
// webhook and the Docker plugin evaluate, the facts of an image, and the
// "what would happen" evaluation of a pod/workload object or an image
// against the project's policies (or draft policies given in the request).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { badRequest } from '../http-errors.js';
import { auditOnly } from '../../store/audit-log.js';
import { actorOf } from '../auth-hook.js';
import { projectParams } from './common.js';
import { InputError } from '../../../core/errors.js';
import { parseImageRef, type ImageRef } from '../../../core/admission/image-ref.js';
import { decideAdmission, type ImageFacts } from '../../../core/admission/decide.js';
import { validateAdmissionPolicies, type AdmissionPolicy } from '../../../core/admission/policy.js';
import { k8sWorkloadSpecs } from '../../../core/checks/k8s-workload.js';
import type { ContainerSpec } from '../../../core/checks/spec.js';
import { imageFactsFromStore, loadAdmissionPolicies } from '../../admission/store-facts.js';

function input<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw badRequest(e.code, e.message);
    throw e;
  }
}

export function registerAdmissionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;

  app.get<{ Params: { projectId: string } }>('/api/v1/projects/:projectId/admission/policies', {
    config: { action: 'policy:read', scope: 'project' },
    schema: { tags: ['admission'], summary: 'The image-admission policies of the project, in the evaluated model', params: projectParams },
  }, async (req) => ({ policies: await loadAdmissionPolicies(db, req.params.projectId) }));

  app.get<{ Params: { projectId: string }; Querystring: { image: string } }>('/api/v1/projects/:projectId/admission/image-facts', {
    config: { action: 'image:read', scope: 'project' },
    schema: { tags: ['admission'], summary: 'What scans know about an image (by digest or registry/repository:tag): the input of admission decisions', params: projectParams, querystring: { type: 'object', properties: { image: { type: 'string', minLength: 1, maxLength: 1000 } }, required: ['image'], additionalProperties: false } },
  }, async (req) => {
    const ref = input(() => parseImageRef(req.query.image, 'image'));
    return { image: ref.full, facts: (await imageFactsFromStore(db, req.params.projectId, ref)) ?? null };
  });

  app.post<{ Params: { projectId: string }; Body: { object?: Record<string, unknown>; image?: string; namespace?: string; labels?: Record<string, string>; target?: 'kubernetes' | 'docker'; policies?: unknown[] } }>('/api/v1/projects/:projectId/admission/evaluate', {
    config: { action: 'admission:evaluate', scope: 'project', event: 'evaluateAdmission' },
    bodyLimit: 2 * 1024 * 1024,
    schema: {
      tags: ['admission'], summary: 'What would happen: evaluate a pod or workload object, or an image, against the admission policies (changes nothing)', params: projectParams,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: {
          object: { type: 'object' }, image: { type: 'string', minLength: 1, maxLength: 1000 }, namespace: { type: 'string', maxLength: 253 },
          labels: { type: 'object', maxProperties: 50, additionalProperties: { type: 'string', maxLength: 500 } },
          target: { type: 'string', enum: ['kubernetes', 'docker'] }, policies: { type: 'array', minItems: 1, maxItems: 50 },
        },
      },
    },
  }, async (req) => {
    const { projectId } = req.params;
    const b = req.body;
    if (!b.object === !b.image) throw badRequest('ADMISSION_INPUT', 'give object (a Pod or workload) or image, one of them');
    const policies: AdmissionPolicy[] = b.policies ? input(() => validateAdmissionPolicies(b.policies, 'policies')) : await loadAdmissionPolicies(db, projectId);
    let specs: ContainerSpec[];
    if (b.object) {
      const meta = (b.object.metadata ?? {}) as Record<string, unknown>;
      const obj = b.namespace ? { ...b.object, metadata: { ...meta, namespace: b.namespace } } : b.object;
      specs = input(() => k8sWorkloadSpecs(obj, 'object').specs);
      if (!specs.length) throw badRequest('ADMISSION_INPUT', 'object: not a Pod or a workload with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)');
    } else {
      input(() => parseImageRef(b.image!, 'image'));
      const s: ContainerSpec = { kind: 'Image', name: b.image!, container: 'image', image: b.image!, privileged: false, capAdd: [], mounts: [], hostPID: false, hostNetwork: false, hostIPC: false };
      if (b.namespace) s.namespace = b.namespace;
      if (b.labels) s.labels = b.labels;
      specs = [s];
    }
    // Facts are looked up before deciding (the decision is synchronous and pure).
    const facts = new Map<string, ImageFacts | undefined>();
    for (const s of specs) {
      if (!s.image) continue;
      let ref: ImageRef;
      try {
        ref = parseImageRef(s.image);
      } catch {
        continue;
      }
      if (!facts.has(ref.full)) facts.set(ref.full, await imageFactsFromStore(db, projectId, ref));
    }
    const d = decideAdmission(policies, { target: b.target ?? 'kubernetes', specs }, (ref) => facts.get(ref.full), ctx.clock().getTime());
    // Changes nothing, but who asked what would happen is on the trail (like every POST).
    await auditOnly(ctx.store, actorOf(req), { event: 'evaluateAdmission', projectId, resourceType: 'admission', resourceId: '', summary: { image: b.image ?? null, kind: b.object?.kind ?? null, allowed: d.allowed, denied: d.denied.length } });
    return { allowed: d.allowed, policies: d.policies, denied: d.denied, warnings: d.warnings, audited: d.audited };
  });
}
