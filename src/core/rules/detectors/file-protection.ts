// container/sensitive-file-access: a change (open for write, create, rename,
// unlink, chmod, content change) under a path the container's
// file-protection policy protects (product.md policy.file-protection).
// A thin adapter: which path an event changes and which protected entry
// covers it is the runtime policies' fileProtection decision
// (src/core/policy/evaluate.ts), so the engine and `runtime watch` agree;
// this module only finds the container's policy and words the alert. Given
// the runtime pipeline's `policyDecision` (src/core/policy/stage.ts), it
// words that decision's violations instead (./policy-hits.ts).
import type { Detector } from './types.js';
import { enforced, policyDetector } from './policy-hits.js';
import { REMEDIES } from '../../policy/alert.js';
import { FILE_EVENT_TYPES, fileTouch, protectingPath, VIOLATION_ALERTS } from '../../policy/evaluate.js';

export const fileProtectionDetector: Detector = {
  id: 'file-protection',
  version: 1,
  type: VIOLATION_ALERTS.file.type,
  source: 'syscall',
  evtTypes: [...FILE_EVENT_TYPES],
  severity: VIOLATION_ALERTS.file.severity,
  desc: 'A container changed a path its file-protection policy protects.',
  remedy: REMEDIES[VIOLATION_ALERTS.file.type]!,
  create: policyDetector(VIOLATION_ALERTS.file.type, (e, c, lookup) => {
    // Decide what the event touches before the (caller-supplied) policy lookup: most opens are reads.
    const t = fileTouch(e);
    if (!t?.change) return undefined;
    const pol = lookup(c, e);
    const prot = pol?.protectedPaths;
    if (!pol || !prot) return undefined;
    const hit = protectingPath(t, prot);
    if (!hit) return undefined;
    return {
      message: `Protected path ${hit.path} changed (${e.type}) by ${e.proc.name} (pid ${e.proc.pid}) in container ${c.name ?? c.id.slice(0, 12)}; policy protects ${hit.dir}`,
      fields: { 'fd.name': hit.path, 'evt.type': e.type, 'proc.name': e.proc.name },
      ...enforced(pol, 'file protection'),
    };
  }),
};
