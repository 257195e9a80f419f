import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { comparators } from './index.js';
import { compareNuGetVersions, nugetComparator } from './nuget.js';

// NuGet.Client's VersionComparerTests (testdata/nuget-versions.txt names the source and licence).
const vectors = readFileSync(new URL('./testdata/nuget-versions.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as ['eq' | 'lt', string, string]);

test("nuget: NuGet.Client's comparer vectors, both ways", () => {
  assert.equal(vectors.length, 13);
  for (const [op, a, b] of vectors) {
    if (op === 'eq') {
      assert.equal(compareNuGetVersions(a, b), 0, `${a} == ${b}`);
      assert.equal(compareNuGetVersions(b, a), 0, `${b} == ${a}`);
    } else {
      assert.equal(compareNuGetVersions(a, b), -1, `${a} < ${b}`);
      assert.equal(compareNuGetVersions(b, a), 1, `${b} > ${a}`);
    }
  }
});

test('nuget: four-part versions, missing parts, invalid versions', () => {
  // NuGet normalises 1.0 and 1.0.0.0 to 1.0.0 (docs: "Normalized version numbers").
  assert.equal(compareNuGetVersions('1.0', '1.0.0.0'), 0);
  assert.equal(compareNuGetVersions('1.0.0.1', '1.0.0'), 1);
  assert.equal(compareNuGetVersions('3.5.1.30', '3.5.1.4'), 1);
  assert.equal(compareNuGetVersions('1.01', '1.1'), 0, 'legacy leading zeros compare as numbers');
  assert.equal(compareNuGetVersions('4.3.0-preview1', '4.3.0'), -1);
  assert.equal(compareNuGetVersions('1.0.0-1', '1.0.0-alpha'), -1, 'numeric labels first');
  assert.ok(!nugetComparator.valid('1.0.0.0.0'));
  assert.ok(!nugetComparator.valid('latest'));
  assert.equal(compareNuGetVersions('junk', '1.0.0'), -1);
  assert.equal(comparators.get('nuget'), nugetComparator);
});
