import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compareDpkg, dpkgComparator, parseDpkgVersion } from './dpkg.js';

test('dpkg: t-version.c compare cases', () => {
  // DPKG_VERSION_OBJECT(epoch, version, revision) cases of dpkg's lib/dpkg/t/t-version.c
  assert.notEqual(compareDpkg('1:0', '2:0'), 0);
  assert.notEqual(compareDpkg('1-1', '2-1'), 0);
  assert.notEqual(compareDpkg('1-1', '1-2'), 0);
  assert.equal(compareDpkg('0-0', '0-0'), 0);
  assert.equal(compareDpkg('0-00', '00-0'), 0);
  assert.equal(compareDpkg('1:2-3', '1:2-3'), 0);
  assert.ok(compareDpkg('0:0-0', '1:0-0') < 0);
  assert.ok(compareDpkg('1:0-0', '0:0-0') > 0);
  assert.ok(compareDpkg('a-0', 'b-0') < 0);
  assert.ok(compareDpkg('b-0', 'a-0') > 0);
  assert.ok(compareDpkg('0-a', '0-b') < 0);
  assert.ok(compareDpkg('0-b', '0-a') > 0);
  assert.equal(compareDpkg('1-1', '1-1'), 0);
  assert.ok(compareDpkg('1-1', '2-1') < 0);
  assert.ok(compareDpkg('2-1', '1-1') > 0);
  // parse cases
  for (const v of ['0', '0:0', '0:0-']) assert.equal(compareDpkg(v, '0'), 0, v);
  assert.equal(compareDpkg('0:0.0-0.0', '0.0-0.0'), 0);
  assert.equal(compareDpkg('1:0', '1:0'), 0);
  assert.deepEqual(parseDpkgVersion('0:0-0-0'), { epoch: 0, upstream: '0-0', revision: '0' });
  assert.deepEqual(parseDpkgVersion('0:0:0-0'), { epoch: 0, upstream: '0:0', revision: '0' });
  assert.deepEqual(parseDpkgVersion('0:09azAZ.-+~:-0'), { epoch: 0, upstream: '09azAZ.-+~:', revision: '0' });
  assert.deepEqual(parseDpkgVersion('  \t0:0-1  '), { epoch: 0, upstream: '0', revision: '1' });
  assert.ok(!dpkgComparator.valid(''));
  assert.ok(!dpkgComparator.valid('0:0 0-1'));
  assert.ok(!dpkgComparator.valid('a:0-0'));
  assert.ok(!dpkgComparator.valid('0:abc3-0'));
  assert.ok(!dpkgComparator.valid('999999999999999999999999:0-1'));
  assert.ok(dpkgComparator.valid('1:2.36-9+deb12u4'));
});

test('dpkg: tilde, plus and Debian security versions', () => {
  assert.ok(compareDpkg('1.0~rc1', '1.0') < 0);
  assert.ok(compareDpkg('1.0~~', '1.0~') < 0);
  assert.ok(compareDpkg('1.0~', '1.0') < 0);
  assert.ok(compareDpkg('1.0+b1', '1.0') > 0);
  assert.ok(compareDpkg('3.0.11-1~deb12u1', '3.0.11-1') < 0);
  assert.ok(compareDpkg('3.0.9-1', '3.0.11-1~deb12u1') < 0);
  assert.ok(compareDpkg('2.36-9+deb12u3', '2.36-9+deb12u4') < 0);
  assert.ok(compareDpkg('2.36-9+deb12u10', '2.36-9+deb12u4') > 0);
  assert.ok(compareDpkg('7.88.1-10+deb12u5', '7.88.1-10+deb12u12') < 0);
});

// dpkg itself is the reference implementation: compare a grid of tricky versions against it.
test('dpkg: agrees with dpkg --compare-versions', { skip: spawnSync('dpkg', ['--version']).status !== 0 ? 'dpkg not installed' : false }, () => {
  const vs = [
    '1.0',
    '1.0~rc1',
    '1.0-1',
    '1.0-1~bpo1',
    '1:0.9',
    '1.0+dfsg-2',
    '1.0a',
    '1.0.0',
    '1.00',
    '2.36-9+deb12u4',
    '2.36-9+deb12u10',
    '1.0-1.1',
    '1.0~',
    '0.9-10',
  ];
  const script = vs
    .flatMap((a) =>
      vs.map((b) => `if dpkg --compare-versions '${a}' lt '${b}'; then echo -1; elif dpkg --compare-versions '${a}' eq '${b}'; then echo 0; else echo 1; fi`),
    )
    .join('\n');
  const out = spawnSync('sh', ['-c', script], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
  let k = 0;
  for (const a of vs) for (const b of vs) assert.equal(Math.sign(compareDpkg(a, b)), out[k++], `${a} vs ${b}`);
});
