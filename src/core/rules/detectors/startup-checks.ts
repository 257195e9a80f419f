// container/abnormal-startup at runtime: a container start event
// (`type: 'container'`, container.spec filled by the runtime) runs the
// environment checks of src/core/checks; each finding is one alert.
import type { SyscallEvent } from '../../events/event.js';
import type { Detector, DetectorHit } from './types.js';
import { runEnvChecks } from '../../checks/index.js';

export const startupChecksDetector: Detector = {
  id: 'startup-checks',
  version: 1,
  type: 'container/abnormal-startup',
  source: 'syscall',
  evtTypes: ['container'],
  severity: 'medium',
  desc: 'A container started with unsafe security options, dangerous host mounts or host namespaces.',
  remedy:
    'Remove the unsafe setting from the container or pod spec (privileged, added capabilities, seccomp unconfined, host mounts, host namespaces) unless the workload truly needs it, and then restrict it to that workload.',
  create() {
    return (ev) => {
      const e = ev as SyscallEvent;
      const spec = e.container?.spec;
      if (!spec) return undefined;
      const hits: DetectorHit[] = runEnvChecks(spec).map((f) => ({
        message: `Container ${spec.name}/${spec.container} started with ${f.detail}`,
        severity: f.severity,
        rule: `startup/${f.check}`,
        fields: { check: f.check, kind: f.kind, detail: f.detail },
      }));
      return hits.length ? hits : undefined;
    };
  },
};
