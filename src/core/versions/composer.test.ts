import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareComposer, composerComparator, normalizeComposer } from './composer.js';
import { comparators } from './index.js';
import { vectorSections } from './maven.test.js';

const v = vectorSections('composer-semver.txt', true);

test("composer: VersionParserTest's normalisations", () => {
  const rows = v.get('normalize')!.filter(Boolean);
  assert.ok(rows.length >= 40);
  for (const row of rows) {
    const [input, want] = row.split('\t') as [string, string];
    assert.equal(normalizeComposer(input), want, input);
  }
  const bad = v.get('invalid')!.slice(0, 6);
  assert.deepEqual(bad, ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar']);
  for (const b of bad) assert.equal(normalizeComposer(b), undefined, JSON.stringify(b));
});

test('composer: version_compare order over normalised versions, every pair', () => {
  const order = v.get('order')!.filter(Boolean);
  assert.ok(order.length >= 15);
  for (let i = 0; i < order.length; i++)
    for (let j = 0; j < order.length; j++) assert.equal(compareComposer(order[i]!, order[j]!), Math.sign(i - j), `${order[i]} vs ${order[j]}`);
  assert.equal(compareComposer('v5.4.3', '5.4.3'), 0);
  assert.equal(compareComposer('1.0', '1.0.0.0'), 0);
  assert.equal(comparators.get('composer'), composerComparator);
  assert.ok(!composerComparator.valid('dev-feature-foo'), 'named branches have no order');
  assert.ok(composerComparator.valid('1.x-dev'));
  assert.equal(compareComposer('dev-foo', '1.0.0'), -1);
});
