import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareGem, gemSegments, rubygemsComparator, validGemVersion } from './rubygems.js';
import { comparators } from './index.js';
import { vectorSections } from './maven.test.js';

const v = vectorSections('rubygems-version.txt', true);

test("rubygems: test_gem_version.rb's comparisons", () => {
  const rows = v.get('cmp')!.filter((l) => l.includes('\t'));
  assert.ok(rows.length >= 15);
  for (const row of rows) {
    const [a, b, want] = row.split('\t') as [string, string, string];
    assert.equal(compareGem(a, b), Number(want), `${JSON.stringify(a)} <=> ${JSON.stringify(b)}`);
    assert.equal(compareGem(b, a), -Number(want) || 0, `${JSON.stringify(b)} <=> ${JSON.stringify(a)}`);
  }
});

test('rubygems: malformed versions are rejected, prereleases have a string segment', () => {
  for (const bad of v.get('invalid')!.filter(Boolean)) assert.ok(!validGemVersion(bad.replace('\\n', '\n')), bad);
  for (const p of v.get('prerelease')!.filter(Boolean))
    assert.ok(
      gemSegments(p).some((s) => typeof s === 'string'),
      p,
    );
  for (const r of v.get('release')!.filter(Boolean))
    assert.ok(
      gemSegments(r).every((s) => typeof s === 'number'),
      r,
    );
  assert.equal(comparators.get('rubygems'), rubygemsComparator);
  assert.equal(compareGem('junk', '1.0'), -1);
  assert.equal(compareGem('3.0.0-rc1', '3.0.0.rc1'), -1, '`-` means `.pre.`: 3.0.0.pre.rc1 < 3.0.0.rc1');
  assert.equal(compareGem('2.2.8.1', '2.2.8'), 1);
  assert.ok(!validGemVersion('9'.repeat(300)));
});
