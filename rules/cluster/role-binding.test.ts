import { test } from 'node:test';
import { appendToLists, clusterRuleFile } from './cluster.test-helpers.js';
import { ruleTester } from '../../src/core/rules/rule-tester.js';
import { auditEvent, bindingCreate, roleCreate } from '../../src/core/k8s/audit-builders.js';

const file = clusterRuleFile('role-binding');
const type = 'cluster/role-binding';
const core = (resources: string[], verbs: string[]) => ({ apiGroups: [''], resources, verbs });

test('cluster/role-binding: high-privilege roles, bindings, kube-system service accounts, system roles', () => {
  ruleTester(
    file,
    {
      fires: [
        { name: 'wildcard resources', type, event: roleCreate('ClusterRole', 'r1', [core(['*'], ['get'])]) },
        { name: 'wildcard verbs', type, event: roleCreate('Role', 'r2', [core(['configmaps'], ['*'])], { namespace: 'dev' }) },
        { name: 'write secrets', type, event: roleCreate('ClusterRole', 'r3', [core(['pods'], ['get']), core(['secrets'], ['get', 'create'])]) },
        { name: 'pods/exec', type, event: roleCreate('Role', 'r4', [core(['pods/exec'], ['create'])], { namespace: 'dev' }) },
        { name: 'nodes/proxy read', type, event: roleCreate('ClusterRole', 'r5', [core(['nodes/proxy'], ['get'])]) },
        { name: 'write to non-resource URLs', type, event: roleCreate('ClusterRole', 'r6', [{ nonResourceURLs: ['/metrics'], verbs: ['delete'] }]) },
        {
          name: 'patch adding escalate on roles',
          type,
          event: auditEvent({
            verb: 'patch',
            resource: 'clusterroles',
            name: 'r7',
            requestObject: { rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate'] }] },
          }),
        },
        {
          name: 'ClusterRoleBinding to cluster-admin',
          type,
          event: bindingCreate('ClusterRoleBinding', 'b1', { kind: 'ClusterRole', name: 'cluster-admin' }, [
            { kind: 'ServiceAccount', name: 'web', namespace: 'default' },
          ]),
        },
        {
          name: 'RoleBinding to admin',
          type,
          event: bindingCreate('RoleBinding', 'b2', { kind: 'ClusterRole', name: 'admin' }, [{ kind: 'User', name: 'bob' }], { namespace: 'dev' }),
        },
        {
          name: 'a read-only role bound to anonymous',
          type,
          event: bindingCreate('ClusterRoleBinding', 'b5', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'system:anonymous' }]),
        },
        {
          name: 'service account in kube-system',
          type,
          event: auditEvent({ verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'helper' }),
        },
        {
          name: 'service account in kube-public',
          type,
          event: auditEvent({ verb: 'create', resource: 'serviceaccounts', namespace: 'kube-public', name: 'x' }),
        },
        { name: 'system role deleted', type, event: auditEvent({ verb: 'delete', resource: 'clusterroles', name: 'system:node' }) },
        {
          name: 'system role patched',
          type,
          event: auditEvent({ verb: 'patch', resource: 'clusterroles', name: 'system:kube-scheduler', requestObject: { rules: [] } }),
        },
      ],
      silent: [
        { name: 'read-only role', event: roleCreate('ClusterRole', 'reader', [core(['pods', 'services'], ['get', 'list', 'watch'])]) },
        {
          name: 'write on a non-sensitive resource',
          event: roleCreate('Role', 'cm-writer', [core(['configmaps'], ['create', 'update'])], { namespace: 'dev' }),
        },
        {
          name: 'binding to a read-only role',
          event: bindingCreate('ClusterRoleBinding', 'b3', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: 'bob' }]),
        },
        {
          name: 'refused binding to cluster-admin',
          event: bindingCreate('ClusterRoleBinding', 'b4', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'User', name: 'bob' }], { code: 403 }),
        },
        {
          name: 'known controller service account in kube-system',
          event: auditEvent({ verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'replicaset-controller' }),
        },
        { name: 'service account in an app namespace', event: auditEvent({ verb: 'create', resource: 'serviceaccounts', namespace: 'default', name: 'web' }) },
        {
          name: 'apiserver reconciling system roles',
          event: auditEvent({
            verb: 'update',
            resource: 'clusterroles',
            name: 'system:node',
            user: 'system:apiserver',
            requestObject: { rules: [core(['*'], ['*'])] },
          }),
        },
        { name: 'system role read', event: auditEvent({ verb: 'get', resource: 'clusterroles', name: 'system:node' }) },
        {
          name: 'coredns role patched',
          event: auditEvent({ verb: 'patch', resource: 'clusterroles', name: 'system:coredns', requestObject: { rules: [core(['endpoints'], ['list'])] } }),
        },
      ],
    },
    { source: 'k8s_audit' },
  );
});

test('tuning: trusted groups and namespaces', () => {
  const tuning = appendToLists({ vigil_rbac_trusted_groups: ['platform-admins'], vigil_rbac_trusted_namespaces: ['sandbox'] });
  ruleTester(
    [file, tuning],
    {
      fires: [{ type, event: roleCreate('Role', 'r', [core(['*'], ['*'])], { namespace: 'dev' }) }],
      silent: [
        { event: roleCreate('Role', 'r', [core(['*'], ['*'])], { namespace: 'sandbox' }) },
        {
          event: bindingCreate('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'User', name: 'x' }], {
            groups: ['platform-admins'],
          }),
        },
      ],
    },
    { source: 'k8s_audit' },
  );
});
