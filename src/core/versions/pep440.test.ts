import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { comparePep440, normalizePep440, parsePep440, pep440Comparator } from './pep440.js';
import { comparators } from './index.js';

// pypa/packaging's own test vectors (testdata/pep440-packaging.txt names the source and licence).
const sections = new Map<string, string[]>();
{
  let cur = '';
  for (const line of readFileSync(new URL('./testdata/pep440-packaging.txt', import.meta.url), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const h = /^\[(\w+)\]$/.exec(line);
    if (h) sections.set((cur = h[1]!), []);
    else sections.get(cur)!.push(line);
  }
}

test("pep440: packaging's ordered list sorts strictly ascending, every pair", () => {
  const order = sections.get('order')!;
  assert.equal(order.length, 92);
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      assert.equal(comparePep440(order[i]!, order[j]!), Math.sign(i - j), `${order[i]} vs ${order[j]}`);
    }
  }
  const shuffled = [...order].reverse();
  assert.deepEqual(shuffled.sort(comparePep440), order);
});

test("pep440: the PEP's own ordering example", () => {
  // PEP 440, "Summary of permitted suffixes and relative ordering".
  const pep = [
    '1.dev0',
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.0.15',
    '1.1.dev1',
  ];
  for (let i = 1; i < pep.length; i++) assert.equal(comparePep440(pep[i - 1]!, pep[i]!), -1, `${pep[i - 1]} < ${pep[i]}`);
});

test('pep440: invalid versions are rejected', () => {
  const invalid = sections.get('invalid')!;
  assert.ok(invalid.length >= 20);
  for (const v of invalid) assert.equal(parsePep440(v), undefined, v);
  assert.equal(parsePep440('1.' + '0.'.repeat(200) + '0'), undefined, 'over-long input');
  assert.ok(!pep440Comparator.valid('lolwat'));
});

test('pep440: normalisation', () => {
  const pairs = sections.get('normalize')!.map((l) => l.split('\t') as [string, string]);
  assert.ok(pairs.length > 40);
  for (const [a, b] of pairs) assert.equal(normalizePep440(a), b, a);
  assert.equal(normalizePep440('   v1.0\t\n'), '1.0');
  assert.equal(normalizePep440('\u202F1.0\t\u2029\n '), '1.0');
});

test('pep440: equality across spellings, trailing zeros, epochs; invalid input never throws', () => {
  assert.equal(comparePep440('1.0rc1', '1.0c1'), 0);
  assert.equal(comparePep440('1.0', '1.0.0.0'), 0);
  assert.equal(comparePep440('1.0-1', '1.0.post1'), 0);
  assert.equal(comparePep440('1!0.1', '2.0'), 1);
  assert.equal(comparePep440('2.28.1', '2.31.0'), -1);
  assert.equal(comparePep440('garbage', '1.0'), -1);
  assert.equal(comparePep440('1.0', 'garbage'), 1);
  assert.equal(comparePep440('a', 'b'), -1);
});

test('pep440: registered as a comparator', () => {
  assert.equal(comparators.get('pep440'), pep440Comparator);
});
