// The engine's ka.target.resource index must not change which audit rules
// fire: a rule is left out of a resource's list only when it ANDs a test of
// another resource (directly or through a macro); ORs, negations and rules
// that do not name a resource meet every event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, loadRuleset } from './index.js';
import type { K8sAuditEvent } from '../events/event.js';

const RULES = `
- macro: pod_write
  condition: (ka.target.resource = pods and ka.verb = create)
- list: rbac
  items: [roles, clusterroles]
- rule: by macro
  desc: d
  condition: pod_write
  output: o
  priority: WARNING
  source: k8s_audit
- rule: by list
  desc: d
  condition: ka.verb = create and ka.target.resource in (rbac)
  output: o
  priority: WARNING
  source: k8s_audit
- rule: by or
  desc: d
  condition: ka.target.resource = secrets or ka.verb = delete
  output: o
  priority: WARNING
  source: k8s_audit
- rule: by not
  desc: d
  condition: not ka.target.resource = secrets and ka.verb = patch
  output: o
  priority: WARNING
  source: k8s_audit
- rule: numeric resource
  desc: d
  condition: ka.target.resource = 5
  output: o
  priority: WARNING
  source: k8s_audit
- rule: empty list
  desc: d
  condition: ka.target.resource in (nothing_here) and ka.verb = create
  output: o
  priority: WARNING
  source: k8s_audit
- list: nothing_here
  items: []
- rule: no resource
  desc: d
  condition: ka.verb = create
  output: o
  priority: WARNING
  source: k8s_audit
`;

function fired(audit: Record<string, unknown>): string[] {
  const { ruleset, diagnostics } = loadRuleset([{ name: 'r.yaml', text: RULES }], { builtin: false, source: 'k8s_audit' });
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const engine = new Engine(ruleset, { host: 'h', detectors: [] });
  const e: K8sAuditEvent = { source: 'k8s_audit', time: 0, audit: { auditID: 'a', stage: 'ResponseComplete', requestURI: '/', ...audit } };
  return engine
    .process(e)
    .map((a) => a.rule.replace(/^custom\//, ''))
    .sort();
}

test('rules are indexed by the resource they AND, in macros and lists too', () => {
  const { ruleset } = loadRuleset([{ name: 'r.yaml', text: RULES }], { builtin: false, source: 'k8s_audit' });
  const idx = Object.fromEntries(ruleset.rules.map((r) => [r.name, r.resources ? [...r.resources].sort() : null]));
  assert.deepEqual(idx, {
    'by macro': ['pods'],
    'by list': ['clusterroles', 'roles'],
    'by or': null,
    'by not': null,
    'numeric resource': ['5'],
    'empty list': [],
    'no resource': null,
  });
});

test('the index changes no outcome', () => {
  assert.deepEqual(fired({ verb: 'create', objectRef: { resource: 'pods' } }), ['by macro', 'no resource']);
  assert.deepEqual(fired({ verb: 'create', objectRef: { resource: 'clusterroles' } }), ['by list', 'no resource']);
  assert.deepEqual(fired({ verb: 'get', objectRef: { resource: 'secrets' } }), ['by or']);
  assert.deepEqual(fired({ verb: 'delete', objectRef: { resource: 'pods' } }), ['by or']);
  assert.deepEqual(fired({ verb: 'patch', objectRef: { resource: 'pods' } }), ['by not']);
  assert.deepEqual(fired({ verb: 'patch' }), ['by not']);
  assert.deepEqual(fired({ verb: 'create' }), ['no resource']);
  // A non-string resource is compared as Falco prints it.
  assert.deepEqual(fired({ verb: 'get', objectRef: { resource: 5 } }), ['numeric resource']);
});
