// Runs the environment checks over specs and shapes the findings of
// `vigil check --format json`: {findings: [{resource, check, kind, type, severity, detail}]}.
import type { Severity } from '../alerts/types.js';
import { runEnvChecks } from './index.js';
import { STARTUP_ALERT_TYPE, type CheckKind, type ContainerSpec } from './spec.js';

export interface CheckResultFinding {
  resource: { kind: string; namespace: string; name: string; container: string };
  check: string;
  /** Sub-kind: security-option, mount or namespace. */
  kind: CheckKind;
  type: string;
  severity: Severity;
  detail: string;
}

export function checkSpecs(specs: ContainerSpec[]): CheckResultFinding[] {
  const out: CheckResultFinding[] = [];
  for (const s of specs) {
    for (const f of runEnvChecks(s)) {
      out.push({
        resource: { kind: s.kind, namespace: s.namespace ?? '', name: s.name, container: s.container },
        check: f.check,
        kind: f.kind,
        type: STARTUP_ALERT_TYPE,
        severity: f.severity,
        detail: f.detail,
      });
    }
  }
  return out;
}
