import { test } from 'node:test';
import { appendToLists, clusterRuleFile } from './cluster.test-helpers.js';
import { ruleTester } from '../../src/core/rules/rule-tester.js';
import { auditEvent } from '../../src/core/k8s/audit-builders.js';

const file = clusterRuleFile('event-deletion');
const type = 'cluster/event-deletion';

test('cluster/event-deletion: delete and deletecollection of core and events.k8s.io events', () => {
  ruleTester(
    file,
    {
      fires: [
        { name: 'core event deleted', type, event: auditEvent({ verb: 'delete', resource: 'events', namespace: 'default', name: 'web-1.17a2b3c4d5e6f7a8' }) },
        {
          name: 'events.k8s.io collection deleted',
          type,
          event: auditEvent({ verb: 'deletecollection', resource: 'events', apiGroup: 'events.k8s.io', namespace: 'prod' }),
        },
        {
          name: 'by a service account',
          type,
          event: auditEvent({ verb: 'deletecollection', resource: 'events', namespace: 'kube-system', user: 'system:serviceaccount:default:cleaner' }),
        },
      ],
      silent: [
        { name: 'events listed', event: auditEvent({ verb: 'list', resource: 'events', namespace: 'default' }) },
        { name: 'event created', event: auditEvent({ verb: 'create', resource: 'events', namespace: 'default', user: 'system:node:worker-1' }) },
        {
          name: 'namespace controller cleaning a deleted namespace',
          event: auditEvent({ verb: 'deletecollection', resource: 'events', namespace: 'old', user: 'system:serviceaccount:kube-system:namespace-controller' }),
        },
        { name: 'refused deletion', event: auditEvent({ verb: 'delete', resource: 'events', namespace: 'default', name: 'x', code: 403 }) },
        { name: 'pod deleted', event: auditEvent({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'x' }) },
      ],
    },
    { source: 'k8s_audit' },
  );
});

test('tuning: trusted namespaces', () => {
  const tuning = appendToLists({ vigil_event_deletion_trusted_namespaces: ['ci'] });
  ruleTester(
    [file, tuning],
    {
      fires: [{ type, event: auditEvent({ verb: 'deletecollection', resource: 'events', namespace: 'prod' }) }],
      silent: [{ event: auditEvent({ verb: 'deletecollection', resource: 'events', namespace: 'ci' }) }],
    },
    { source: 'k8s_audit' },
  );
});
