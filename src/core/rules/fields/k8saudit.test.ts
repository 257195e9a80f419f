import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAuditLine } from '../../k8s/audit-event.js';
import type { K8sAuditEvent } from '../../events/event.js';
import { imageRepository, isSensitiveHostPath, k8sauditFields } from './k8saudit.js';
import { expectCases } from '../../expect-cases.test-helpers.js';

const dir = new URL('../../../../test/conformance/falco-k8s-audit/', import.meta.url);
const load = (name: string): K8sAuditEvent => parseAuditLine(readFileSync(new URL(name, dir), 'utf8').split('\n')[0]!, 1)[0]!;
const byName = new Map(k8sauditFields.fields.map((f) => [f.name, f]));
const x = (e: K8sAuditEvent, name: string, arg?: string) => {
  const f = byName.get(name);
  assert.ok(f, `field ${name}`);
  return f.extract(e, arg);
};

test('field names are unique and documented', () => {
  assert.equal(byName.size, k8sauditFields.fields.length);
  for (const f of k8sauditFields.fields) assert.ok(f.desc.length > 5, f.name);
});

test('every ka.*/jevt.* field the Falco rules file references exists', () => {
  const text = readFileSync(new URL('../../../../test/conformance/falco-rules/k8s_audit_rules.yaml', import.meta.url), 'utf8');
  const used = new Set([...text.matchAll(/\b((?:ka|jevt)\.[A-Za-z0-9_.]+)/g)].map((m) => m[1]!.replace(/\.$/, '')));
  for (const name of used) assert.ok(byName.has(name), name);
});

test('request metadata fields', () => {
  const e = load('exec_pod.json');
  assert.equal(x(e, 'ka.stage'), 'ResponseStarted');
  assert.equal(x(e, 'ka.verb'), 'create');
  assert.equal(x(e, 'ka.target.resource'), 'pods');
  assert.equal(x(e, 'ka.target.subresource'), 'exec');
  assert.equal(x(e, 'ka.target.namespace'), 'default');
  assert.equal(x(e, 'ka.uri.param', 'command'), 'bash');
  assert.equal(x(e, 'ka.uri.param', 'container'), 'nginx1');
  assert.equal(x(e, 'ka.uri.param', 'nope'), undefined);
  assert.equal(x(e, 'ka.response.code'), '101');
  assert.equal(x(e, 'ka.auth.decision'), 'allow');
  assert.deepEqual(x(e, 'ka.user.groups'), ['system:masters', 'system:authenticated']);
  assert.deepEqual(x(e, 'ka.sourceips'), ['192.168.99.1']);
  assert.equal(x(e, 'ka.impuser.name'), undefined);
  assert.equal(x(e, 'jevt.value', '/stage'), 'ResponseStarted');
  assert.equal(x(e, 'jevt.value', '/user/groups/0'), 'system:masters');
  assert.equal(x(e, 'jevt.value', '/responseStatus'), '{"code":101,"metadata":{}}');
  assert.equal(x(e, 'jevt.value', '/requestObject'), undefined);
  assert.equal(x(e, 'jevt.rawtime'), '1540561114902914000');
  assert.equal(x(load('create_secret.json'), 'ka.target.subresource'), undefined);
});

test('pod fields cover regular, init and ephemeral containers', () => {
  const p = load('create_nginx_pod_privileged_2nd_container.json');
  assert.deepEqual(x(p, 'ka.req.pod.containers.privileged'), ['false', 'true']);
  assert.deepEqual(x(p, 'ka.req.pod.containers.image.repository'), ['nginx', 'mysql']);
  assert.deepEqual(x(p, 'ka.req.pod.containers.image', '1'), ['mysql:latest']);
  assert.equal(x(p, 'ka.req.container.privileged'), 'true');
  const hn = load('create_nginx_pod_hostnetwork.json');
  assert.equal(x(hn, 'ka.req.pod.host_network'), 'true');
  assert.equal(x(hn, 'ka.req.pod.host_pid'), undefined);
  const m = load('create_nginx_pod_sensitive_mount_2nd_container.json');
  assert.deepEqual(x(m, 'ka.req.pod.volumes.hostpath'), ['/etc']);
  assert.equal(x(m, 'ka.req.volume.hostpath', '/et*'), 'true');
  assert.deepEqual(x(m, 'ka.req.pod.volumes.volume_type'), ['hostPath']);

  const audit = structuredClone(p.audit) as any;
  audit.requestObject.spec.initContainers = [
    { name: 'init', image: 'busybox:1', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN', 'NET_ADMIN'] } } },
  ];
  audit.requestObject.spec.ephemeralContainers = [{ name: 'dbg', image: 'reg:5000/debug@sha256:ab', securityContext: { runAsUser: 7 } }];
  audit.requestObject.spec.securityContext = { runAsUser: 1000 };
  audit.requestObject.spec.volumes = [{ name: 'a', hostPath: { path: '/var/run/./' } }];
  const e: K8sAuditEvent = { ...p, audit };
  assert.deepEqual(x(e, 'ka.req.pod.containers.image.repository'), ['nginx', 'mysql', 'busybox', 'reg:5000/debug']);
  assert.deepEqual(x(e, 'ka.req.pod.initContainers.privileged'), ['true']);
  assert.deepEqual(x(e, 'ka.req.pod.containers.add_capabilities'), ['SYS_ADMIN', 'NET_ADMIN']);
  assert.deepEqual(x(e, 'ka.req.pod.ephemeralContainers.name'), ['dbg']);
  assert.deepEqual(x(e, 'ka.req.pod.containers.eff_run_as_user'), ['1000', '1000', '1000', '7']);
  assert.deepEqual(x(e, 'ka.req.pod.volumes.hostpath.normalized'), ['/var/run']);
  assert.equal(x(e, 'jevt.value', '/requestObject/spec/initContainers/0/securityContext/capabilities/add/1'), 'NET_ADMIN');
  // The EphemeralContainers kind (Kubernetes 1.16-1.21) has its list at the top level.
  const old: K8sAuditEvent = {
    ...p,
    audit: { ...p.audit, requestObject: { kind: 'EphemeralContainers', ephemeralContainers: [{ name: 'd', image: 'busybox' }] } },
  };
  assert.deepEqual(x(old, 'ka.req.pod.ephemeralContainers.image'), ['busybox']);
  assert.deepEqual(x(old, 'ka.req.pod.containers.image'), ['busybox']);
});

test('RBAC fields', () => {
  const b = load('attach_cluster_admin_role.json');
  assert.equal(x(b, 'ka.req.binding.role'), 'cluster-admin');
  assert.equal(x(b, 'ka.req.binding.role.kind'), 'ClusterRole');
  assert.deepEqual(x(b, 'ka.req.binding.subjects.name'), ['minikube']);
  assert.match((x(b, 'ka.req.binding.subjects') as string[])[0]!, /"kind":"User"/);
  const w = load('create_cluster_role_write_privileges.json');
  assert.deepEqual(x(w, 'ka.req.role.rules.verbs'), ['get', 'delete']);
  assert.deepEqual(x(w, 'ka.req.role.rules.write_resources'), []);
  assert.ok((x(w, 'ka.req.role.rules.write_nonresource_urls') as string[]).includes('/api'));
  const pe = load('create_cluster_role_pod_exec.json');
  assert.deepEqual(x(pe, 'ka.req.role.rules.resources'), ['pods/exec']);
  assert.equal((x(pe, 'ka.req.role.rules') as string[]).length, 2);
});

test('sensitive host paths', () => {
  assert.ok(isSensitiveHostPath('/'));
  assert.ok(isSensitiveHostPath('/etc/'));
  assert.ok(isSensitiveHostPath('/etc/kubernetes/pki'));
  assert.ok(isSensitiveHostPath('/var/run/docker.sock'));
  assert.ok(isSensitiveHostPath('/run/containerd/containerd.sock'));
  assert.ok(isSensitiveHostPath('//var/lib/kubelet/../kubelet/pods'));
  assert.ok(isSensitiveHostPath('/data/../etc'));
  assert.ok(!isSensitiveHostPath('/etc/hosts'));
  assert.ok(!isSensitiveHostPath('/run/xtables.lock'));
  assert.ok(!isSensitiveHostPath('/data/logs'));
  assert.ok(!isSensitiveHostPath('/etcd-backup'));
  const m = load('create_nginx_pod_sensitive_mount.json');
  assert.deepEqual(x(m, 'ka.req.pod.volumes.hostpath.sensitive'), ['/etc']);
});

test('image repository', () => {
  expectCases(imageRepository, [
    ['nginx', 'nginx'],
    ['nginx:1.25', 'nginx'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b'],
    ['localhost:5000/a/b', 'localhost:5000/a/b'],
    ['docker.io/falcosecurity/falco@sha256:abc', 'docker.io/falcosecurity/falco'],
  ]);
});

test('a crafted, deeply nested body does not make extraction throw', () => {
  const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
  const e = load('create_secret.json');
  const bomb: K8sAuditEvent = { ...e, audit: { ...e.audit, requestObject: { data: deep, rules: [deep], spec: { volumes: deep } } } };
  for (const f of k8sauditFields.fields) f.extract(bomb, f.arg === 'required' ? '/requestObject' : undefined);
  assert.equal(x(bomb, 'jevt.obj'), undefined);
});
