// Admission for a project, from the server's store: its image-admission
// policies (validated into the model of src/core/admission), the facts of an
// image (last scan, not-ignored vulnerability counts, fixable counts, malware
// and secret findings, found by digest or by registry/repository/tag), and the
// "what would happen" evaluation of a pod/workload object or an image against
// the project's policies (or draft policies given in the request). The API
// routes, and through them the webhook and the Docker plugin, use it.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { decideAdmission, type ImageFacts } from '../../core/admission/decide.js';
import { parseImageRef, type ImageRef } from '../../core/admission/image-ref.js';
import { validateAdmissionPolicies, validateAdmissionPolicy, type AdmissionPolicy } from '../../core/admission/policy.js';
import { k8sWorkloadSpecs } from '../../core/checks/k8s-workload.js';
import { plainContainerSpec, type ContainerSpec } from '../../core/checks/spec.js';
import { auditOnly } from '../store/audit-log.js';
import { badRequest } from './errors.js';
import type { Caller, ServiceDeps } from './common.js';
import { policiesOfKind } from './policies.js';

export async function loadAdmissionPolicies(db: Kysely<Database>, projectId: string): Promise<AdmissionPolicy[]> {
  const rows = await policiesOfKind(db, projectId, 'image-admission');
  // Stored documents were validated on write; a row that no longer validates (older model) is skipped, not fatal.
  const out: AdmissionPolicy[] = [];
  for (const r of rows) {
    try {
      out.push(validateAdmissionPolicy({ ...JSON.parse(r.document), name: r.name, mode: r.mode }, `policy ${r.name}`));
    } catch {
      continue;
    }
  }
  return out;
}

export async function imageFactsFromStore(db: Kysely<Database>, projectId: string, ref: ImageRef): Promise<ImageFacts | undefined> {
  let q = db.selectFrom('images').select(['id', 'digest', 'last_scan_id', 'last_scan_at']).where('project_id', '=', projectId);
  if (ref.digest) q = q.where('digest', '=', ref.digest);
  else {
    // Images added as registry:docker.io/nginx:1 or registry:docker.io/library/nginx:1 are the same image.
    const repos = ref.registry === 'docker.io' && ref.repository.startsWith('library/') ? [ref.repository, ref.repository.slice(8)] : [ref.repository];
    const registries = ref.registry === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [ref.registry];
    q = q.where('registry', 'in', registries).where('repository', 'in', repos).where('tag', '=', ref.tag);
  }
  const img = await q.orderBy('last_scan_at', 'desc').executeTakeFirst();
  if (!img) return undefined;
  const facts: ImageFacts = { scanned: img.last_scan_id !== null };
  if (img.digest) facts.digest = img.digest;
  if (!facts.scanned) return facts;
  if (img.last_scan_at) facts.scannedAt = img.last_scan_at;
  const ignores = await db
    .selectFrom('vuln_ignores')
    .select(['vuln_id', 'package'])
    .where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('image_id', 'is', null), eb('image_id', '=', img.id)]))
    .execute();
  const rows = await db
    .selectFrom('findings')
    .select(['kind', 'ref_id', 'package', 'severity', 'fixed_version'])
    .where('image_id', '=', img.id)
    .where((eb) => eb.or([eb('kind', '!=', 'vuln'), eb('severity', 'in', ['critical', 'high'])]))
    .execute();
  const v = { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 };
  let malware = 0;
  let secrets = 0;
  for (const r of rows) {
    if (r.kind === 'malware') malware++;
    else if (r.kind === 'secret') secrets++;
    else if (r.kind === 'vuln') {
      if (ignores.some((i) => i.vuln_id === r.ref_id && (i.package === '' || i.package === r.package))) continue;
      const fixable = r.fixed_version !== '';
      if (r.severity === 'critical') {
        v.critical++;
        if (fixable) v.criticalFixable++;
      } else {
        v.high++;
        if (fixable) v.highFixable++;
      }
    }
  }
  facts.vulnerabilities = v;
  facts.malware = malware;
  facts.secrets = secrets;
  return facts;
}

export async function listAdmissionPolicies(s: ServiceDeps, projectId: string): Promise<AdmissionPolicy[]> {
  return loadAdmissionPolicies(s.store.db, projectId);
}

export async function imageFacts(s: ServiceDeps, projectId: string, image: string): Promise<{ image: string; facts: ImageFacts | null }> {
  const ref = parseImageRef(image, 'image');
  return { image: ref.full, facts: (await imageFactsFromStore(s.store.db, projectId, ref)) ?? null };
}

export interface EvaluateRequest {
  object?: Record<string, unknown>;
  image?: string;
  namespace?: string;
  labels?: Record<string, string>;
  target?: 'kubernetes' | 'docker';
  policies?: unknown[];
}

/** What would happen: changes nothing, but who asked is on the trail (like every POST). */
export async function evaluateAdmission(s: ServiceDeps, by: Caller, projectId: string, b: EvaluateRequest) {
  const db = s.store.db;
  if (!b.object === !b.image) throw badRequest('ADMISSION_INPUT', 'give object (a Pod or workload) or image, one of them');
  const policies: AdmissionPolicy[] = b.policies ? validateAdmissionPolicies(b.policies, 'policies') : await loadAdmissionPolicies(db, projectId);
  let specs: ContainerSpec[];
  if (b.object) {
    const meta = (b.object.metadata ?? {}) as Record<string, unknown>;
    const obj = b.namespace ? { ...b.object, metadata: { ...meta, namespace: b.namespace } } : b.object;
    specs = k8sWorkloadSpecs(obj, 'object').specs;
    if (!specs.length)
      throw badRequest('ADMISSION_INPUT', 'object: not a Pod or a workload with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)');
  } else {
    parseImageRef(b.image!, 'image');
    const spec = plainContainerSpec({ kind: 'Image', name: b.image!, container: 'image', image: b.image! });
    if (b.namespace) spec.namespace = b.namespace;
    if (b.labels) spec.labels = b.labels;
    specs = [spec];
  }
  // Facts are looked up before deciding (the decision is synchronous and pure).
  const facts = new Map<string, ImageFacts | undefined>();
  for (const spec of specs) {
    if (!spec.image) continue;
    let ref: ImageRef;
    try {
      ref = parseImageRef(spec.image);
    } catch {
      continue;
    }
    if (!facts.has(ref.full)) facts.set(ref.full, await imageFactsFromStore(db, projectId, ref));
  }
  const d = decideAdmission(policies, { target: b.target ?? 'kubernetes', specs }, (ref) => facts.get(ref.full), s.clock().getTime());
  await auditOnly(s.store, by.actor, {
    event: by.event,
    projectId,
    resourceType: 'admission',
    resourceId: '',
    summary: { image: b.image ?? null, kind: b.object?.kind ?? null, allowed: d.allowed, denied: d.denied.length },
  });
  return { allowed: d.allowed, policies: d.policies, denied: d.denied, warnings: d.warnings, audited: d.audited };
}
