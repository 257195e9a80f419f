import { test } from 'node:test';
import type { Package } from '../inventory/types.js';
import assert from 'node:assert/strict';
import { comparators } from '../versions/index.js';
import { splitEpoch } from '../versions/epoch.js';
import { comparatorForEcosystem } from './comparator.js';
import { coverageNotices, ecosystemOf, ecosystems, matchKey, purlOf } from './index.js';

const debian12 = { family: 'debian', version: '12' };

test('every ecosystem module is complete: comparator registered, purl of its package type, match key, feeds', () => {
  assert.ok(ecosystems.size >= 11);
  for (const e of ecosystems.all()) {
    assert.ok(comparators.get(e.comparator), `${e.id}: comparator ${e.comparator} is registered`);
    assert.equal(comparatorForEcosystem(`${e.osvName}:1`)?.id, e.comparator, `${e.id}: its OSV name selects its comparator`);
    if (e.kind === 'os') assert.ok(e.families?.length, `${e.id}: an OS ecosystem names its os-release IDs`);
    const os = e.kind === 'os' ? { family: e.families![0]!, version: '12.1' } : undefined;
    const pkg = { type: e.packageType, name: 'zlib', version: '1.0-1' };
    assert.equal(ecosystemOf(pkg, os)?.id, e.id);
    const key = matchKey(pkg, os);
    assert.ok(
      key && key.ecosystems.length > 0 && key.ecosystems.every((k) => k === k.toLowerCase() && k.startsWith(e.osvName.toLowerCase())),
      `${e.id}: match keys ${key?.ecosystems} start with its OSV name`,
    );
    assert.ok(purlOf(pkg, os).startsWith(`pkg:${e.packageType}/`), `${e.id}: purl type`);
  }
});

test('comparator by advisory ecosystem', () => {
  assert.equal(comparatorForEcosystem('Debian:12')?.id, 'dpkg');
  assert.equal(comparatorForEcosystem('Ubuntu:22.04:LTS')?.id, 'dpkg');
  assert.equal(comparatorForEcosystem('Alpine:v3.19')?.id, 'apk');
  assert.equal(comparatorForEcosystem('Wolfi')?.id, 'apk');
  assert.equal(comparatorForEcosystem('Chainguard')?.id, 'apk');
  assert.equal(comparatorForEcosystem('Rocky Linux:9')?.id, 'rpm');
  assert.equal(comparatorForEcosystem('AlmaLinux:9')?.id, 'rpm');
  assert.equal(comparatorForEcosystem('npm')?.id, 'semver');
  assert.equal(comparatorForEcosystem('PyPI')?.id, 'pep440');
});

test('match keys: releases of each OS family, source packages for deb/apk, binary and source for rpm', () => {
  assert.deepEqual(matchKey({ type: 'deb', name: 'libc6', version: '2.36-9', sourceName: 'glibc', sourceVersion: '2.36-9+x' }, debian12), {
    ecosystems: ['debian:12'],
    names: ['glibc'],
    version: '2.36-9+x',
    vendors: ['debian'],
  });
  assert.deepEqual(matchKey({ type: 'deb', name: 'bash', version: '5.1' }, { family: 'ubuntu', version: '22.04' })?.ecosystems, [
    'ubuntu:22.04',
    'ubuntu:22.04:lts',
    'ubuntu:pro:22.04:lts',
  ]);
  assert.deepEqual(matchKey({ type: 'apk', name: 'libcrypto3', version: '3.1.4-r0', sourceName: 'openssl' }, { family: 'alpine', version: '3.19.1' }), {
    ecosystems: ['alpine:v3.19'],
    names: ['openssl'],
    version: '3.1.4-r0',
    vendors: ['alpine'],
  });
  assert.equal(
    matchKey({ type: 'apk', name: 'musl', version: '1' }, { family: 'alpine', version: '3' }),
    undefined,
    'an Alpine version without a branch cannot be keyed',
  );
  assert.deepEqual(matchKey({ type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9', sourceName: 'openssl' }, { family: 'rocky', version: '9.3' }), {
    ecosystems: ['rocky linux:9'],
    names: ['openssl-libs', 'openssl'],
    version: '1:3.0.7-24.el9',
    vendors: ['rocky'],
  });
  assert.deepEqual(matchKey({ type: 'rpm', name: 'bash', version: '5' }, { family: 'sles', version: '15.5' })?.ecosystems, [
    'suse:linux enterprise server 15 sp5',
  ]);
  assert.deepEqual(matchKey({ type: 'rpm', name: 'bash', version: '5' }, { family: 'opensuse-leap', version: '15.5' })?.ecosystems, ['opensuse:leap 15.5']);
  assert.equal(matchKey({ type: 'rpm', name: 'bash', version: '5' }, { family: 'rhel', version: '9.3' }), undefined);
  assert.equal(
    matchKey({ type: 'deb', name: 'bash', version: '5' }, { family: 'alpine', version: '3.19' }),
    undefined,
    'a deb in an Alpine image has no ecosystem',
  );
  assert.deepEqual(matchKey({ type: 'npm', name: '@Babel/Core', version: '7.1.0' }, debian12), {
    ecosystems: ['npm'],
    names: ['@babel/core'],
    version: '7.1.0',
    vendors: ['ghsa'],
  });
});

test('deb purl encodes + and moves the epoch into a qualifier', () => {
  assert.equal(
    purlOf({ type: 'deb', name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' }, debian12),
    'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
  );
  assert.equal(
    purlOf({ type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' }, debian12),
    'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1',
  );
  assert.equal(
    purlOf({ type: 'deb', name: 'bash', version: '5.1-6ubuntu1' }, { family: 'ubuntu', version: '22.04' }),
    'pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04',
  );
});

test('apk, rpm and npm purls', () => {
  assert.equal(
    purlOf({ type: 'apk', name: 'musl', version: '1.2.4-r2', arch: 'x86_64' }, { family: 'alpine', version: '3.19.1' }),
    'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1',
  );
  assert.equal(
    purlOf({ type: 'apk', name: 'glibc', version: '2.38-r5', arch: 'x86_64' }, { family: 'wolfi', version: '20230201' }),
    'pkg:apk/wolfi/glibc@2.38-r5?arch=x86_64&distro=wolfi-20230201',
  );
  assert.equal(
    purlOf({ type: 'rpm', name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64' }, { family: 'almalinux', version: '9.3' }),
    'pkg:rpm/almalinux/bash@5.1.8-6.el9?arch=x86_64&distro=almalinux-9.3',
  );
  assert.equal(purlOf({ type: 'npm', name: '@babel/core', version: '7.1.0' }), 'pkg:npm/%40babel/core@7.1.0');
  assert.equal(purlOf({ type: 'npm', name: 'lodash', version: '4.17.20' }), 'pkg:npm/lodash@4.17.20');
  assert.equal(purlOf({ type: 'rpm', name: 'bash', version: '5.1', purl: 'pkg:rpm/x/bash@5.1' }), 'pkg:rpm/x/bash@5.1', 'an analyzer-set purl wins');
});

test('splitEpoch only takes a numeric prefix', () => {
  assert.deepEqual(splitEpoch('2:1.0-1'), { epoch: 2, hasEpoch: true, rest: '1.0-1' });
  assert.deepEqual(splitEpoch('1.0:beta'), { epoch: 0, hasEpoch: false, rest: '1.0:beta' });
});

test('coverage notices: an OS without an ecosystem, an unkeyable release, no OS, an ecosystem the DB lacks', () => {
  const rpms = [
    { type: 'rpm' as const, name: 'bash', version: '5' },
    { type: 'rpm' as const, name: 'glibc', version: '2' },
  ];
  assert.deepEqual(coverageNotices(rpms, { family: 'photon', version: '5.0' }), [
    { kind: 'no-vuln-data', message: 'no vulnerability data for photon 5.0: its 2 OS packages are not matched' },
  ]);
  assert.match(coverageNotices([], { family: 'alpine', version: 'edge' })[0]!.message, /^no vulnerability data for alpine edge: the release/);
  assert.match(coverageNotices(rpms, undefined)[0]!.message, /^no OS detected .*2 OS packages/);
  // Every package type Vigil reports now has an ecosystem: a type from elsewhere (an older report, a plugin) still gets the notice.
  assert.deepEqual(coverageNotices([{ type: 'hex' as Package['type'], name: 'plug', version: '1.0' }], debian12), [
    { kind: 'no-vuln-data', message: 'no vulnerability data for hex packages: 1 not matched' },
  ]);
  const apks = [{ type: 'apk' as const, name: 'glibc', version: '2.38-r5' }];
  const wolfi = { family: 'wolfi', version: '20230201' };
  assert.deepEqual(
    coverageNotices(apks, wolfi, () => true),
    [],
  );
  assert.deepEqual(
    coverageNotices(apks, wolfi, (k) => k !== 'wolfi'),
    [{ kind: 'no-vuln-data', message: 'the vulnerability DB has no Wolfi advisories (wolfi): its packages are not matched' }],
  );
  assert.deepEqual(
    coverageNotices([{ type: 'deb', name: 'bash', version: '5' }], debian12, () => true),
    [],
  );
});
