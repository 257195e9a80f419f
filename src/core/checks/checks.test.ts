import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { dockerInspectSpecs } from './docker-inspect.js';
import { k8sWorkloadSpecs } from './k8s-workload.js';
import { checkSpecs } from './run.js';
import { dangerousHostPath, normalisePath } from './host-mounts.js';
import { envCheckIndex } from './index.js';
import { plainContainerSpec, type ContainerSpec } from './spec.js';

const td = (n: string) => readFileSync(new URL(`./testdata/${n}`, import.meta.url), 'utf8');
const k8s = (text: string) => parseAllDocuments(text).flatMap((d) => k8sWorkloadSpecs(d.toJS()).specs);
const base: ContainerSpec = plainContainerSpec({
  kind: 'Pod',
  namespace: 'default',
  name: 'p',
  container: 'c',
});
const checksOf = (s: Partial<ContainerSpec>) => checkSpecs([{ ...base, ...s }]).map((f) => f.check);

test('each check flags its unsafe setting and passes the safe twin', () => {
  assert.deepEqual(checksOf({ privileged: true }), ['privileged']);
  assert.deepEqual(checksOf({ privileged: false }), []);
  assert.deepEqual(checksOf({ capAdd: ['SYS_ADMIN'] }), ['capabilities']);
  assert.deepEqual(checksOf({ capAdd: ['all'] }), ['capabilities']);
  assert.deepEqual(checksOf({ capAdd: ['CAP_NET_BIND_SERVICE', 'chown', 'KILL', 'AUDIT_WRITE'] }), []);
  assert.deepEqual(checksOf({ seccomp: 'unconfined' }), ['seccomp']);
  assert.deepEqual(checksOf({ seccomp: 'runtime/default' }), []);
  assert.deepEqual(checksOf({ allowPrivilegeEscalation: true }), ['no-new-privileges']);
  assert.deepEqual(checksOf({ noNewPrivileges: false }), ['no-new-privileges']);
  assert.deepEqual(checksOf({ allowPrivilegeEscalation: false, noNewPrivileges: true }), []);
  assert.deepEqual(checksOf({ hostPID: true, hostNetwork: true, hostIPC: true }), ['host-namespaces', 'host-namespaces', 'host-namespaces']);
  for (const p of [
    '/',
    '/boot',
    '/dev',
    '/etc',
    '/etc/kubernetes',
    '/sys',
    '/proc',
    '/root',
    '/var/run',
    '/var/run/docker.sock',
    '/run/containerd/containerd.sock',
    '/var/lib/kubelet',
    '/var/lib/kubelet/pki',
    '//etc/',
    '/var/../etc',
  ]) {
    assert.deepEqual(checksOf({ mounts: [{ source: p, destination: '/x', type: 'hostPath' }] }), ['host-mounts'], p);
  }
  for (const p of ['/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/data', '/var/log/app', '/srv', '/home/app', '/tmp', '/etcetera']) {
    assert.deepEqual(checksOf({ mounts: [{ source: p, destination: '/x', type: 'bind' }] }), [], p);
  }
  assert.deepEqual(checksOf({ mounts: [{ source: '/etc', destination: '/x', type: 'volume' }] }), []);
  assert.equal(normalisePath('/a//b/./c/'), '/a/b/c');
  assert.equal(dangerousHostPath('/etc/hosts'), undefined);
  assert.deepEqual(
    envCheckIndex.all().map((c) => c.id),
    ['capabilities', 'host-mounts', 'host-namespaces', 'no-new-privileges', 'privileged', 'seccomp'],
  );
});

test('docker inspect: every unsafe setting found, details name the values', () => {
  const f = checkSpecs(dockerInspectSpecs(JSON.parse(td('docker-unsafe.json'))));
  const by = (c: string) => f.filter((x) => x.check === c).map((x) => x.detail);
  assert.deepEqual(by('privileged').length, 1);
  assert.deepEqual(by('capabilities'), ['added capabilities beyond the default set: NET_ADMIN, SYS_ADMIN']);
  assert.equal(by('seccomp').length, 1);
  assert.equal(by('no-new-privileges').length, 1);
  assert.deepEqual(by('host-mounts').sort(), [
    'host path / mounted at /host',
    'host path /etc/kubernetes mounted at /k8s',
    'host path /var/run/docker.sock mounted at /var/run/docker.sock',
  ]);
  assert.deepEqual(
    by('host-namespaces').map((d) => d.split(' ')[1]),
    ['PID', 'network', 'IPC'],
  );
  assert.ok(f.every((x) => x.type === 'container/abnormal-startup' && x.resource.kind === 'DockerContainer' && x.resource.name === 'pwn'));
  assert.deepEqual(f.map((x) => x.kind).sort()[0], 'mount');
  assert.deepEqual(checkSpecs(dockerInspectSpecs(JSON.parse(td('docker-safe.json')))), []);
  assert.deepEqual(checkSpecs(dockerInspectSpecs(JSON.parse(td('docker-safe-object.json')))), []);
});

test('docker inspect: seccomp/no-new-privileges spellings', () => {
  const one = (opts: string[]) => dockerInspectSpecs({ Name: '/x', HostConfig: { SecurityOpt: opts } })[0]!;
  assert.equal(one(['seccomp:unconfined']).seccomp, 'unconfined');
  assert.equal(one(['seccomp=unconfined']).seccomp, 'unconfined');
  assert.equal(one(['no-new-privileges']).noNewPrivileges, true);
  assert.equal(one(['no-new-privileges:false']).noNewPrivileges, false);
  assert.equal(one(['no-new-privileges=true']).noNewPrivileges, true);
  assert.throws(() => dockerInspectSpecs([{ HostConfig: { CapAdd: 'SYS_ADMIN' } }], 'f.json'), /f\.json\[0\]\.HostConfig\.CapAdd: expected a list of strings/);
  assert.throws(() => dockerInspectSpecs([42], 'f.json'), /f\.json\[0\]: not a container object/);
});

test('kubernetes: all workload kinds, init and ephemeral containers, pod-level seccomp', () => {
  const f = checkSpecs(k8s(td('k8s-unsafe.yaml')));
  const key = (x: (typeof f)[number]) => `${x.resource.kind}/${x.resource.namespace}/${x.resource.name}/${x.resource.container}:${x.check}`;
  assert.deepEqual(f.map(key).sort(), [
    'CronJob/default/backup/backup:host-mounts',
    'CronJob/default/backup/backup:seccomp',
    'Deployment/shop/api/api:capabilities',
    'Deployment/shop/api/api:seccomp',
    'Deployment/shop/api/init-perms:host-mounts',
    'Deployment/shop/api/init-perms:no-new-privileges',
    'Deployment/shop/api/init-perms:seccomp',
    'Pod/ops/debug/shell:capabilities',
    'Pod/ops/debug/shell:host-mounts',
    'Pod/ops/debug/shell:host-mounts',
    'Pod/ops/debug/shell:host-namespaces',
    'Pod/ops/debug/shell:host-namespaces',
    'Pod/ops/debug/shell:host-namespaces',
    'Pod/ops/debug/shell:privileged',
  ]);
  const safe = k8s(td('k8s-safe.yaml'));
  assert.deepEqual(
    safe.map((s) => `${s.kind}/${s.name}/${s.container}/${s.role}`),
    ['DaemonSet/agent/agent/container', 'Pod/plain/app/container', 'Pod/plain/debugger/ephemeral'],
  );
  assert.deepEqual(checkSpecs(safe), []);
  for (const kind of ['StatefulSet', 'ReplicaSet', 'Job', 'ReplicationController']) {
    const s = k8sWorkloadSpecs({
      kind,
      metadata: { name: 'w' },
      spec: { template: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } } },
    }).specs;
    assert.deepEqual(
      checkSpecs(s).map((x) => `${x.resource.kind}:${x.check}`),
      [`${kind}:privileged`],
    );
  }
  const ann = k8sWorkloadSpecs({
    kind: 'Pod',
    metadata: { name: 'a', annotations: { 'container.seccomp.security.alpha.kubernetes.io/c': 'unconfined' } },
    spec: { containers: [{ name: 'c' }] },
  }).specs;
  assert.equal(ann[0]!.seccomp, 'unconfined');
  assert.throws(
    () => k8sWorkloadSpecs({ kind: 'Pod', metadata: { name: 'p' }, spec: { containers: 'x' } }, 'in.yaml'),
    /in\.yaml Pod\/p: spec\.containers is not a list/,
  );
  assert.throws(() => k8sWorkloadSpecs({ metadata: {} }, 'in.yaml'), /object without a kind/);
});
