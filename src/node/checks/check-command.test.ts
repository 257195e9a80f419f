import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCheckInput } from './read.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const td = (n: string) => join(root, 'src/core/checks/testdata', n);
const vigil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });

test('vigil check: JSON findings, --exit-code, table, safe twins exit 0', () => {
  const r = vigil('check', td('docker-unsafe.json'), '--format', 'json', '--exit-code', '4');
  assert.equal(r.status, 4, r.stderr);
  const out = JSON.parse(r.stdout) as { findings: Array<{ resource: Record<string, string>; check: string; type: string; severity: string; detail: string }> };
  assert.deepEqual([...new Set(out.findings.map((f) => f.check))].sort(), [
    'capabilities',
    'host-mounts',
    'host-namespaces',
    'no-new-privileges',
    'privileged',
    'seccomp',
  ]);
  assert.deepEqual(Object.keys(out.findings[0]!.resource).sort(), ['container', 'kind', 'name', 'namespace']);
  assert.ok(out.findings.every((f) => f.type === 'container/abnormal-startup' && f.severity && f.detail));
  const k = vigil('check', td('k8s-unsafe.yaml'), '--exit-code', '1');
  assert.equal(k.status, 1);
  assert.match(k.stdout, /Deployment\/shop\/api\s+init-perms\s+no-new-privileges/);
  assert.match(k.stdout, /14 findings in 4 containers/);
  const s = vigil('check', td('k8s-safe.yaml'), '--exit-code', '1', '--format', 'json');
  assert.equal(s.status, 0, s.stderr);
  assert.deepEqual(JSON.parse(s.stdout), { findings: [] });
  assert.equal(vigil('check', td('docker-safe.json'), '--exit-code', '1').status, 0);
});

test('vigil check: bad input is exit 2 with one line naming the file, never a stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-check-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Pod\nmetadata: {name: x\nspec: [\n');
    const r = vigil('check', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^vigil: .*bad\.yaml: line \d+: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const missing = vigil('check', join(dir, 'nope.json'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.json: no such file/);
    assert.equal(vigil('check', td('k8s-safe.yaml'), '--format', 'xml').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('check input parsing: JSON Pod, empty, binary, wrong shapes', () => {
  assert.equal(parseCheckInput('{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}', 'p.json').specs.length, 1);
  assert.deepEqual(parseCheckInput('', 'e.yaml').specs, []);
  assert.deepEqual(parseCheckInput('[]', 'e.json').specs, []);
  assert.throws(() => parseCheckInput('a\u0000b', 'bin'), /bin: not a text file/);
  assert.throws(() => parseCheckInput('- 1\n- 2\n', 'l.yaml'), /l\.yaml: not a Kubernetes object/);
  assert.throws(() => parseCheckInput('kind: Pod\nmetadata: {name: p}\nspec: {containers: [7]}\n', 'x.yaml'), /spec\.containers\[0\] is not an object/);
  assert.throws(() => parseCheckInput('a: &a [*a, *a]\nb: *a\n'.repeat(1), 'alias.yaml'), /alias\.yaml/);
  assert.deepEqual(parseCheckInput('kind: ConfigMap\nmetadata: {name: c}\n', 'c.yaml').skipped, ['ConfigMap/c']);
});
