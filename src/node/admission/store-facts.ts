// Admission data from the server's store: a project's image-admission
// policies (validated into the model of src/core/admission) and the facts of
// an image (last scan, not-ignored vulnerability counts, fixable counts,
// malware and secret findings), found by digest or by registry/repository/tag.
// The API routes, and through them the webhook and the Docker plugin, use it.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ImageFacts } from '../../core/admission/decide.js';
import type { ImageRef } from '../../core/admission/image-ref.js';
import { validateAdmissionPolicy, type AdmissionPolicy } from '../../core/admission/policy.js';

export async function loadAdmissionPolicies(db: Kysely<Database>, projectId: string): Promise<AdmissionPolicy[]> {
  const rows = await db.selectFrom('policies').select(['name', 'mode', 'document']).where('project_id', '=', projectId).where('kind', '=', 'image-admission').orderBy('name').execute();
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
  const ignores = await db.selectFrom('vuln_ignores').select(['vuln_id', 'package']).where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('image_id', 'is', null), eb('image_id', '=', img.id)])).execute();
  const rows = await db.selectFrom('findings').select(['kind', 'ref_id', 'package', 'severity', 'fixed_version']).where('image_id', '=', img.id)
    .where((eb) => eb.or([eb('kind', '!=', 'vuln'), eb('severity', 'in', ['critical', 'high'])])).execute();
  const v = { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 };
  let malware = 0;
  let secrets = 0;
  for (const r of rows) {
    if (r.kind === 'malware') malware++;
    else if (r.kind === 'secret') secrets++;
    else if (r.kind === 'vuln') {
      if (ignores.some((i) => i.vuln_id === r.ref_id && (i.package === '' || i.package === r.package))) continue;
      const fixable = r.fixed_version !== '';
      if (r.severity === 'critical') { v.critical++; if (fixable) v.criticalFixable++; }
      else { v.high++; if (fixable) v.highFixable++; }
    }
  }
  facts.vulnerabilities = v;
  facts.malware = malware;
  facts.secrets = secrets;
  return facts;
}
