import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dpkgComparator } from '../versions/dpkg.js';
import { semverComparator } from '../versions/semver.js';
import type { AffectedPackage, RangeEvent } from './advisory.js';
import { affectedContains, rangeContains } from './affected.js';

const eco = (...events: RangeEvent[]) => ({ type: 'ECOSYSTEM' as const, events });
const sem = (...events: RangeEvent[]) => ({ type: 'SEMVER' as const, events });
const aff = (ranges: AffectedPackage['ranges'], versions: string[] = []): AffectedPackage => ({ ecosystem: 'Debian:12', name: 'x', ranges, versions });

test('OSV: introduced 0 / fixed (Debian: all versions before the fix)', () => {
  const r = eco({ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' });
  assert.deepEqual(rangeContains(r, '3.0.9-1', dpkgComparator), { affected: true, fixedVersion: '3.0.11-1~deb12u2' });
  assert.equal(rangeContains(r, '3.0.11-1~deb12u1', dpkgComparator).affected, true);
  assert.equal(rangeContains(r, '3.0.11-1~deb12u2', dpkgComparator).affected, false);
  assert.equal(rangeContains(r, '3.0.15-1~deb12u1', dpkgComparator).affected, false);
  assert.equal(rangeContains(r, '1:0.1', dpkgComparator).affected, false, 'epoch above the fix');
});

test('OSV: several introduced/fixed pairs, unsorted events', () => {
  const r = sem({ introduced: '1.0.0' }, { fixed: '1.2.6' }, { introduced: '0' }, { fixed: '0.2.4' });
  assert.deepEqual(rangeContains(r, '0.0.8', semverComparator), { affected: true, fixedVersion: '0.2.4' });
  assert.equal(rangeContains(r, '0.2.4', semverComparator).affected, false);
  assert.equal(rangeContains(r, '0.9.0', semverComparator).affected, false);
  assert.deepEqual(rangeContains(r, '1.2.5', semverComparator), { affected: true, fixedVersion: '1.2.6' });
  assert.equal(rangeContains(r, '1.2.6', semverComparator).affected, false);
});

test('OSV: last_affected and limit', () => {
  const la = sem({ introduced: '2.0.0' }, { last_affected: '2.3.1' });
  assert.deepEqual(rangeContains(la, '2.3.1', semverComparator), { affected: true, fixedVersion: '' });
  assert.equal(rangeContains(la, '2.3.2', semverComparator).affected, false);
  assert.equal(rangeContains(la, '1.9.9', semverComparator).affected, false);
  const lim = sem({ introduced: '0' }, { limit: '3.0.0' });
  assert.equal(rangeContains(lim, '2.9.9', semverComparator).affected, true);
  assert.equal(rangeContains(lim, '3.0.0', semverComparator).affected, false);
  assert.equal(rangeContains(lim, '4.0.0', semverComparator).affected, false);
});

test('OSV: introduced only (no fix yet), SEMVER ranges ignore the ecosystem comparator', () => {
  assert.deepEqual(rangeContains(eco({ introduced: '0' }), '1.0-1', dpkgComparator), { affected: true, fixedVersion: '' });
  // Under dpkg rules 1.0.0-rc.1 > 1.0.0-1 would differ; SEMVER ranges use semver.
  const r = sem({ introduced: '1.0.0-rc.1' }, { fixed: '1.0.0' });
  assert.equal(rangeContains(r, '1.0.0-rc.2', dpkgComparator).affected, true);
  assert.equal(rangeContains(r, 'not a version', dpkgComparator).affected, false);
});

test('OSV: explicit versions lists, and entries with no ranges', () => {
  const a = aff([], ['1.2-1', '1.2-2']);
  assert.deepEqual(affectedContains(a, '1.2-2', dpkgComparator), { affected: true, fixedVersion: '' });
  assert.equal(affectedContains(a, '1.2-3', dpkgComparator).affected, false);
  const b = aff([eco({ introduced: '0' }, { fixed: '2.0-1' })], ['9.9-9']);
  assert.equal(affectedContains(b, '9.9-9', dpkgComparator).affected, true);
  assert.deepEqual(affectedContains(b, '1.0-1', dpkgComparator), { affected: true, fixedVersion: '2.0-1' });
  assert.equal(affectedContains(aff([]), '1.0', dpkgComparator).affected, false);
});
