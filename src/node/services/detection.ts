// Detection policies of a project (policies of kind `detection`, product.md
// policy.detection): the policy file agents and `--policy` read (the rows'
// documents in the file form, with the images each policy was applied to
// added to its scope), and the effective configuration they make. Adding,
// changing, deleting and applying them is the policies service's
// (addPolicy / modifyPolicy / deletePolicy / imageApplyPolicy).
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { DETECTION_API_VERSION, DETECTION_KIND, validateDetectionPolicy, type DetectionPolicy } from '../../core/policy/detection.js';
import { effectiveDetection } from '../rules/effective.js';
import type { EffectiveConfig } from '../../core/rules/tuning.js';
import type { ServiceDeps } from './common.js';
import { policiesOfKind } from './policies.js';
import { agentIntel, listRules, type FeedThreatIps } from './intel.js';
import { DEFAULT_THREAT_IPS } from '../../core/rules/threat-ips.js';

/** The runtime image reference of a stored image (`registry/repository:tag`), or undefined for an archive or a directory. */
function runtimeRef(img: { registry: string; repository: string; tag: string }): string | undefined {
  if (!img.registry || !img.repository) return undefined;
  return `${img.registry}/${img.repository}${img.tag ? `:${img.tag}` : ''}`;
}

export interface DetectionPolicyFile {
  apiVersion: string;
  kind: typeof DETECTION_KIND;
  policies: Array<Record<string, unknown>>;
}

/** The project's detection policies as a policy file (documents as written), ordered by name; applied images extend each scope. */
export async function detectionPolicyFileOf(db: Kysely<Database>, projectId: string): Promise<DetectionPolicyFile> {
  const rows = await policiesOfKind(db, projectId, 'detection');
  const applied = rows.length
    ? await db
        .selectFrom('policy_images')
        .innerJoin('images', 'images.id', 'policy_images.image_id')
        .select(['policy_images.policy_id', 'images.registry', 'images.repository', 'images.tag'])
        .where(
          'policy_images.policy_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute()
    : [];
  const policies = rows.map((r) => {
    const doc = JSON.parse(r.document) as Record<string, unknown>;
    const refs = applied
      .filter((a) => a.policy_id === r.id)
      .map(runtimeRef)
      .filter((x): x is string => !!x);
    if (refs.length) {
      const scope = { ...((doc.scope as Record<string, unknown> | undefined) ?? {}) };
      scope.images = [...new Set([...((scope.images as string[] | undefined) ?? []), ...refs])].sort();
      doc.scope = scope;
    }
    return { name: r.name, ...doc };
  });
  return { apiVersion: DETECTION_API_VERSION, kind: DETECTION_KIND, policies };
}

/** The validated policies of the file form (a stored row that no longer validates, from an older model, is skipped). */
function validated(file: DetectionPolicyFile): DetectionPolicy[] {
  const out: DetectionPolicy[] = [];
  for (const p of file.policies) {
    try {
      out.push(validateDetectionPolicy(p, `policy ${String(p.name)}`));
    } catch {
      continue;
    }
  }
  return out;
}

export async function detectionPolicyFile(s: ServiceDeps, projectId: string): Promise<DetectionPolicyFile> {
  return detectionPolicyFileOf(s.store.db, projectId);
}

/** What is enabled in the project, with which thresholds and allowlists, and which policy each setting comes from. */
export async function effectiveDetectionOf(
  s: ServiceDeps,
  projectId: string,
  feed?: FeedThreatIps,
): Promise<EffectiveConfig & { customRules: Array<Record<string, unknown>>; threatIps: Record<string, number> }> {
  // What the project's agents get from the server: its enabled rule files and the threat-IP entries (services/intel.ts).
  const intel = await agentIntel(s.store.db, projectId, feed);
  const {
    rulesets: _r,
    ruleSources: _s,
    ...eff
  } = await effectiveDetection(validated(await detectionPolicyFileOf(s.store.db, projectId)), {
    ruleTexts: intel.rules.map((r) => ({ name: r.name, text: r.content })),
  });
  const files = (await listRules(s, projectId)).items;
  return {
    ...eff,
    customRules: files.map((f) => ({ name: f.name, enabled: f.enabled, rules: f.ruleCount })),
    threatIps: { builtin: DEFAULT_THREAT_IPS.length, ...intel.counts, pushed: intel.threatIps.length },
  };
}
