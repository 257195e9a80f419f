// The runtime policies' violations as detector hits: how the process-whitelist
// and file-protection detectors word the one policy decision
// (src/core/policy/stage.ts) when the engine is given it. The alert is the
// policy's: rule `policy:<name>`, its message, the subject and policy in
// `fields`, and `action.kind: killed` when the policy enforces (the runtime
// pipeline does the kill and records its result).
import type { SyscallEvent } from '../../events/event.js';
import type { Violation, ViolationType } from '../../policy/evaluate.js';
import type { DetectorHit } from './types.js';

export function violationHits(vs: readonly Violation[], type: ViolationType, e: SyscallEvent): DetectorHit[] | undefined {
  let out: DetectorHit[] | undefined;
  for (const v of vs) {
    if (v.type !== type) continue;
    (out ??= []).push({
      message: v.message,
      severity: v.severity,
      rule: `policy:${v.policy}`,
      fields: { 'evt.type': e.type, subject: v.subject, policy: v.policy },
      action: v.enforce ? { kind: 'killed', detail: `policy ${v.policy} in enforce mode` } : { kind: 'alert' },
    });
  }
  return out;
}
