import { test } from 'node:test';
import { appendToLists, clusterRuleFile } from './cluster.test-helpers.js';
import { ruleTester } from '../../src/core/rules/rule-tester.js';
import { auditEvent } from '../../src/core/k8s/audit-builders.js';

const file = clusterRuleFile('user-enumeration');
const type = 'cluster/user-enumeration';
const t0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const review = (resource: string, user: string, groups?: string[]) =>
  auditEvent({
    verb: 'create',
    resource,
    user,
    ...(groups ? { groups } : {}),
    requestObject: { kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } },
  });
const forbidden = (user: string, i: number, spacingMs: number) =>
  auditEvent({ verb: 'list', resource: 'secrets', namespace: `ns-${i}`, user, code: 403, time: t0 + i * spacingMs });

test('cluster/user-enumeration: self reviews by service accounts and users, bursts of 403', () => {
  ruleTester(
    file,
    {
      fires: [
        { name: 'rules review by a service account', type, event: review('selfsubjectrulesreviews', 'system:serviceaccount:default:web') },
        { name: 'whoami by a service account', type, event: review('selfsubjectreviews', 'system:serviceaccount:default:web') },
        { name: 'access review by a user (no allowlist)', type, event: review('selfsubjectaccessreviews', 'mallory') },
        {
          name: '10 forbidden requests within 60 s',
          type,
          rule: 'K8s Forbidden Request Burst',
          events: Array.from({ length: 10 }, (_, i) => forbidden('mallory', i, 5000)),
        },
      ],
      silent: [
        { name: 'a pod list', event: auditEvent({ verb: 'list', resource: 'pods', namespace: 'default' }) },
        {
          name: 'a SubjectAccessReview by the apiserver',
          event: auditEvent({ verb: 'create', resource: 'subjectaccessreviews', user: 'system:kube-apiserver' }),
        },
        { name: '9 forbidden requests', events: Array.from({ length: 9 }, (_, i) => forbidden('mallory', i, 1000)) },
        { name: '10 forbidden requests over 90 s', events: Array.from({ length: 10 }, (_, i) => forbidden('mallory', i, 10_000)) },
        { name: '10 forbidden requests by 10 users', events: Array.from({ length: 10 }, (_, i) => forbidden(`user-${i}`, i, 100)) },
        {
          name: 'a failed self review',
          event: { ...review('selfsubjectrulesreviews', 'bob'), audit: { ...review('selfsubjectrulesreviews', 'bob').audit, stage: 'RequestReceived' } },
        },
      ],
    },
    { source: 'k8s_audit' },
  );
});

test('tuning: trusted users may enumerate, service accounts stay untrusted', () => {
  const tuning = appendToLists({ vigil_enumeration_trusted_users: ['alice', 'system:serviceaccount:default:web'] });
  ruleTester(
    [file, tuning],
    {
      fires: [{ type, event: review('selfsubjectrulesreviews', 'system:serviceaccount:default:web') }],
      silent: [{ event: review('selfsubjectrulesreviews', 'alice') }],
    },
    { source: 'k8s_audit' },
  );
});
