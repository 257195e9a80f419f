import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTALLED, assertTrivy, describe, fixtureLayer, trivyExpected, trivyFile } from '../js-lock-fixtures.test.js';
import { LockfileError } from '../js-lock.js';
import { parsePnpmKey, parsePnpmLock } from '../pnpm-lock.js';
import { runAnalyzer } from '../test-harness.js';
import pnpm, { pnpmComponentId } from './pnpm.js';
import { loadYaml } from '../yaml-lazy.js';

// The analyzers load the YAML library when they find a lockfile; these tests also call the parsers directly.
await loadYaml();

// Trivy's pkg/dependency/parser/nodejs/pnpm/parse_test.go, input by input. Before 9.0 Trivy leaves
// out the packages the lockfile marks `dev: true`; Vigil keeps them, flagged dev, so those are compared apart.
for (const [file, want] of Object.entries(trivyExpected('pnpm'))) {
  test(`pnpm: Trivy's ${file} lists what Trivy's test expects`, () => {
    const text = trivyFile('pnpm', file).toString('utf8');
    const got = parsePnpmLock(text);
    const v9 = /lockfileVersion: '9/.test(text);
    const devOnly = v9 ? [] : got.filter((p) => p.dev);
    assert.equal(devOnly.length, (text.match(/^\s+dev: true$/gm) ?? []).length, 'every dev: true entry, flagged');
    assertTrivy(
      got.filter((p) => !devOnly.includes(p)),
      want,
      file,
    );
  });
}

test("pnpm: keys as Trivy's parser splits them (5.x, 6.x, 9.x, registries, peers)", () => {
  const cases: Array<[string, number, string, string]> = [
    ['/lodash/4.17.10', 5, 'lodash', '4.17.10'],
    ['registry.example/lodash/4.17.10', 5, 'lodash', '4.17.10'],
    ['/@babel/helper-compilation-targets/7.21.5_@babel+core@7.21.8', 5, '@babel/helper-compilation-targets', '7.21.5'],
    ['/lodash._baseclone/4.5.7_@babel+core@7.21.8', 5, 'lodash._baseclone', '4.5.7'],
    ['/update-browserslist-db@1.0.11', 6, 'update-browserslist-db', '1.0.11'],
    ['/@babel/helper-compilation-targets@7.21.5(@babel/core@7.20.7)', 6, '@babel/helper-compilation-targets', '7.21.5'],
    ['@babel/helper-compilation-targets@7.21.5(@babel/core@7.20.7)', 9, '@babel/helper-compilation-targets', '7.21.5'],
    ['lodash@file:foo/bar/lodash.tgz', 9, 'lodash', 'file:foo/bar/lodash.tgz'],
  ];
  for (const [key, v, name, version] of cases) assert.deepEqual(parsePnpmKey(key, v), { name, version }, key);
  assert.equal(pnpmComponentId('@babel/x@7.21.5(@babel/core@7.20.7)(y@1.0.0)'), '@babel/x@7.21.5');
  assert.equal(pnpmComponentId('x@7.21.5_@babel+core@7.21.8'), 'x@7.21.5');
});

for (const [tool, label] of [
  ['pnpm', 'pnpm 9 (lockfileVersion 9.0)'],
  ['pnpm8', 'pnpm 8 (lockfileVersion 6.0)'],
]) {
  test(`pnpm: a real ${label} install (node_modules/.pnpm): installed, direct/indirect, dev, optional, workspace member, edges`, async () => {
    const r = await runAnalyzer(pnpm, [fixtureLayer(tool)]);
    assert.deepEqual(r.notices, []);
    // pnpm's lockfile marks the optional dependency; yarn's do not.
    assert.deepEqual(
      describe(r.packages!),
      INSTALLED.map((l) => (l.startsWith('is-number@7.0.0') ? 'is-number@7.0.0 optional direct []' : l)),
    );
    assert.equal(r.packages!.find((p) => p.name === 'debug')!.filePath, '/app/node_modules/.pnpm/debug@2.6.9/node_modules/debug/package.json');
    const layer = fixtureLayer(tool);
    for (const k of Object.keys(layer)) if (k.includes('/node_modules/')) delete layer[k];
    const declared = (await runAnalyzer(pnpm, [layer])).packages!;
    assert.ok(declared.filter((p) => p.name !== 'fixture-lib').every((p) => p.declared && p.filePath === '/app/pnpm-lock.yaml'));
    assert.equal(declared.length, INSTALLED.length);
  });
}

test('pnpm: same version with different peers is one component; broken YAML and limits give notices', async () => {
  const text = trivyFile('pnpm', 'pnpm-lock_v9_same-vers-diff-peers.yaml').toString('utf8');
  const r = await runAnalyzer(pnpm, [{ '/app/pnpm-lock.yaml': text }]);
  const ids = r.packages!.map((p) => `${p.name}@${p.version}`);
  assert.equal(ids.length, new Set(ids).size);
  assert.ok(r.packages!.every((p) => (p.dependsOn ?? []).every((d) => !d.includes('('))));
  const bad = await runAnalyzer(pnpm, [{ '/app/pnpm-lock.yaml': 'lockfileVersion: 9.0\nsnapshots:\n  a@1: {\n' }]);
  assert.match(bad.notices![0]!.message, /^pnpm-lock\.yaml \/app\/pnpm-lock\.yaml skipped: YAML: /);
  assert.throws(
    () => parsePnpmLock('importers: {}\n'),
    (e: unknown) => e instanceof LockfileError && e.message === 'no lockfileVersion',
  );
  assert.throws(() => parsePnpmLock(Array.from({ length: 20 }, () => 'lockfileVersion: 9.0\n').join('---\n')), /more than 16 YAML documents/);
  // An alias bomb stays bounded (the yaml library's alias budget).
  const bomb = `lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x]\n${Array.from(
    { length: 9 },
    (_, i) =>
      `b${i}: &b${i} [${Array(9)
        .fill(i ? `*b${i - 1}` : '*a')
        .join(', ')}]`,
  ).join('\n')}\n`;
  assert.throws(() => parsePnpmLock(bomb), LockfileError);
});
