// The normalised container spec every environment check reads
// (product.md section 3.1). Adapters build it from `docker inspect` JSON
// (docker-inspect.ts) and from Kubernetes pod specs (k8s-workload.ts); the
// admission webhook and the runtime's container-start events reuse it.
import type { Severity } from '../alerts/types.js';

export interface SpecMount {
  /** Host path for bind/hostPath mounts; volume name otherwise. */
  source: string;
  destination: string;
  /** `bind` / `hostPath` are host paths; `volume`, `tmpfs`, ... are not. */
  type: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  /** Pod, Deployment, DaemonSet, ..., or `DockerContainer`. */
  kind: string;
  namespace?: string;
  /** Workload (or docker container) name. */
  name: string;
  /** Container name inside the workload. */
  container: string;
  /** Regular, init or ephemeral container. */
  role?: 'container' | 'init' | 'ephemeral';
  image?: string;
  /** Pod template (or Docker container) labels, for policy scopes. */
  labels?: Record<string, string>;
  privileged: boolean;
  /** Capabilities added, upper case without `CAP_` (`SYS_ADMIN`, `ALL`). */
  capAdd: string[];
  /** Seccomp profile: `unconfined`, `runtime/default`, `localhost/<file>`; undefined when not stated. */
  seccomp?: string;
  /** Kubernetes allowPrivilegeEscalation as written (undefined when unset). */
  allowPrivilegeEscalation?: boolean;
  /** Docker no-new-privileges as written (undefined when unset). */
  noNewPrivileges?: boolean;
  mounts: SpecMount[];
  hostPID: boolean;
  hostNetwork: boolean;
  hostIPC: boolean;
}

/** A container that asks for nothing dangerous: the base of specs built from less than a workload (an image alone). */
export function plainContainerSpec(id: Pick<ContainerSpec, 'kind' | 'name' | 'container'> & Partial<ContainerSpec>): ContainerSpec {
  return { privileged: false, capAdd: [], mounts: [], hostPID: false, hostNetwork: false, hostIPC: false, ...id };
}

export type CheckKind = 'security-option' | 'mount' | 'namespace';

export interface CheckFinding {
  check: string;
  kind: CheckKind;
  severity: Severity;
  detail: string;
}

/** One environment check: one module, a stable id and version, a pure function. */
export interface EnvCheck {
  id: string;
  version: number;
  kind: CheckKind;
  title: string;
  run(spec: ContainerSpec): CheckFinding[];
}

export const STARTUP_ALERT_TYPE = 'container/abnormal-startup';
