// Field family `k8s.*`: the pod of the container (from the runtime's labels).
import type { FieldFamily, SyscallEvent } from '../../events/event.js';
import { field } from './helpers.js';

export const k8sFields: FieldFamily<SyscallEvent> = {
  id: 'k8s',
  source: 'syscall',
  fields: [
    field('k8s.ns.name', 'string', 'Namespace of the pod.', (e) => e.container?.podNamespace),
    field('k8s.pod.name', 'string', 'Pod name.', (e) => e.container?.podName),
  ],
};
