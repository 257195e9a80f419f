// Field family `k8s.*`: the pod of the container (from the runtime's labels).
import { field, syscallFamily } from './helpers.js';

export const k8sFields = syscallFamily('k8s', [
  field('k8s.ns.name', 'string', 'Namespace of the pod.', (e) => e.container?.podNamespace),
  field('k8s.pod.name', 'string', 'Pod name.', (e) => e.container?.podName),
]);
