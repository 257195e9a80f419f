// container/abnormal-process: an exec in a container whose policy has a
// process whitelist, of an executable outside it (product.md policy.process-whitelist).
// A thin adapter: the decision (which exec violates which entries: paths,
// globs, bare process names) is the runtime policies' processWhitelist one
// (src/core/policy/evaluate.ts), so the engine and `runtime watch` agree;
// this module only finds the container's policy and words the alert. Given
// the runtime pipeline's `policyDecision` (src/core/policy/stage.ts), it
// words that decision's violations instead (./policy-hits.ts).
import type { Detector } from './types.js';
import { enforced, policyDetector } from './policy-hits.js';
import { REMEDIES } from '../../policy/alert.js';
import { execSubject, processViolation, VIOLATION_ALERTS } from '../../policy/evaluate.js';

export const processWhitelistDetector: Detector = {
  id: 'process-whitelist',
  version: 1,
  type: VIOLATION_ALERTS.process.type,
  source: 'syscall',
  evtTypes: ['execve', 'execveat'],
  severity: VIOLATION_ALERTS.process.severity,
  desc: "A container ran a program outside its image's process whitelist.",
  remedy: REMEDIES[VIOLATION_ALERTS.process.type]!,
  create: policyDetector(VIOLATION_ALERTS.process.type, (e, c, lookup) => {
    // Failed execs are nobody's policy business: skip the lookup.
    if (execSubject(e) === undefined) return undefined;
    const pol = lookup(c, e);
    const wl = pol?.processWhitelist;
    if (!pol || !wl) return undefined;
    const exe = processViolation(e, wl);
    if (exe === undefined) return undefined;
    return {
      message: `Process ${exe} is not in the whitelist of image ${c.image ?? c.imageRepository ?? '?'} (container ${c.name ?? c.id.slice(0, 12)})`,
      fields: { 'proc.exepath': e.proc.exepath, 'proc.name': e.proc.name, 'container.image': c.image },
      ...enforced(pol, 'process whitelist'),
    };
  }),
};
