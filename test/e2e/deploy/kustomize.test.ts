// deploy/: every overlay renders with `kubectl kustomize` (Debian
// kubernetes-client in CI) and every rendered object validates against the
// Kubernetes API schemas (kubernetes-models), unknown fields included; a
// misspelled field fails. Also the ValidatingWebhookConfiguration that
// `vigil admission webhook-config` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { validateK8sObject } from './k8s-schema.js';
import { validatingWebhookConfiguration } from '../../../src/core/admission/webhook-config.js';
import { createSelfSignedCert } from '../../../src/node/k8s/self-signed-cert.js';

const root = join(import.meta.dirname, '..', '..', '..');
type Obj = Record<string, any>;

function render(dir: string): Obj[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `kubectl kustomize ${dir}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

test('every overlay renders and every object is valid against the API schemas', () => {
  for (const overlay of ['production', 'minimal']) {
    const objs = render(join(root, 'deploy', 'overlays', overlay));
    const problems = objs.flatMap((o) => validateK8sObject(o, `${overlay}: ${o.kind}/${o.metadata?.name}`));
    assert.deepEqual(problems, []);
    assert.ok(
      objs.every(
        (o) => o.kind === 'Namespace' || o.kind.startsWith('Cluster') || o.kind === 'ValidatingWebhookConfiguration' || o.metadata.namespace === 'vigil',
      ),
      'namespaced objects are in vigil',
    );
    assert.ok(!objs.some((o) => o.kind === 'Secret'), 'no secret is shipped');
  }
  const objs = render(join(root, 'deploy', 'overlays', 'production'));
  const by = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;
  const svc = by('Service', 'vigil-server');
  assert.deepEqual(
    svc.spec.ports.map((p: Obj) => p.port),
    [8080, 8091],
  );
  assert.equal(by('Deployment', 'vigil-server').spec.replicas, 2);
  assert.equal(by('Deployment', 'vigil-server').spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name, 'vigil-db');
  assert.ok(by('Deployment', 'vigil-worker').spec.template.spec.containers[0].args.includes('worker'));
  for (const d of ['vigil-server', 'vigil-worker', 'vigil-admission', 'vigil-audit']) {
    const pod = by('Deployment', d).spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true, d);
    assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false, d);
    assert.equal(pod.automountServiceAccountToken, false, `${d} does not call the API`);
  }
  const agent = by('DaemonSet', 'vigil-agent').spec.template.spec;
  assert.deepEqual(agent.tolerations, [{ operator: 'Exists' }]);
  assert.equal(agent.hostPID, true);
  assert.equal(agent.containers[0].securityContext.privileged, false);
  assert.deepEqual(agent.containers[0].securityContext.capabilities.drop, ['ALL']);
  const role = by('ClusterRole', 'vigil-agent');
  assert.ok(
    role.rules.every((r: Obj) => r.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))),
    'the agent only reads',
  );
  const vwc = by('ValidatingWebhookConfiguration', 'vigil-admission');
  assert.deepEqual(
    vwc.webhooks.map((w: Obj) => w.failurePolicy),
    ['Ignore', 'Ignore'],
    'the placeholder fails open',
  );
  assert.ok(objs.filter((o) => o.kind === 'NetworkPolicy').length >= 5);
  const kubeconfig = parse(readFileSync(join(root, 'deploy', 'apiserver', 'audit-webhook-kubeconfig.yaml'), 'utf8'));
  assert.equal(kubeconfig.kind, 'Config');
  assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/.*\/k8s\/audit$/);
});

test('a misspelled field fails validation (rendered copy and a real overlay with a typo patch)', () => {
  const objs = render(join(root, 'deploy', 'overlays', 'minimal'));
  const ds = structuredClone(objs.find((o) => o.kind === 'DaemonSet')!);
  ds.spec.template.spec.containers[0].securityContex = ds.spec.template.spec.containers[0].securityContext;
  delete ds.spec.template.spec.containers[0].securityContext;
  assert.match(validateK8sObject(ds, 'ds').join('\n'), /unknown field \.spec\.template\.spec\.containers\[0\]\.securityContex/);
  const svc = structuredClone(objs.find((o) => o.kind === 'Service')!);
  svc.spec.ports[0].port = '8080x';
  assert.match(validateK8sObject(svc, 'svc').join('\n'), /port must be integer/);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kustomize-'));
  try {
    const base = relative(dir, join(root, 'deploy', 'base', 'server'));
    writeFileSync(join(dir, 'kustomization.yaml'), `bases:\n  - ${base}\npatchesStrategicMerge:\n  - typo.yaml\n`);
    writeFileSync(join(dir, 'typo.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vigil-server\nspec:\n  replicass: 3\n');
    const bad = render(dir).flatMap((o) => validateK8sObject(o, `${o.kind}/${o.metadata?.name}`));
    assert.deepEqual(bad, ['Deployment/vigil-server Deployment: unknown field .spec.replicass']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`vigil admission webhook-config` output is a valid ValidatingWebhookConfiguration with the CA bundle', () => {
  const { certPem } = createSelfSignedCert(['vigil-admission.vigil.svc']);
  for (const o of [{ service: { namespace: 'vigil', name: 'vigil-admission', port: 443 } }, { url: 'https://adm.example:8443' }]) {
    const vwc = validatingWebhookConfiguration({ caPem: certPem, failurePolicy: 'fail', ...o });
    assert.deepEqual(validateK8sObject(vwc, 'vwc'), []);
    const w = (vwc.webhooks as Obj[])[0]!;
    assert.equal(Buffer.from(w.clientConfig.caBundle, 'base64').toString(), certPem);
    assert.equal(w.failurePolicy, 'Fail');
  }
  assert.throws(() => validatingWebhookConfiguration({ caPem: 'nope', failurePolicy: 'fail', url: 'https://x' }), /--ca is not a PEM certificate/);
  assert.throws(() => validatingWebhookConfiguration({ caPem: certPem, failurePolicy: 'fail', url: 'http://x' }), /--url must be https/);
});
