import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareMaven, mavenComparator } from './maven.js';
import { comparators } from './index.js';

/** `[section]` blocks of a vector file (comments and blank lines skipped). */
export function vectorSections(name: string, keepBlank = false): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const line of readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n')) {
    if (line.startsWith('#') || (!line && !keepBlank)) continue;
    const h = /^\[([\w-]+)\]$/.exec(line);
    if (h) out.set((cur = h[1]!), []);
    else if (cur) out.get(cur)!.push(line);
  }
  return out;
}

const v = vectorSections('maven-comparable-version.txt');

function checkOrder(list: string[]): void {
  for (let i = 0; i < list.length; i++)
    for (let j = 0; j < list.length; j++) assert.equal(compareMaven(list[i]!, list[j]!), Math.sign(i - j), `${list[i]} vs ${list[j]}`);
}

test('maven: ComparableVersionTest qualifier and number orders, every pair', () => {
  assert.equal(v.get('order-qualifier')!.length, 22);
  assert.equal(v.get('order-number')!.length, 25);
  checkOrder(v.get('order-qualifier')!);
  checkOrder(v.get('order-number')!);
});

test('maven: ComparableVersionTest equal and ordered pairs', () => {
  const eq = v.get('equal')!.map((l) => l.split('\t'));
  assert.ok(eq.length > 40);
  for (const [a, b] of eq) {
    assert.equal(compareMaven(a!, b!), 0, `${a} == ${b}`);
    assert.equal(compareMaven(b!, a!), 0, `${b} == ${a}`);
  }
  const less = v.get('less')!.map((l) => l.split('\t'));
  assert.ok(less.length > 30);
  for (const [a, b] of less) {
    assert.equal(compareMaven(a!, b!), -1, `${a} < ${b}`);
    assert.equal(compareMaven(b!, a!), 1, `${b} > ${a}`);
  }
});

test('maven: real release trains, registered, hostile input', () => {
  assert.equal(compareMaven('2.9.10.6', '2.9.10'), 1);
  assert.equal(compareMaven('2.15.0-rc1', '2.15.0'), -1);
  assert.equal(compareMaven('29.0-jre', '30.0-android'), -1);
  assert.equal(compareMaven('1.2.17', '1.2.9'), 1);
  assert.equal(compareMaven('5.3.3.RELEASE', '5.3.3'), 0);
  assert.equal(compareMaven('2.5.6.SEC03', '2.5.6'), 1);
  assert.equal(compareMaven('0010', '10'), 0);
  assert.equal(compareMaven('123456789012345678901234567890', '123456789012345678901234567891'), -1);
  assert.equal(comparators.get('maven'), mavenComparator);
  assert.ok(!mavenComparator.valid(''));
  assert.ok(!mavenComparator.valid('1.0 2'));
  const long = '1.' + '1-'.repeat(50_000);
  const t = Date.now();
  assert.equal(typeof compareMaven(long, long), 'number');
  assert.ok(Date.now() - t < 10_000);
});
