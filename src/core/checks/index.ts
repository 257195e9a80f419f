// Index of container environment checks (product.md 3.1) and the function
// that runs them all on one normalised container spec.
import { ModuleIndex } from '../module-index.js';
import type { CheckFinding, ContainerSpec, EnvCheck } from './spec.js';
import { privilegedCheck } from './privileged.js';
import { capabilitiesCheck } from './capabilities.js';
import { seccompCheck } from './seccomp.js';
import { noNewPrivilegesCheck } from './no-new-privileges.js';
import { hostMountsCheck } from './host-mounts.js';
import { hostNamespacesCheck } from './host-namespaces.js';

export const envCheckIndex = new ModuleIndex<EnvCheck>('environment check', [
  privilegedCheck,
  capabilitiesCheck,
  seccompCheck,
  noNewPrivilegesCheck,
  hostMountsCheck,
  hostNamespacesCheck,
]);

/** Run every check on a spec, in a stable order. */
export function runEnvChecks(spec: ContainerSpec): CheckFinding[] {
  const out: CheckFinding[] = [];
  for (const c of envCheckIndex.all()) out.push(...c.run(spec));
  return out;
}

export type { CheckFinding, ContainerSpec, EnvCheck } from './spec.js';
export { STARTUP_ALERT_TYPE } from './spec.js';
