import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { loadFixtureLayer } from '../../node/analyzers/fixture-layer.test-helpers.js';
import { apkAnalyzer, APK_INSTALLED, APK_INSTALLED_USR, parseApkInstalled } from './apk.js';
import { fuzzDamagedBytes } from './analyzer.test-helpers.js';
import { runAnalyzer, type HarnessLayer } from './test-harness.js';
import type { Package } from '../inventory/types.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const installed = (): string => readFileSync(`${testdata}apk${APK_INSTALLED}`, 'utf8');
const run = async (...layers: HarnessLayer[]): Promise<Package[]> => (await runAnalyzer(apkAnalyzer, layers)).packages ?? [];

test('Alpine 3.19 installed database: names, versions, origins, licenses, owned files', async () => {
  const pkgs = await run(loadFixtureLayer(`${testdata}apk`));
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion, p.licenses?.join()]),
    [
      ['busybox', '1.36.1-r15', 'x86_64', 'busybox', '1.36.1-r15', 'GPL-2.0-only'],
      ['busybox-binsh', '1.36.1-r15', 'x86_64', 'busybox', '1.36.1-r15', 'GPL-2.0-only'],
      ['libcrypto3', '3.1.4-r5', 'x86_64', 'openssl', '3.1.4-r5', 'Apache-2.0'],
      ['musl', '1.2.4_git20230717-r4', 'x86_64', 'musl', '1.2.4_git20230717-r4', 'MIT'],
      ['zlib', '1.3.1-r0', 'x86_64', 'zlib', '1.3.1-r0', 'Zlib'],
    ],
  );
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  assert.deepEqual(byName.get('musl')!.files, ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1']);
  assert.deepEqual(byName.get('busybox')!.files, ['/bin/busybox', '/etc/securetty', '/etc/udhcpd.conf', '/etc/logrotate.d/acpid', '/etc/network/if-up.d/dad']);
  assert.ok(byName.get('libcrypto3')!.files!.includes('/usr/lib/engines-3/afalg.so'));
  assert.equal(byName.get('busybox')!.maintainer, 'Sören Tempel <soeren+alpine@soeren-tempel.net>');
  for (const p of pkgs) assert.deepEqual([p.type, p.layer?.index], ['apk', 0]);
});

test('layer attribution across apk add / upgrade layers', async () => {
  const base = installed();
  const upgraded = base.replace('V:1.3.1-r0', 'V:1.3.1-r1');
  const added = `${upgraded}C:Q1x=\nP:ca-certificates-bundle\nV:20240226-r0\nA:x86_64\nL:MPL-2.0 AND MIT\no:ca-certificates\nF:etc/ssl/certs\nR:ca-certificates.crt\n\n`;
  const pkgs = await run({ [APK_INSTALLED]: base }, { [APK_INSTALLED]: upgraded }, { '/app/x': 'x' }, { [APK_INSTALLED]: added });
  const layer = (n: string) => pkgs.find((p) => p.name === n)?.layer?.index;
  assert.deepEqual([layer('musl'), layer('zlib'), layer('ca-certificates-bundle')], [0, 1, 3]);
});

test('Wolfi and Chainguard (merged /usr): the database at /usr/lib/apk/db/installed is read, upgrades attributed', async () => {
  const wolfi =
    [
      'C:Q1h6bZ4K3kQ0oMWmFQO5yYvQe0eVg=\nP:wolfi-baselayout\nV:20230201-r15\nA:x86_64\nL:MIT\no:wolfi-baselayout\nF:etc\nR:os-release\n',
      'C:Q1pGZ3hZr2bF7dQ5o9lVt4E1mS8XQ=\nP:ld-linux\nV:2.40-r3\nA:x86_64\nL:LGPL-2.1-or-later\no:glibc\nF:usr/lib\nR:ld-linux-x86-64.so.2\n',
      'C:Q1n1Jp8m3sZ3u0Zb0y7G5dQwA3f8A=\nP:glibc\nV:2.40-r3\nA:x86_64\nL:LGPL-2.1-or-later\no:glibc\nF:usr/lib\nR:libc.so.6\n',
    ].join('\n') + '\n';
  const upgraded = wolfi.replaceAll('V:2.40-r3', 'V:2.40-r4');
  const pkgs = await run({ [APK_INSTALLED_USR]: wolfi, '/lib': { symlink: 'usr/lib' } }, { [APK_INSTALLED_USR]: upgraded });
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.sourceName, p.layer?.index]),
    [
      ['glibc', '2.40-r4', 'glibc', 1],
      ['ld-linux', '2.40-r4', 'glibc', 1],
      ['wolfi-baselayout', '20230201-r15', 'wolfi-baselayout', 0],
    ],
  );
  assert.deepEqual(pkgs[0]!.files, ['/usr/lib/libc.so.6']);
});

test('no database: no packages', async () => {
  assert.deepEqual(await runAnalyzer(apkAnalyzer, [{ '/etc/alpine-release': '3.19.1\n' }]), {});
});

test('hostile installed files fail with InputError naming the file and line', async () => {
  const cases: Array<[string | Buffer, string, RegExp]> = [
    ['P:musl\nA:x86_64\n\n', 'APK_MISSING_FIELD', /installed:1: package musl has no V:/],
    ['V:1.0-r0\n\n', 'APK_MISSING_FIELD', /installed:1: record 1 has no P:/],
    ['P:musl\nV:1.0-r0\nthis is not apk\n', 'APK_SYNTAX', /installed:3/],
    ['P:musl\nV:1.0 r0\n', 'APK_BAD_FIELD', /installed:2: invalid version/],
    ['P:mu sl\nV:1.0-r0\n', 'APK_BAD_FIELD', /installed:1: invalid package name/],
    [Buffer.concat([Buffer.from('P:m'), Buffer.from([0xff, 0xfe]), Buffer.from('\nV:1\n')]), 'APK_NOT_UTF8', /installed:1: P: is not valid UTF-8/],
    [Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x0a]), 'APK_SYNTAX', /installed:1/],
  ];
  for (const [content, code, message] of cases) {
    await assert.rejects(run({ [APK_INSTALLED]: content }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      return true;
    });
  }
  const big = Buffer.from(`P:a\nV:1\nF:usr\n${'R:file\n'.repeat(200)}`);
  assert.throws(
    () => parseApkInstalled(big, APK_INSTALLED, { maxRecords: 10, maxRecordBytes: 1000 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_APK_RECORD_SIZE',
  );
  assert.throws(
    () => parseApkInstalled(Buffer.from('P:a\nV:1\n\n'.repeat(11)), APK_INSTALLED, { maxRecords: 10, maxRecordBytes: 1000 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_APK_RECORDS',
  );
});

test('fuzz: damaged installed files end in packages or an InputError, never a crash', async () => {
  await fuzzDamagedBytes(Buffer.from(installed()), { seed: 7, rounds: 200, maxHits: 6, bytes: [0x0a, 0x3a, 0xff] }, (b) => run({ [APK_INSTALLED]: b }));
});
