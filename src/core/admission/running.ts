// The image part of admission for containers that already run (docs/agent.md,
// "Container start checks"): a node's container (its agent's inventory)
// started from an image an image-admission policy does not admit raises
// `container/image-blocked` with the container, the image and the reason.
// The container was not refused (nothing stood in front of `docker run` on
// that node), so the alert says it runs. The container rules of the
// policies are left out: the agent's own start checks raise those as
// container/abnormal-startup. Alert IDs are derived from the node, the
// container, its start time, the policy and the rule, so a re-evaluation
// (another inventory, an agent restart) stores nothing twice.
import type { Alert } from '../alerts/types.js';
import { derivedAlertId } from '../alerts/derived-id.js';
import type { NodeContainer } from '../checks/node-container.js';
import { plainContainerSpec } from '../checks/spec.js';
import { decideAdmission, IMAGE_BLOCKED_ALERT, type FactsLookup } from './decide.js';
import type { AdmissionPolicy } from './policy.js';

/** The container/image-blocked alerts of these running containers under these policies. */
export function runningImageAlerts(
  policies: readonly AdmissionPolicy[],
  node: { id: string; hostname: string },
  containers: readonly NodeContainer[],
  facts: (c: NodeContainer) => FactsLookup,
  now: number,
): Alert[] {
  const out: Alert[] = [];
  if (!policies.length) return out;
  for (const c of containers) {
    if (c.state !== 'running' || !c.image) continue;
    const spec = plainContainerSpec({ kind: 'DockerContainer', name: c.name, container: c.name, image: c.image });
    const d = decideAdmission(policies, { target: 'docker', specs: [spec] }, facts(c), now);
    for (const r of d.reasons) {
      if (r.alertType !== IMAGE_BLOCKED_ALERT) continue;
      const started = Date.parse(c.startedAt);
      out.push({
        id: derivedAlertId('image-policy', node.id, c.id, c.startedAt, r.policy, r.rule),
        type: IMAGE_BLOCKED_ALERT,
        severity: r.severity,
        time: new Date(Number.isFinite(started) ? started : now).toISOString(),
        rule: `admission/${r.rule}`,
        host: node.hostname,
        message: `Container ${c.name} runs image ${c.image}, which image policy ${r.policy} (${r.mode}) does not admit: ${r.message}`.slice(0, 4000),
        container: { id: c.id, name: c.name, image: c.image },
        fields: { policy: r.policy, mode: r.mode, check: r.rule, reason: r.message, imageId: c.imageDigest, refused: false },
      });
    }
  }
  return out;
}
