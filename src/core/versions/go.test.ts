import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { comparators } from './index.js';
import { compareGoVersions, goComparator } from './go.js';

// golang.org/x/mod/semver's own ordered table (testdata/go-semver.txt names the source and licence).
const table = readFileSync(new URL('./testdata/go-semver.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string]);

test("go: x/mod/semver's table: validity and Compare of every pair", () => {
  assert.equal(table.length, 32);
  for (const [input, canonical] of table) assert.equal(goComparator.valid(input), canonical !== '', input);
  for (let i = 0; i < table.length; i++) {
    for (let j = 0; j < table.length; j++) {
      const [a, ca] = table[i]!;
      const [b, cb] = table[j]!;
      const want = ca === cb ? 0 : i < j ? -1 : 1;
      assert.equal(compareGoVersions(a, b), want, `${a} vs ${b}`);
    }
  }
});

test('go: pseudo-versions, +incompatible, OSV spellings without v', () => {
  const asc = [
    'v0.0.0-20190101000000-aaaaaaaaaaaa',
    'v0.0.0-20210121094942-22b2f8951d46',
    'v0.1.0',
    'v1.2.3',
    // A pseudo-version after v1.2.3 (v1.2.4-0.<timestamp>) sorts before v1.2.4.
    'v1.2.4-0.20220426205730-d0a4cdb22955',
    'v1.2.4',
    'v2.0.0+incompatible',
    'v2.8.1+incompatible',
    'v10.0.0',
  ];
  for (let i = 0; i + 1 < asc.length; i++) assert.equal(compareGoVersions(asc[i]!, asc[i + 1]!), -1, `${asc[i]} < ${asc[i + 1]}`);
  assert.equal(compareGoVersions('v2.0.0+incompatible', '2.0.0'), 0);
  assert.equal(compareGoVersions('v1.19.8', '1.19.8'), 0, 'stdlib as Vigil lists it and as OSV writes it');
  assert.equal(compareGoVersions('1.20.0-rc.1', 'v1.20.0'), -1);
  assert.equal(compareGoVersions('v1.2.3-beta.10', 'v1.2.3-beta.9'), 1);
  assert.equal(compareGoVersions('v99999999999999999999.0.0', 'v99999999999999999998.0.0'), 1, 'no overflow');
  assert.ok(!goComparator.valid('v1.02.3'));
  assert.ok(!goComparator.valid(''));
  assert.ok(goComparator.ordersSemver);
  assert.equal(comparators.get('go'), goComparator);
});
