import { test } from 'node:test';
import assert from 'node:assert/strict';
import { purlOf } from './purl.js';
import { splitEpoch } from '../versions/epoch.js';

const debian12 = { family: 'debian', version: '12' };

test('deb purl encodes + and moves the epoch into a qualifier', () => {
  assert.equal(purlOf({ type: 'deb', name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' }, debian12),
    'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12');
  assert.equal(purlOf({ type: 'deb', name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' }, debian12),
    'pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1');
});

test('apk, rpm and npm purls', () => {
  assert.equal(purlOf({ type: 'apk', name: 'musl', version: '1.2.4-r2', arch: 'x86_64' }, { family: 'alpine', version: '3.19.1' }),
    'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1');
  assert.equal(purlOf({ type: 'rpm', name: 'bash', version: '5.1.8-6.el9', arch: 'x86_64' }, { family: 'almalinux', version: '9.3' }),
    'pkg:rpm/almalinux/bash@5.1.8-6.el9?arch=x86_64&distro=almalinux-9.3');
  assert.equal(purlOf({ type: 'npm', name: '@babel/core', version: '7.1.0' }), 'pkg:npm/%40babel/core@7.1.0');
  assert.equal(purlOf({ type: 'npm', name: 'lodash', version: '4.17.20' }), 'pkg:npm/lodash@4.17.20');
});

test('splitEpoch only takes a numeric prefix', () => {
  assert.deepEqual(splitEpoch('2:1.0-1'), { epoch: 2, hasEpoch: true, rest: '1.0-1' });
  assert.deepEqual(splitEpoch('1.0:beta'), { epoch: 0, hasEpoch: false, rest: '1.0:beta' });
});
