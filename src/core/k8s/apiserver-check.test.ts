import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkApiserverArgs, checkApiserverManifest, formatCheckReport, type CheckResult } from './apiserver-check.js';

const kubeadm = readFileSync(new URL('./testdata/kube-apiserver.yaml', import.meta.url), 'utf8');

/** Apply the printed lines as a user would: insert each block after its line (bottom first). */
function apply(text: string, r: CheckResult): string {
  const lines = text.split('\n');
  for (const a of [...r.add].sort((x, y) => (y.afterLine ?? 0) - (x.afterLine ?? 0))) {
    assert.ok(a.afterLine !== undefined, `block ${a.under} needs a position`);
    lines.splice(a.afterLine, 0, ...a.lines);
  }
  return lines.join('\n');
}

/** A static pod with only the kube-apiserver command (no mounts, no volumes): tests add the lines they need. */
const MINIMAL_POD = `apiVersion: v1
kind: Pod
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
`;

test('a kubeadm manifest without auditing is flagged, and the printed lines make it pass', () => {
  const r = checkApiserverManifest(kubeadm);
  assert.equal(r.ok, false);
  const missing = r.findings.filter((f) => !f.ok).map((f) => f.id);
  assert.deepEqual(missing, ['policy-file', 'backend', 'log-maxsize', 'log-maxage', 'log-maxbackup', 'policy-mount', 'log-mount']);
  const cmd = r.add.find((a) => a.under === 'command')!;
  assert.equal(cmd.afterLine, 27);
  assert.deepEqual(cmd.lines, [
    '    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml',
    '    - --audit-log-path=/var/log/kubernetes/audit/audit.log',
    '    - --audit-log-maxsize=100',
    '    - --audit-log-maxage=1',
    '    - --audit-log-maxbackup=10',
  ]);
  const report = formatCheckReport(r, 'kube-apiserver.yaml');
  assert.ok(!report.includes('\t'));
  assert.match(report, /under "volumeMounts:", add after line 47/);
  const fixed = apply(kubeadm, r);
  const pod = parse(fixed);
  const c = pod.spec.containers[0];
  assert.ok(c.command.includes('--audit-log-maxbackup=10'));
  assert.deepEqual(c.volumeMounts.at(-1), { mountPath: '/var/log/kubernetes/audit/', name: 'audit-log', readOnly: false });
  assert.deepEqual(pod.spec.volumes.at(-2), { name: 'audit', hostPath: { path: '/etc/kubernetes/audit-policy.yaml', type: 'File' } });
  const again = checkApiserverManifest(fixed);
  assert.equal(again.ok, true, formatCheckReport(again, 'x'));
  assert.deepEqual(again.add, []);
});

test('args-style manifests, missing mount lists, webhook backend and read-only log mounts', () => {
  const argsStyle = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
spec:
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.29.1
      command: ["kube-apiserver"]
      args:
        - --audit-policy-file=/etc/kubernetes/audit-policy.yaml
        - --audit-webhook-config-file=/etc/kubernetes/audit-webhook.yaml
      volumeMounts:
        - mountPath: /etc/kubernetes
          name: etc
          readOnly: true
  volumes:
    - name: etc
      hostPath:
        path: /etc/kubernetes
`;
  const r = checkApiserverManifest(argsStyle);
  assert.equal(r.ok, true, formatCheckReport(r, 'x'));
  const logRo = argsStyle.replace('--audit-webhook-config-file=/etc/kubernetes/audit-webhook.yaml', '--audit-log-path=/etc/kubernetes/audit/audit.log');
  const r2 = checkApiserverManifest(logRo);
  assert.equal(r2.ok, false);
  assert.match(r2.findings.find((f) => f.id === 'log-mount')!.message, /read-only/);
  assert.equal(r2.add.find((a) => a.under === 'args')!.lines[0], '        - --audit-log-maxsize=100');
  const fixed = apply(logRo, r2);
  assert.equal(checkApiserverManifest(fixed).ok, true);
  const noMounts = `${MINIMAL_POD}    - --audit-policy-file=/etc/kubernetes/audit-policy.yaml
    - --audit-log-path=-
`;
  const r3 = checkApiserverManifest(noMounts);
  assert.deepEqual(
    r3.add.map((a) => [a.under, a.afterLine, a.lines[0]]),
    [
      ['volumeMounts', undefined, '    volumeMounts:'],
      ['volumes', undefined, '  volumes:'],
    ],
  );
});

test('tabs, broken YAML and non-pods', () => {
  assert.equal(checkApiserverManifest(kubeadm.replace('    - --secure-port=8443', '\t- --secure-port=8443')).findings[0]!.id, 'tabs');
  assert.throws(() => checkApiserverManifest('spec: [unclosed', 'x.yaml'), /x.yaml: line 1/);
  assert.throws(() => checkApiserverManifest('kind: Service\nspec: {}\n'), /MANIFEST_INVALID|containers/);
  assert.throws(() => checkApiserverManifest('spec:\n  containers:\n  - name: etcd\n    command: [etcd]\n'), /no kube-apiserver container/);
});

test('process command lines', () => {
  const bad = checkApiserverArgs(['kube-apiserver', '--secure-port=6443', '--audit-log-path', '/var/log/a.log']);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.add[0]!.lines, [
    '--audit-policy-file=/etc/kubernetes/audit-policy.yaml',
    '--audit-log-maxsize=100',
    '--audit-log-maxage=1',
    '--audit-log-maxbackup=10',
  ]);
  const good = checkApiserverArgs([
    'kube-apiserver',
    '--audit-policy-file=/p.yaml',
    '--audit-log-path=/l/a.log',
    '--audit-log-maxsize=100',
    '--audit-log-maxage=1',
    '--audit-log-maxbackup=10',
  ]);
  assert.equal(good.ok, true);
});

test('a manifest without volumeMounts/volumes gets the whole lists, and the result parses and passes', () => {
  const text = `${MINIMAL_POD}    image: registry.k8s.io/kube-apiserver:v1.30.0
`;
  const r = checkApiserverManifest(text);
  // Lists that do not exist yet go at the end of their parent: the container (last in the pod here) and the spec.
  const lines = text.trimEnd().split('\n');
  const cmd = r.add.find((a) => a.under === 'command')!;
  lines.splice(cmd.afterLine!, 0, ...cmd.lines);
  for (const a of r.add.filter((a) => a.afterLine === undefined)) lines.push(...a.lines);
  const fixed = lines.join('\n') + '\n';
  assert.equal(parse(fixed).spec.volumes.length, 2);
  assert.equal(checkApiserverManifest(fixed).ok, true, fixed);
});
