// Generator of a realistic apiserver audit log for bench/k8s-audit.ts: about
// 90% reads (get/list/watch at Metadata or Request level, the recommended
// policy's levels) and 10% writes at RequestResponse with pod, role and
// binding bodies, from a few dozen users, with a sprinkle of attacks so the
// rules' firing paths run too. Deterministic (seeded).
import { auditEvent, bindingCreate, podCreate, roleCreate } from '../src/core/k8s/audit-builders.js';
import type { K8sAuditEvent } from '../src/core/events/event.js';
import { rng } from './lib/rng.js';

const READ_RESOURCES = ['pods', 'services', 'endpoints', 'configmaps', 'deployments', 'replicasets', 'nodes', 'namespaces', 'secrets', 'events', 'leases'];
const NAMESPACES = ['default', 'prod', 'staging', 'monitoring', 'kube-system', 'ingress'];
const USERS = [
  'system:serviceaccount:kube-system:replicaset-controller',
  'system:serviceaccount:monitoring:prometheus',
  'system:node:worker-1',
  'system:node:worker-2',
  'system:kube-scheduler',
  'alice',
  'bob',
  'ci-bot',
  'system:serviceaccount:ingress:controller',
];

export function* generateAuditEvents(n: number, seed = 42): Generator<K8sAuditEvent> {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < n; i++) {
    const time = t0 + i * 2;
    const user = pick(USERS);
    const ns = pick(NAMESPACES);
    const x = r();
    if (x < 0.9) {
      const verb = pick(['get', 'get', 'list', 'list', 'watch']);
      const resource = pick(READ_RESOURCES);
      const level = resource === 'secrets' || resource === 'configmaps' ? 'Metadata' : 'Request';
      yield auditEvent({
        verb,
        resource,
        namespace: resource === 'nodes' || resource === 'namespaces' ? (undefined as never) : ns,
        ...(verb === 'get' ? { name: `${resource}-${i % 97}` } : {}),
        user,
        level,
        time,
        code: r() < 0.01 ? 403 : 200,
      } as never);
    } else {
      const y = r();
      if (y < 0.55) {
        yield podCreate({
          name: `web-${i}`,
          namespace: ns,
          user,
          time,
          containers: [
            {
              name: 'app',
              image: `registry.example.com/team/app:${i % 13}`,
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
            },
            { name: 'sidecar', image: 'envoyproxy/envoy:v1.29', resources: {} },
          ],
          hostPaths: r() < 0.02 ? ['/var/run/docker.sock'] : ['/data/cache'],
          ...(r() < 0.01 ? { hostNetwork: true } : {}),
        });
      } else if (y < 0.75) {
        yield auditEvent({
          verb: pick(['update', 'patch']),
          resource: pick(['configmaps', 'deployments', 'services']),
          namespace: ns,
          name: `obj-${i % 50}`,
          user,
          time,
          level: 'RequestResponse',
          requestObject: { metadata: { name: `obj-${i % 50}`, labels: { app: 'web', tier: 'backend' } }, spec: { replicas: 3 } },
          responseObject: { metadata: { name: `obj-${i % 50}`, resourceVersion: String(i) } },
        });
      } else if (y < 0.85) {
        yield roleCreate(
          r() < 0.5 ? 'Role' : 'ClusterRole',
          `role-${i}`,
          [
            { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['apps'], resources: ['deployments'], verbs: r() < 0.1 ? ['create', 'update'] : ['get'] },
          ],
          { namespace: ns, user, time },
        );
      } else if (y < 0.92) {
        yield bindingCreate(
          'RoleBinding',
          `rb-${i}`,
          { kind: 'ClusterRole', name: r() < 0.05 ? 'cluster-admin' : 'view' },
          [{ kind: 'ServiceAccount', name: 'web', namespace: ns }],
          { namespace: ns, user, time },
        );
      } else {
        yield auditEvent({ verb: 'delete', resource: pick(['pods', 'events', 'replicasets']), namespace: ns, name: `x-${i}`, user, time });
      }
    }
  }
}
