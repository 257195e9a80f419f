// Falco's semantics of list fields: `in`/`pmatch` need every value in the
// set, `intersects` one; other multi-valued fields (`proc.aname`) match any.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleset } from './loader.js';
import { Engine } from './engine.js';
import type { K8sAuditEvent } from '../events/event.js';
import { makeEvent } from './event-builders.js';

const rules = `
- list: trusted_images
  items: [registry.k8s.io/pause, docker.io/library/nginx]
- rule: Untrusted image
  desc: a pod with any container not from the trusted list
  condition: ka.verb=create and ka.target.resource=pods and not ka.req.pod.containers.image.repository in (trusted_images)
  output: untrusted %ka.req.pod.containers.image
  priority: WARNING
  source: k8s_audit
- rule: Any trusted
  desc: at least one container from the trusted list
  condition: ka.verb=create and ka.target.resource=pods and ka.req.pod.containers.image.repository intersects (trusted_images)
  output: trusted %ka.req.pod.containers.image
  priority: INFO
  source: k8s_audit
- rule: Shell under sshd
  desc: any ancestor named sshd
  condition: evt.type=execve and proc.aname in (sshd, login)
  output: shell %proc.name
  priority: NOTICE
`;

function pod(images: string[]): K8sAuditEvent {
  return {
    source: 'k8s_audit',
    time: 1_700_000_000_000,
    audit: {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: `id-${images.join(',')}`,
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: '/api/v1/namespaces/default/pods',
      user: { username: 'alice' },
      objectRef: { resource: 'pods', namespace: 'default', name: 'p', apiVersion: 'v1' },
      responseStatus: { code: 201 },
      requestObject: { kind: 'Pod', spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
    },
  };
}

function rulesFired(e: Parameters<Engine['process']>[0]): string[] {
  const { ruleset, diagnostics } = loadRuleset([{ name: 'list.yaml', text: rules }]);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return new Engine(ruleset, { host: 'h', clock: () => 0, newId: () => 'x' })
    .process(e)
    .map((a) => a.rule)
    .sort();
}

test('in on a list field needs every value in the set', () => {
  assert.deepEqual(rulesFired(pod(['docker.io/library/nginx:1.25'])), ['Any trusted']);
  assert.deepEqual(rulesFired(pod(['docker.io/library/nginx:1.25', 'evil.example/miner:latest'])), ['Any trusted', 'Untrusted image']);
  assert.deepEqual(rulesFired(pod(['evil.example/miner:latest'])), ['Untrusted image']);
});

test('in on ancestor names matches any ancestor', () => {
  const e = makeEvent({
    type: 'execve',
    proc: {
      name: 'bash',
      parents: [
        { pid: 2, name: 'sshd' },
        { pid: 1, name: 'systemd' },
      ],
    },
  });
  assert.deepEqual(rulesFired(e), ['Shell under sshd']);
});
