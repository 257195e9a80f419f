import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTALLED, assertTrivy, describe, fixtureLayer, trivyExpected, trivyFile } from '../js-lock-fixtures.test.js';
import { LockfileError } from '../js-lock.js';
import { runAnalyzer } from '../test-harness.js';
import { parseYarnLock, splitPattern } from '../yarn-lock.js';
import yarn from './yarn.js';
import { loadYaml } from '../yaml-lazy.js';

// The analyzers load the YAML library when they find a lockfile; these tests also call the parsers directly.
await loadYaml();

// Trivy's pkg/dependency/parser/nodejs/yarn/parse_test.go, input by input (v1 and berry).
for (const [file, want] of Object.entries(trivyExpected('yarn'))) {
  test(`yarn: Trivy's ${file} lists what Trivy's test expects`, () => {
    assertTrivy(parseYarnLock(trivyFile('yarn', file).toString('utf8')), want, file);
  });
}

test("yarn: patterns as Trivy's parser splits them", () => {
  assert.deepEqual(splitPattern('asn1@npm:~0.2.3'), { name: 'asn1', protocol: 'npm', range: '~0.2.3' });
  assert.deepEqual(splitPattern('"@babel/code-frame@^7.0.0"'), { name: '@babel/code-frame', protocol: '', range: '^7.0.0' });
  assert.deepEqual(splitPattern('jquery@git+https://x:y@github.com/a/jquery'), { name: 'jquery', protocol: 'git+https', range: '//x:y@github.com/a/jquery' });
  assert.equal(splitPattern('normal line'), undefined);
});

for (const tool of ['yarn1', 'berry']) {
  test(`yarn: a real ${tool === 'yarn1' ? 'yarn 1' : 'yarn 4 (berry)'} install: installed, direct/indirect, dev, workspace member, edges`, async () => {
    const r = await runAnalyzer(yarn, [fixtureLayer(tool)]);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(describe(r.packages!), INSTALLED);
    assert.equal(r.packages!.find((p) => p.name === 'is-odd')!.filePath, '/app/node_modules/is-odd/package.json');
    assert.equal(r.packages!.find((p) => p.name === 'fixture-lib')!.filePath, '/app/packages/lib/package.json');
  });

  test(`yarn: the ${tool} lockfile without node_modules: every package declared only`, async () => {
    const layer = fixtureLayer(tool);
    for (const k of Object.keys(layer)) if (k.includes('/node_modules/')) delete layer[k];
    const r = await runAnalyzer(yarn, [layer]);
    const pkgs = r.packages!;
    assert.ok(pkgs.filter((p) => p.name !== 'fixture-lib').every((p) => p.declared && p.filePath === '/app/yarn.lock'));
    assert.equal(pkgs.length, INSTALLED.length);
  });
}

test('yarn: broken yarn.lock files give a notice naming the file and line; lockfiles inside node_modules are not read', async () => {
  const r = await runAnalyzer(yarn, [{ '/app/yarn.lock': 'a@^1:\n  version "1.0.0"\n  dependencies:\n    "b\n' }]);
  assert.match(r.notices![0]!.message, /^yarn\.lock \/app\/yarn\.lock skipped: line 4: malformed dependency$/);
  assert.throws(() => parseYarnLock('  version "1"\n'), /line 1: indented line outside an entry/);
  assert.throws(() => parseYarnLock('nocolon\n'), /line 1: expected "pattern:"/);
  assert.throws(
    () => parseYarnLock('__metadata:\n  version: 6\n"a@npm:1": [\n'),
    (e: unknown) => e instanceof LockfileError && /^YAML: /.test(e.message),
  );
  assert.ok(!yarn.required('/app/node_modules/x/yarn.lock', { path: '', kind: 'file', mode: 0o644, size: 10, uid: 0, gid: 0, layer: 0 }));
  // Aliases are refused in berry lockfiles (no billion laughs).
  assert.throws(() => parseYarnLock('__metadata:\n  version: 6\na: &x [1]\nb: *x\n'), LockfileError);
});
