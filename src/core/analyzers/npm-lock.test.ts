import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertTrivy, trivyExpected, trivyFile } from './js-lock-fixtures.test.js';
import { LockfileError, MAX_JS_LOCK_PACKAGES } from './js-lock.js';
import { globMatcher, parseNpmLock } from './npm-lock.js';

// Trivy's pkg/dependency/parser/nodejs/npm/parse_test.go, input by input.
for (const [file, want] of Object.entries(trivyExpected('npm'))) {
  test(`npm-lock: Trivy's ${file} lists what Trivy's test expects`, () => {
    const got = parseNpmLock(JSON.parse(trivyFile('npm', file).toString('utf8')));
    if (file === 'package-lock_v3_with_legacy_licenses.json') {
      // The one difference: Trivy drops a legacy `"license": ["MIT", "Apache2"]` array of strings; Vigil keeps both names.
      const pause = got.find((p) => p.name === 'pause-stream')!;
      assert.deepEqual(pause.licenses, ['MIT', 'Apache2']);
      delete pause.licenses;
    }
    assertTrivy(got, want, file);
  });
}

test('npm-lock: workspace members are packages (link targets matched by the workspaces globs), with their install paths', () => {
  const got = parseNpmLock(JSON.parse(trivyFile('npm', 'package-lock_v3_with_workspace.json').toString('utf8')));
  const member = got.find((p) => p.name === 'nested_func')!;
  assert.equal(member.workspace, true);
  assert.deepEqual(member.paths, ['functions/nested_func']);
  assert.deepEqual(got.find((p) => p.id === 'debug@2.6.9')!.paths, ['functions/nested_func/node_modules/debug']);
  // function1 is not matched by "functions/*"'s sibling glob? It is: both members are under functions/.
  assert.equal(got.find((p) => p.id === 'function1')!.workspace, true);
});

test('npm-lock: workspace globs', () => {
  assert.ok(globMatcher('packages/*')('packages/a'));
  assert.ok(!globMatcher('packages/*')('packages/a/b'));
  assert.ok(globMatcher('./packages/**')('packages/a/b'));
  assert.ok(globMatcher('app?')('app1'));
  assert.ok(!globMatcher('a.b')('axb'));
});

test('npm-lock: broken input is a LockfileError naming the problem, never a throw of another kind', () => {
  assert.throws(() => parseNpmLock('x'), LockfileError);
  assert.throws(() => parseNpmLock({ lockfileVersion: 3 }), /no "packages" object/);
  let deep: Record<string, unknown> = { version: '1.0.0' };
  for (let i = 0; i < 200; i++) deep = { version: '1.0.0', dependencies: { a: deep } };
  assert.throws(() => parseNpmLock({ lockfileVersion: 1, dependencies: { a: deep } }), /nested deeper than 128/);
  const many: Record<string, unknown> = { '': {} };
  for (let i = 0; i <= MAX_JS_LOCK_PACKAGES; i++) many[`node_modules/p${i}`] = { version: '1.0.0' };
  assert.throws(() => parseNpmLock({ lockfileVersion: 3, packages: many }), /more than 200000 packages/);
  // Entries of the wrong shape are skipped.
  assert.deepEqual(
    parseNpmLock({ lockfileVersion: 3, packages: { '': 1, 'node_modules/a': 'x', 'node_modules/b': { version: 2 } } }).map((p) => p.id),
    ['b'],
  );
});
