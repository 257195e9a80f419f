// The runtime policies' violations as detector hits: how the process-whitelist
// and file-protection detectors word the one policy decision
// (src/core/policy/stage.ts) when the engine is given it. The alert is the
// policy's: rule `policy:<name>`, its message, the subject and policy in
// `fields`, and `action.kind: killed` when the policy enforces (the runtime
// pipeline does the kill and records its result). Without that decision,
// both detectors look up the container's policy themselves: policyDetector
// is what they share.
import type { ContainerInfo, SyscallEvent } from '../../events/event.js';
import type { Violation, ViolationType } from '../../policy/evaluate.js';
import type { ContainerPolicy, DetectorContext, DetectorFn, DetectorHit, PolicyLookup } from './types.js';

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

/**
 * The create() of a policy violation detector: the runtime pipeline's decision
 * worded when the engine is given it; otherwise, for events in a container
 * (not the host), `check` with the container and the policy lookup.
 */
export function policyDetector(
  type: ViolationType,
  check: (e: SyscallEvent, c: ContainerInfo, lookup: PolicyLookup) => DetectorHit | undefined,
): (ctx: DetectorContext) => DetectorFn | undefined {
  return (ctx) => {
    const decide = ctx.policyDecision;
    if (decide) return (ev) => violationHits(decide(ev as SyscallEvent), type, ev as SyscallEvent);
    const lookup = ctx.policies;
    if (!lookup) return undefined;
    return (ev) => {
      const e = ev as SyscallEvent;
      const c = e.container;
      return c && c.id !== 'host' ? check(e, c, lookup) : undefined;
    };
  };
}

/** The kill action of a policy in enforce mode (`what` names the policy part). */
export function enforced(pol: ContainerPolicy, what: string): Pick<DetectorHit, 'action'> {
  return pol.mode === 'enforce' ? { action: { kind: 'killed', detail: `${what} in enforce mode` } } : {};
}
