import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { RECOMMENDED_AUDIT_POLICY } from './audit-policy.js';

test("the recommended policy is a valid audit.k8s.io/v1 Policy with the seed's levels", () => {
  assert.ok(!RECOMMENDED_AUDIT_POLICY.includes('\t'));
  const p = parse(RECOMMENDED_AUDIT_POLICY, { strict: true, uniqueKeys: true });
  assert.equal(p.apiVersion, 'audit.k8s.io/v1');
  assert.equal(p.kind, 'Policy');
  assert.deepEqual(p.omitStages, ['RequestReceived']);
  const levels = new Set(['None', 'Metadata', 'Request', 'RequestResponse']);
  const allowedKeys = new Set(['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
  for (const r of p.rules) {
    assert.ok(levels.has(r.level), r.level);
    for (const k of Object.keys(r)) assert.ok(allowedKeys.has(k), k);
    for (const g of r.resources ?? []) assert.equal(typeof g.group, 'string');
  }
  // Vigil's first rules keep exec and RBAC writes visible before the kube-system drop.
  assert.deepEqual(p.rules[0].resources[0].resources, ['pods/exec', 'pods/attach', 'pods/portforward']);
  assert.equal(p.rules[1].resources[1].group, 'rbac.authorization.k8s.io');
  const kubeSystemDrop = p.rules.findIndex((r: any) => r.level === 'None' && r.namespaces?.includes('kube-system'));
  assert.ok(kubeSystemDrop > 1);
  const meta = p.rules.find((r: any) => r.level === 'Metadata' && r.resources?.some((g: any) => g.resources?.includes('secrets')));
  assert.deepEqual(meta.resources[0].resources, ['secrets', 'configmaps']);
  assert.deepEqual(meta.resources[1].resources, ['tokenreviews']);
  const req = p.rules.find((r: any) => r.level === 'Request');
  assert.deepEqual(req.verbs, ['get', 'list', 'watch']);
  const rr = p.rules.find((r: any) => r.level === 'RequestResponse');
  assert.ok(rr.resources.some((g: any) => g.group === 'rbac.authorization.k8s.io'));
  assert.deepEqual(p.rules.at(-1), { level: 'Metadata' });
  // Event deletions must stay visible for cluster/event-deletion: no None rule may cover delete of events.
  for (const r of p.rules.filter((r: any) => r.level === 'None' && r.resources)) {
    if (r.resources.some((g: any) => (g.resources ?? []).includes('events')))
      assert.ok(r.verbs && !r.verbs.includes('delete') && !r.verbs.includes('deletecollection'));
  }
});
