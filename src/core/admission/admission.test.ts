import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { plainContainerSpec, type ContainerSpec } from '../checks/spec.js';
import { parseImageRef } from './image-ref.js';
import { validateAdmissionPolicies, validateAdmissionPolicy, type AdmissionPolicy } from './policy.js';
import { decideAdmission, type ImageFacts } from './decide.js';
import { FactsTable, factsFromDocument, factsFromScanReport } from './facts.js';
import { parseAuthZRequest } from './docker-authz.js';

const example = (n: string) => validateAdmissionPolicies(parse(readFileSync(new URL(`../../../examples/admission/${n}`, import.meta.url), 'utf8')), n);
const base: ContainerSpec = plainContainerSpec({
  kind: 'Pod',
  namespace: 'default',
  name: 'p',
  container: 'c',
  image: 'registry.example.com/app:1.0',
});
const NOW = Date.parse('2026-12-01T00:00:00Z');
const clean: ImageFacts = {
  scanned: true,
  scannedAt: '2026-11-30T00:00:00Z',
  vulnerabilities: { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 },
  malware: 0,
  secrets: 0,
};

function decide(policies: AdmissionPolicy[], spec: Partial<ContainerSpec>, facts: ImageFacts | null = clean, target: 'kubernetes' | 'docker' = 'kubernetes') {
  return decideAdmission(policies, { target, specs: [{ ...base, ...spec }] }, () => facts ?? undefined, NOW);
}
const pol = (rules: object, extra: object = {}) => validateAdmissionPolicy({ name: 't', mode: 'enforce', rules, ...extra });
const rulesOf = (d: ReturnType<typeof decide>) => d.reasons.map((r) => r.rule);

test('image references normalise as Docker does', () => {
  assert.equal(parseImageRef('nginx').full, 'docker.io/library/nginx:latest');
  assert.equal(parseImageRef('nginx:1.25').full, 'docker.io/library/nginx:1.25');
  assert.equal(parseImageRef('acme/app').name, 'docker.io/acme/app');
  const d = parseImageRef(`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`);
  assert.equal(d.registry, 'ghcr.io');
  assert.equal(d.tag, '');
  assert.equal(parseImageRef('localhost:5000/x/y:2').registry, 'localhost:5000');
  for (const badRef of ['', 'UPPER/Case', 'a@sha256:zz', 'x:bad tag', 'a'.repeat(1001)])
    assert.throws(() => parseImageRef(badRef), /IMAGE|image|digest|tag|repository|empty/);
});

test('example policies validate and do what their comments say', () => {
  const danger = example('block-dangerous-settings.yaml');
  const vulns = example('block-critical-vulns.yaml');
  assert.deepEqual(
    vulns.map((p) => [p.name, p.mode]),
    [
      ['block-critical-vulns', 'enforce'],
      ['warn-high-vulns', 'warn'],
    ],
  );
  assert.equal(decide(danger, {}).allowed, true);
  assert.deepEqual(rulesOf(decide(danger, { privileged: true })), ['container.privileged']);
  assert.deepEqual(rulesOf(decide(danger, { capAdd: ['CAP_SYS_ADMIN'] })), ['container.capabilities']);
  assert.deepEqual(rulesOf(decide(danger, { capAdd: ['all'] })), ['container.capabilities']);
  assert.equal(decide(danger, { capAdd: ['NET_BIND_SERVICE'] }).allowed, true);
  assert.deepEqual(rulesOf(decide(danger, { hostPID: true, hostNetwork: true, hostIPC: true })), [
    'container.hostNamespaces',
    'container.hostNamespaces',
    'container.hostNamespaces',
  ]);
  for (const p of ['/', '/etc', '/etc/kubernetes', '/proc', '/var/run/docker.sock', '//etc/']) {
    assert.deepEqual(rulesOf(decide(danger, { mounts: [{ source: p, destination: '/h', type: 'hostPath' }] })), ['container.hostMounts'], p);
  }
  for (const p of ['/data', '/etc/hosts', '/srv/etc'])
    assert.equal(decide(danger, { mounts: [{ source: p, destination: '/h', type: 'bind' }] }).allowed, true, p);
  assert.deepEqual(rulesOf(decide(danger, { seccomp: 'unconfined' })), ['container.seccomp']);
  assert.equal(decide(danger, { seccomp: 'runtime/default' }).allowed, true);
  // scope and exception
  assert.equal(decide(danger, { privileged: true, namespace: 'kube-system' }).allowed, true);
  assert.equal(decide(danger, { privileged: true, namespace: 'vigil', labels: { 'app.kubernetes.io/name': 'vigil-agent' } }).allowed, true);
  assert.equal(decide(danger, { privileged: true, namespace: 'vigil', labels: { 'app.kubernetes.io/name': 'other' } }).allowed, false);
  // reasons name the alert type of the catalog
  assert.equal(decide(danger, { privileged: true }).denied[0]!.alertType, 'container/abnormal-startup');

  assert.equal(decide(vulns, {}).allowed, true);
  const unscanned = decide(vulns, {}, null);
  assert.equal(unscanned.allowed, false);
  assert.deepEqual(rulesOf(unscanned), ['scan.required']);
  assert.equal(unscanned.denied[0]!.alertType, 'container/image-blocked');
  const v = (x: Partial<NonNullable<ImageFacts['vulnerabilities']>>) => ({
    ...clean,
    vulnerabilities: { critical: 0, high: 0, criticalFixable: 0, highFixable: 0, ...x },
  });
  assert.deepEqual(rulesOf(decide(vulns, {}, v({ critical: 1, criticalFixable: 1 }))), ['vulnerabilities.critical']);
  assert.equal(decide(vulns, {}, v({ critical: 3, criticalFixable: 0 })).allowed, true, 'unfixable criticals pass with fixableOnly');
  const warned = decide(vulns, {}, v({ high: 11, highFixable: 11 }));
  assert.equal(warned.allowed, true);
  assert.deepEqual(
    warned.warnings.map((w) => w.rule),
    ['vulnerabilities.high'],
  );
  assert.equal(decide(vulns, {}, v({ high: 10, highFixable: 10 })).warnings.length, 0);
  assert.deepEqual(rulesOf(decide(vulns, {}, { ...clean, malware: 2 })), ['malware']);
  assert.deepEqual(rulesOf(decide(vulns, {}, { ...clean, scannedAt: '2026-10-01T00:00:00Z' })), ['scan.maxAge']);
  assert.deepEqual(rulesOf(decide(vulns, { image: 'nginx' })), ['images.latest']);
  assert.deepEqual(rulesOf(decide(vulns, { image: 'nginx:latest' })), ['images.latest']);
  assert.equal(decide(vulns, { image: 'nginx:1.25' }).allowed, true);
});

test('registry allow/deny lists, image deny globs and digests', () => {
  const p = [
    pol({
      registries: { allow: ['registry.example.com', 'ghcr.io/acme'], deny: ['evil.example.org'] },
      images: { deny: ['*/debug-*', 'docker.io/library/busybox:*'], requireDigest: false },
    }),
  ];
  assert.equal(decide(p, {}).allowed, true);
  assert.equal(decide(p, { image: 'ghcr.io/acme/app:2' }).allowed, true);
  assert.deepEqual(rulesOf(decide(p, { image: 'ghcr.io/other/app:2' })), ['registries.allow']);
  assert.deepEqual(rulesOf(decide(p, { image: 'nginx:1' })), ['registries.allow']);
  assert.deepEqual(rulesOf(decide(p, { image: 'registry.example.com.evil.io/app:1' })), ['registries.allow']);
  assert.deepEqual(rulesOf(decide([pol({ registries: { deny: ['evil.example.org'] } })], { image: 'evil.example.org/x:1' })), ['registries.deny']);
  assert.deepEqual(rulesOf(decide(p, { image: 'registry.example.com/debug-shell:1' })), ['images.deny']);
  assert.deepEqual(rulesOf(decide([pol({ images: { deny: ['docker.io/library/busybox:*'] } })], { image: 'busybox:1.36' })), ['images.deny']);
  const dig = [pol({ images: { requireDigest: true } })];
  assert.deepEqual(rulesOf(decide(dig, {})), ['images.digest']);
  assert.equal(decide(dig, { image: `registry.example.com/app@sha256:${'b'.repeat(64)}` }).allowed, true);
  assert.deepEqual(rulesOf(decide(p, { image: 'Not A Ref' })), ['images.deny']);
});

test('modes, scopes, targets, exceptions per rule', () => {
  const rules = { container: { privileged: true } };
  assert.equal(decide([pol(rules, { mode: 'warn' })], { privileged: true }).allowed, true);
  assert.equal(decide([pol(rules, { mode: 'warn' })], { privileged: true }).warnings.length, 1);
  const audit = decide([pol(rules, { mode: 'audit' })], { privileged: true });
  assert.equal(audit.allowed, true);
  assert.equal(audit.warnings.length, 0);
  assert.equal(audit.audited.length, 1);
  assert.equal(decide([pol(rules, { mode: 'alert' })], { privileged: true }).audited.length, 1, 'the server mode alert means audit');
  const scoped = [pol(rules, { scope: { namespaces: ['prod-*'], labels: { tier: 'web*' } } })];
  assert.equal(decide(scoped, { privileged: true, namespace: 'dev' }).allowed, true);
  assert.equal(decide(scoped, { privileged: true, namespace: 'prod-eu' }).allowed, true, 'labels do not match');
  assert.equal(decide(scoped, { privileged: true, namespace: 'prod-eu', labels: { tier: 'web-1' } }).allowed, false);
  assert.equal(decide(scoped, { privileged: true, namespace: '' }, clean, 'docker').allowed, true, 'namespace scope never matches Docker');
  const k8sOnly = [pol(rules, { scope: { targets: ['kubernetes'] } })];
  assert.equal(decide(k8sOnly, { privileged: true }, clean, 'docker').allowed, true);
  assert.equal(decide(k8sOnly, { privileged: true }).allowed, false);
  const exc = [
    pol(
      { container: { privileged: true, hostNamespaces: ['pid'] } },
      { exceptions: [{ images: ['registry.example.com/app:*'], rules: ['container.privileged'] }] },
    ),
  ];
  assert.deepEqual(rulesOf(decide(exc, { privileged: true, hostPID: true })), ['container.hostNamespaces']);
  assert.deepEqual(rulesOf(decide(exc, { privileged: true, image: 'registry.example.com/other:1' })), ['container.privileged']);
  const beyond = [pol({ container: { capabilities: 'beyond-default', privilegeEscalation: true } })];
  assert.deepEqual(rulesOf(decide(beyond, { capAdd: ['NET_ADMIN'] })), ['container.capabilities']);
  assert.equal(decide(beyond, { capAdd: ['CHOWN'] }).allowed, true);
  assert.deepEqual(rulesOf(decide(beyond, { allowPrivilegeEscalation: true })), ['container.privilegeEscalation']);
  assert.deepEqual(
    rulesOf(decide([pol({ container: { hostMounts: 'dangerous' } })], { mounts: [{ source: '/var/lib/kubelet', destination: '/k', type: 'hostPath' }] })),
    ['container.hostMounts'],
  );
});

test('policy validation names the field and the reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ name: 'x', rules: { container: { privileged: 'yes' } } }, /policy\.rules\.container\.privileged: must be true or false/],
    [{ name: 'x', rules: { contianer: {} } }, /policy\.rules\.contianer: unknown field/],
    [{ name: 'x', mode: 'block', rules: { malware: true } }, /policy\.mode: must be enforce, warn or audit/],
    [{ name: 'x', rules: {} }, /policy\.rules: the policy has no rule/],
    [{ name: 'bad name', rules: { malware: true } }, /policy\.name/],
    [{ name: 'x', rules: { vulnerabilities: { maxCritical: -1 } } }, /maxCritical: must be a whole number/],
    [{ name: 'x', rules: { container: { hostNamespaces: ['uts'] } } }, /hostNamespaces\[0\]: must be pid, network or ipc/],
    [{ name: 'x', rules: { container: { hostMounts: ['etc'] } } }, /hostMounts\[0\]: must be an absolute host path/],
    [{ name: 'x', rules: { malware: true }, exceptions: [{ rules: ['malware'] }] }, /exceptions\[0\]: needs images, namespaces or labels/],
    [{ name: 'x', rules: { malware: true }, exceptions: [{ images: ['a'], rules: ['nope'] }] }, /exceptions\[0\]\.rules\[0\]: unknown rule/],
    [{ name: 'x', rules: { registries: { allow: ['a'.repeat(501)] } } }, /longer than 500/],
    ['just a string', /must be a mapping/],
  ];
  for (const [doc, re] of cases)
    assert.throws(
      () => validateAdmissionPolicy(doc),
      (e: Error) => re.test(e.message) && !e.message.includes('\n'),
      String(re),
    );
  assert.throws(
    () =>
      validateAdmissionPolicies([
        { name: 'a', rules: { malware: true } },
        { name: 'a', rules: { malware: true } },
      ]),
    /duplicate policy name a/,
  );
  // The server's earlier flat keys still mean the same.
  const legacy = validateAdmissionPolicy({ name: 'l', maxCritical: 0, requireScan: true, allowedRegistries: ['registry.example.com'] });
  assert.deepEqual(legacy.rules, { vulnerabilities: { maxCritical: 0 }, scan: { required: true }, registries: { allow: ['registry.example.com'] } });
});

test('facts tables: by tag and by digest, from a facts file and from a scan report', () => {
  const t = factsFromDocument(
    { images: { 'nginx:1.25': { scanned: true, digest: `sha256:${'c'.repeat(64)}`, vulnerabilities: { critical: 2, criticalFixable: 1 } } } },
    'facts.json',
  );
  assert.equal(t.get(parseImageRef('docker.io/library/nginx:1.25'))?.vulnerabilities?.critical, 2);
  assert.equal(t.get(parseImageRef(`nginx@sha256:${'c'.repeat(64)}`))?.scanned, true);
  assert.equal(t.get(parseImageRef('nginx:1.26')), undefined);
  assert.throws(
    () => factsFromDocument({ images: { 'nginx:1': { scanned: 'yes' } } }, 'facts.json'),
    /facts\.json: images\.nginx:1\.scanned: scanned must be true or false/,
  );
  assert.throws(() => factsFromDocument({ imgs: {} }, 'f.json'), /f\.json: must be a mapping with an "images" mapping/);
  const report = {
    schemaVersion: 1,
    artifact: { name: 'x.tar', type: 'docker-archive', repoTags: ['acme/app:1'] },
    packages: [],
    malware: [],
    secrets: [{}],
    baseline: [],
    files: [],
    vulnerabilities: [
      { severity: 'critical', fixedVersion: '1.2' },
      { severity: 'critical', fixedVersion: '' },
      { severity: 'high', fixedVersion: '3', ignored: true },
    ],
  };
  const r = factsFromScanReport(report as never, '2026-11-30T00:00:00Z', 'r.json', new FactsTable());
  assert.deepEqual(r.get(parseImageRef('acme/app:1')), {
    scanned: true,
    scannedAt: '2026-11-30T00:00:00Z',
    vulnerabilities: { critical: 2, high: 0, criticalFixable: 1, highFixable: 0 },
    malware: 0,
    secrets: 1,
  });
});

test('docker AuthZReq: only container creation is judged, its HostConfig read', () => {
  const body = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64');
  const req = parseAuthZRequest({
    User: '',
    RequestMethod: 'POST',
    RequestUri: '/v1.43/containers/create?name=web',
    RequestBody: body({
      Image: 'nginx:1',
      Labels: { a: 'b' },
      HostConfig: {
        Privileged: true,
        CapAdd: ['SYS_ADMIN'],
        Binds: ['/etc:/host:ro'],
        PidMode: 'host',
        NetworkMode: 'host',
        SecurityOpt: ['seccomp=unconfined'],
      },
    }),
  });
  const s = req.spec!;
  assert.equal(s.image, 'nginx:1');
  assert.equal(s.name, 'web');
  assert.deepEqual(s.labels, { a: 'b' });
  assert.equal(s.privileged && s.hostPID && s.hostNetwork, true);
  assert.deepEqual(s.capAdd, ['SYS_ADMIN']);
  assert.equal(s.seccomp, 'unconfined');
  assert.deepEqual(s.mounts, [{ source: '/etc', destination: '/host', type: 'bind', readOnly: true }]);
  assert.equal(parseAuthZRequest({ RequestMethod: 'GET', RequestUri: '/v1.43/containers/json' }).spec, undefined);
  assert.equal(parseAuthZRequest({ RequestMethod: 'POST', RequestUri: '/v1.43/containers/abc/start' }).spec, undefined);
  assert.throws(
    () =>
      parseAuthZRequest({ RequestMethod: 'POST', RequestUri: '/containers/create', RequestBody: body({ Image: 'x', HostConfig: { CapAdd: 'SYS_ADMIN' } }) }),
    /HostConfig\.CapAdd: expected a list of strings/,
  );
  assert.throws(() => parseAuthZRequest({ RequestMethod: 'POST', RequestUri: '/containers/create', RequestBody: 'not base64 json' }), /not JSON/);
  assert.throws(() => parseAuthZRequest('x'), /AuthZReq: body is not a JSON object/);
});
