import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSemver, satisfiesRange, semverComparator } from './semver.js';
import { comparators } from './index.js';

test('semver: order and ranges', () => {
  assert.equal(compareSemver('4.17.20', '4.17.21'), -1);
  assert.equal(compareSemver('1.0.0-rc.1', '1.0.0'), -1);
  assert.equal(compareSemver('v1.2.3', '1.2.3'), 0);
  assert.equal(compareSemver('not-a-version', '1.0.0'), -1);
  assert.ok(satisfiesRange('1.2.5', '>=1.0.0 <1.2.6'));
  assert.ok(!satisfiesRange('1.2.6', '>=1.0.0 <1.2.6'));
  assert.ok(!satisfiesRange('1.2.6', 'garbage range ((('));
  assert.ok(!semverComparator.valid('x.y'));
});

test('index: the registered comparators', () => {
  assert.deepEqual(
    comparators.all().map((c) => c.id),
    ['apk', 'composer', 'dpkg', 'go', 'maven', 'nuget', 'pep440', 'rpm', 'rubygems', 'semver'],
  );
});
