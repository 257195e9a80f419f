import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSemver, satisfiesRange, semverComparator } from './semver.js';
import { comparatorForEcosystem, comparators } from './index.js';

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

test('index: every ecosystem maps to a registered comparator', () => {
  assert.deepEqual(comparators.all().map((c) => c.id), ['apk', 'dpkg', 'rpm', 'semver']);
  assert.equal(comparatorForEcosystem('Debian:12')?.id, 'dpkg');
  assert.equal(comparatorForEcosystem('Ubuntu:22.04:LTS')?.id, 'dpkg');
  assert.equal(comparatorForEcosystem('Alpine:v3.19')?.id, 'apk');
  assert.equal(comparatorForEcosystem('Rocky Linux:9')?.id, 'rpm');
  assert.equal(comparatorForEcosystem('AlmaLinux:9')?.id, 'rpm');
  assert.equal(comparatorForEcosystem('npm')?.id, 'semver');
  assert.equal(comparatorForEcosystem('PyPI'), undefined);
});
