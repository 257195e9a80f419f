import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Engine, loadRuleset } from '../rules/index.js';
import { auditEvent, bindingCreate, podExec, roleCreate } from './audit-builders.js';
import { K8sAuditPipeline } from './pipeline.js';

const dir = new URL('../../../rules/cluster/', import.meta.url);
const files = readdirSync(dir)
  .filter((n) => n.endsWith('.yaml'))
  .sort()
  .map((n) => ({ name: n, text: readFileSync(new URL(n, dir), 'utf8') }));

function pipeline(opts = {}) {
  const { ruleset, diagnostics } = loadRuleset(files, { builtin: true, source: 'k8s_audit' });
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  let n = 0;
  return new K8sAuditPipeline(new Engine(ruleset, { host: 'h', detectors: [], newId: () => `a${++n}` }), opts);
}

test('one alert per rule and auditID across ResponseStarted and ResponseComplete', () => {
  const p = pipeline();
  const started = podExec('web-1', { auditID: 'req-1' });
  const complete = { ...started, audit: { ...started.audit, stage: 'ResponseComplete' } };
  assert.equal(p.process(started).length, 1);
  assert.equal(p.process(complete).length, 0);
  assert.equal(p.stats.duplicates, 1);
  // another request of the same user is a new alert
  assert.equal(p.process(podExec('web-1', { auditID: 'req-2' })).length, 1);
});

test('the dedup memory is bounded', () => {
  const p = pipeline({ dedupSize: 2 });
  const ev = (id: string) => auditEvent({ verb: 'delete', resource: 'events', namespace: 'd', name: 'e', auditID: id });
  assert.equal(p.process(ev('x1')).length, 1);
  assert.equal(p.process(ev('x2')).length, 1);
  assert.equal(p.process(ev('x3')).length, 1);
  assert.equal(p.process(ev('x3')).length, 0);
  // x1 was forgotten (oldest first)
  assert.equal(p.process(ev('x1')).length, 1);
});

test('a binding to a role seen created with high privileges is a role-binding alert; a deleted role is forgotten', () => {
  const p = pipeline();
  const bind = () =>
    bindingCreate('RoleBinding', 'b', { kind: 'Role', name: 'ops' }, [{ kind: 'ServiceAccount', name: 'web', namespace: 'dev' }], { namespace: 'dev' });
  assert.deepEqual(p.process(bind()), []);
  const [roleAlert] = p.process(roleCreate('Role', 'ops', [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }], { namespace: 'dev' }));
  assert.equal(roleAlert!.type, 'cluster/role-binding');
  const alerts = p.process(bind());
  assert.deepEqual(
    alerts.map((a) => [a.type, a.rule]),
    [['cluster/role-binding', 'K8s Binding To High-Privilege Role']],
  );
  // same role name in another namespace is another role
  assert.deepEqual(p.process(bindingCreate('RoleBinding', 'b', { kind: 'Role', name: 'ops' }, [], { namespace: 'prod' })), []);
  p.process(auditEvent({ verb: 'delete', resource: 'roles', namespace: 'dev', name: 'ops' }));
  assert.deepEqual(p.process(bind()), []);
});

test('alerts carry the k8s block, with the name from the response for creates', () => {
  const p = pipeline();
  const ev = auditEvent({ verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', responseObject: { metadata: { name: 'sneaky' } } });
  const [a] = p.process(ev);
  assert.equal(a!.type, 'cluster/role-binding');
  assert.deepEqual(
    { ...a!.k8s, sourceIPs: undefined },
    {
      auditID: ev.audit.auditID,
      user: 'alice',
      verb: 'create',
      resource: 'serviceaccounts',
      namespace: 'kube-system',
      name: 'sneaky',
      sourceIPs: undefined,
      userAgent: a!.k8s!.userAgent,
    },
  );
});
