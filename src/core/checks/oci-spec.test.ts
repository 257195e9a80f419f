// The OCI runtime spec adapter on specs containerd itself wrote
// (testdata/containerd/README.md), and the checks' findings on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ociSpecContainerSpec } from './oci-spec.js';
import { runEnvChecks as runChecks } from './index.js';
import { InputError } from '../errors.js';

const spec = (n: string): unknown => JSON.parse(readFileSync(new URL(`./testdata/containerd/${n}.json`, import.meta.url), 'utf8'));
const meta = { id: 'web', image: 'docker.io/library/debian:12', labels: {} };

test('an added capability and a host /etc bind mount, no seccomp', () => {
  const s = ociSpecContainerSpec(spec('cap-mount'), meta);
  assert.deepEqual(s.capAdd, ['SYS_PTRACE']);
  assert.equal(s.privileged, false);
  assert.deepEqual(
    s.mounts.map((m) => [m.source, m.destination, m.readOnly]),
    [['/etc', '/hostetc', true]],
  );
  assert.deepEqual([s.hostPID, s.hostNetwork, s.hostIPC], [false, false, false]);
  assert.equal(s.seccomp, 'unconfined');
  const checks = runChecks(s).map((f) => f.check);
  assert.deepEqual(checks.sort(), ['capabilities', 'host-mounts', 'seccomp']);
});

test("containerd's default seccomp profile and default capabilities: nothing to report", () => {
  const s = ociSpecContainerSpec(spec('seccomp-default'), meta);
  assert.deepEqual(s.capAdd, []);
  assert.equal(s.seccomp, undefined);
  assert.deepEqual(runChecks(s), []);
});

test('privileged: every capability, no masked paths; named once, not as 26 capabilities', () => {
  const s = ociSpecContainerSpec(spec('privileged'), meta);
  assert.equal(s.privileged, true);
  assert.deepEqual(s.capAdd, []);
  assert.ok(runChecks(s).some((f) => f.check === 'privileged'));
});

test('host PID namespace joined by path, host network (no namespace listed)', () => {
  const s = ociSpecContainerSpec(spec('host-pid-net'), meta);
  assert.deepEqual([s.hostPID, s.hostNetwork, s.hostIPC], [true, true, false]);
  // --net-host bind-mounts /etc/hosts and /etc/resolv.conf: allowed paths, not findings
  assert.ok(s.mounts.some((m) => m.source === '/etc/resolv.conf'));
  assert.deepEqual(
    runChecks(s).filter((f) => f.check === 'host-mounts'),
    [],
  );
});

test("Kubernetes' labels name the pod, its namespace and the container", () => {
  const labels = { 'io.kubernetes.pod.name': 'web-1', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.container.name': 'nginx' };
  const s = ociSpecContainerSpec(spec('seccomp-default'), { ...meta, id: 'a'.repeat(64), labels });
  assert.deepEqual([s.kind, s.namespace, s.name, s.container], ['Pod', 'shop', 'web-1', 'nginx']);
});

test('broken specs: not an object is an error naming where; odd shapes read as little as they say', () => {
  assert.throws(
    () => ociSpecContainerSpec('nope', meta, 'containerd default/web spec'),
    (e: unknown) => e instanceof InputError && e.code === 'CHECK_INPUT_INVALID' && /containerd default\/web spec/.test(e.message),
  );
  const odd = ociSpecContainerSpec(
    { process: { capabilities: { bounding: [1, null, 'CAP_BPF'] } }, mounts: [{ type: 'bind', source: 5 }, 'x'], linux: [] },
    meta,
  );
  assert.deepEqual(odd.capAdd, ['BPF']);
  assert.deepEqual(odd.mounts, []);
  const many = { process: { capabilities: { bounding: Array.from({ length: 100_000 }, (_, i) => `CAP_X${i}`) } }, linux: { seccomp: {} } };
  assert.ok(ociSpecContainerSpec(many, meta).capAdd.length <= 256);
});
