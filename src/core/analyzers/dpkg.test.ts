import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { loadFixtureLayer } from '../../node/analyzers/fixture-layer.test-helpers.js';
import { parseControlFile } from './deb822.js';
import { dpkgAnalyzer } from './dpkg.js';
import { fuzzDamagedBytes } from './analyzer.test-helpers.js';
import { runAnalyzer, type HarnessLayer } from './test-harness.js';
import type { Package } from '../inventory/types.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const debian = (): HarnessLayer => loadFixtureLayer(`${testdata}dpkg/debian`);
const STATUS = '/var/lib/dpkg/status';
const statusText = (): string => readFileSync(`${testdata}dpkg/debian${STATUS}`, 'utf8');
const run = async (...layers: HarnessLayer[]): Promise<Package[]> => (await runAnalyzer(dpkgAnalyzer, layers)).packages ?? [];
const byName = (pkgs: Package[], name: string): Package => {
  const p = pkgs.find((x) => x.name === name);
  assert.ok(p, `package ${name} found`);
  return p;
};

test('real bookworm status: the same packages, versions and sources as dpkg-query', async () => {
  const pkgs = await run(debian());
  // debian.expected.tsv was written by dpkg-query --admindir on the fixture (make-dpkg-fixtures.sh).
  const expected = readFileSync(`${testdata}dpkg/debian.expected.tsv`, 'utf8').trim().split('\n').sort();
  const got = pkgs.map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion].join('\t')).sort();
  assert.deepEqual(got, expected);
  assert.ok(!pkgs.some((p) => p.name === 'nano'), 'a removed package left in config-files state does not count');
  const bsdutils = byName(pkgs, 'bsdutils');
  assert.equal(bsdutils.version, '1:2.38.1-5+deb12u3');
  assert.deepEqual([bsdutils.sourceName, bsdutils.sourceVersion], ['util-linux', '2.38.1-5+deb12u3']);
  assert.deepEqual([byName(pkgs, 'bash').sourceVersion, byName(pkgs, 'coreutils').sourceName], ['5.2.15-2', 'coreutils']);
  assert.equal(byName(pkgs, 'libc6').maintainer, 'GNU Libc Maintainers <debian-glibc@lists.debian.org>');
  for (const p of pkgs) assert.deepEqual([p.type, p.layer], ['deb', { index: 0, digest: `sha256:${'0'.repeat(64)}` }]);
});

test('owned files from info/*.list (multi-arch name:arch.list too), directories left out', async () => {
  const pkgs = await run(debian());
  const list = readFileSync(`${testdata}dpkg/debian/var/lib/dpkg/info/libc6:amd64.list`, 'utf8').trim().split('\n');
  const dirs = new Set(list.filter((p) => list.some((q) => q.startsWith(`${p}/`))));
  const expected = list.filter((p) => p !== '/.' && !dirs.has(p));
  const libc = byName(pkgs, 'libc6');
  assert.deepEqual(libc.files, expected);
  assert.ok(libc.files!.includes('/lib/x86_64-linux-gnu/libc.so.6'));
  assert.ok(!libc.files!.includes('/usr/lib'));
  assert.ok(byName(pkgs, 'bash').files!.includes('/bin/bash'));
  assert.ok(byName(pkgs, 'zlib1g').files!.length > 0);
});

test('licenses from DEP-5 copyright files, through a symlinked doc directory too', async () => {
  const pkgs = await run(debian());
  assert.ok(byName(pkgs, 'bash').licenses!.includes('GPL-3+'));
  assert.ok(byName(pkgs, 'zlib1g').licenses!.includes('Zlib'));
  assert.equal(byName(pkgs, 'libc6').licenses, undefined, 'no DEP-5 copyright in the fixture');
  const linked = await run(debian(), { '/usr/share/doc/libc6': { symlink: 'zlib1g' } });
  assert.deepEqual(byName(linked, 'libc6').licenses, byName(linked, 'zlib1g').licenses);
  const notDep5 = await run(debian(), { '/usr/share/doc/bash/copyright': 'This is the Debian prepackaged version of bash.\nLicense: made up\n' });
  assert.equal(byName(notDep5, 'bash').licenses, undefined);
});

test('distroless status.d records and md5sums', async () => {
  const pkgs = await run(loadFixtureLayer(`${testdata}dpkg/distroless`));
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion]),
    [
      ['base-files', '12.4+deb12u15', 'base-files', '12.4+deb12u15'],
      ['libc6', '2.36-9+deb12u14', 'glibc', '2.36-9+deb12u14'],
      ['zlib1g', '1:1.2.13.dfsg-1', 'zlib', '1:1.2.13.dfsg-1'],
    ],
  );
  assert.ok(byName(pkgs, 'zlib1g').files!.includes('/lib/x86_64-linux-gnu/libz.so.1.2.13'));
  assert.ok(byName(pkgs, 'libc6').files!.every((f) => f.startsWith('/')));
});

test('layer attribution: the lowest layer of the unbroken run listing the package at its version', async () => {
  const base = debian();
  const upgraded = statusText().replace('Version: 5.2.15-2+b13', 'Version: 5.2.15-2+b14');
  const extra = 'Package: vigil-extra\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0-1\nDescription: x\n\n';
  const layers: HarnessLayer[] = [base, { [STATUS]: upgraded }, { [STATUS]: upgraded + extra }];
  const pkgs = await run(...layers);
  assert.equal(byName(pkgs, 'coreutils').layer?.index, 0);
  assert.equal(byName(pkgs, 'bash').layer?.index, 1);
  assert.equal(byName(pkgs, 'bash').layer?.digest, `sha256:${'1'.padStart(64, '0')}`);
  assert.equal(byName(pkgs, 'vigil-extra').layer?.index, 2);
  // Removed in layer 1, installed again (same version) in layer 2: it comes from layer 2.
  const without = statusText().replace(/Package: coreutils\n[^]*?\n\n/, '');
  const again = await run(base, { [STATUS]: without }, { [STATUS]: statusText() });
  assert.equal(byName(again, 'coreutils').layer?.index, 2);
  assert.equal(byName(again, 'bash').layer?.index, 0);
  // A broken status file hidden by a later layer does not fail the scan; it ends the run.
  const hidden = await run(base, { [STATUS]: 'garbage\n' }, { [STATUS]: statusText() });
  assert.equal(byName(hidden, 'bash').layer?.index, 2);
});

test('which Status values count as installed', async () => {
  const rec = (name: string, status: string, version = '1.0-1') => `Package: ${name}\nStatus: ${status}\nArchitecture: amd64\nVersion: ${version}\n\n`;
  const pkgs = await run({
    [STATUS]: [
      rec('held', 'hold ok installed'),
      rec('pending', 'install ok triggers-pending'),
      rec('half', 'install ok half-installed'),
      rec('unpacked', 'install ok unpacked'),
      rec('removing', 'deinstall ok installed'),
      rec('purged', 'purge ok not-installed', 'not a version'),
      'Package: nostatus\nVersion: 1\n\n',
    ].join(''),
  });
  assert.deepEqual(
    pkgs.map((p) => p.name),
    ['held', 'pending'],
  );
});

test("~100 packages and ~10k .list lines: every package with its own files (speed is bench/sbom-bench.ts's job)", async () => {
  const layer: HarnessLayer = {};
  let status = '';
  for (let i = 0; i < 100; i++) {
    status += `Package: pkg${i}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: src${i} (1.${i}-1)\nVersion: 1:1.${i}-1+b1\nDescription: package ${i}\n long description line\n .\n more\n\n`;
    layer[`/var/lib/dpkg/info/pkg${i}.list`] = Array.from({ length: 100 }, (_, j) => `/usr/share/pkg${i}/file-${j}`).join('\n') + '\n';
  }
  layer[STATUS] = status;
  const { harnessInput } = await import('./test-harness.js');
  const input = harnessInput([layer], (p, e) => dpkgAnalyzer.required(p, e));
  const pkgs = (await dpkgAnalyzer.analyze(input)).packages!;
  assert.equal(pkgs.length, 100);
  for (let i = 0; i < 100; i++) {
    const p = pkgs.find((x) => x.name === `pkg${i}`)!;
    assert.equal(p.files!.length, 100);
    assert.equal(p.files![99], `/usr/share/pkg${i}/file-99`);
  }
});

test('hostile status files fail with InputError naming the file and line', async () => {
  const cases: Array<[string | Buffer, string, RegExp]> = [
    ['Status: install ok installed\nVersion: 1.0\n\n', 'DPKG_MISSING_FIELD', /status:1.*no Package/],
    ['Package: a\nStatus: install ok installed\nArchitecture: amd64\n\n', 'DPKG_MISSING_FIELD', /no Version/],
    ['Package: a\nStatus: installed\nVersion: 1.0\n\n', 'DPKG_BAD_STATUS', /invalid Status/],
    ['Package: a\nStatus: install ok installed\nVersion: 1.0 beta\n\n', 'DPKG_BAD_VERSION', /invalid Version/],
    ['Package: a\nStatus: install ok installed\nVersion: x:1.0\n\n', 'DPKG_BAD_VERSION', /invalid Version/],
    ['Package: a\nStatus: install ok installed\nVersion: 1.0\nSource: b (1.0\n\n', 'DPKG_BAD_FIELD', /invalid Source/],
    ['Package: a b\nStatus: install ok installed\nVersion: 1.0\n\n', 'DPKG_BAD_FIELD', /invalid Package/],
    [' continued\nPackage: a\n', 'CONTROL_SYNTAX', /status:1: continuation line/],
    ['Package: a\nno colon here\n', 'CONTROL_SYNTAX', /status:2/],
    ['Package: a\nPackage: b\n', 'CONTROL_DUPLICATE_FIELD', /status:2/],
    [
      Buffer.concat([Buffer.from('Package: caf'), Buffer.from([0xe9]), Buffer.from('\nStatus: install ok installed\nVersion: 1\n')]),
      'DPKG_NOT_UTF8',
      /Package is not valid UTF-8/,
    ],
    [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a, 0x00, 0x3e]), 'CONTROL_SYNTAX', /status:1/],
    [`Package: a\nDescription: ${'x'.repeat(5 * 1024 * 1024)}\n`, 'LIMIT_CONTROL_RECORD_SIZE', /larger/],
  ];
  for (const [content, code, message] of cases) {
    await assert.rejects(run({ [STATUS]: content }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      assert.match(e.message, /^\/var\/lib\/dpkg\/status/);
      return true;
    });
  }
  // Many continuation lines: the record bound counts bytes, not lines.
  const long = Buffer.from(`Package: a\nStatus: install ok installed\nVersion: 1\nDescription: d\n${' x\n'.repeat(2000)}`);
  assert.throws(
    () => parseControlFile(long, STATUS, { maxRecordBytes: 1000, maxRecords: 10 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_CONTROL_RECORD_SIZE' && /status:\d+: record 1 is larger/.test(e.message),
  );
  const many = Buffer.from('Package: a\n\n'.repeat(11));
  assert.throws(
    () => parseControlFile(many, STATUS, { maxRecordBytes: 1000, maxRecords: 10 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_CONTROL_RECORDS',
  );
  // Non-UTF-8 in a field Vigil does not report is tolerated (old Latin-1 descriptions).
  const latin1 = Buffer.concat([
    Buffer.from('Package: a\nStatus: install ok installed\nVersion: 1.0\nDescription: caf'),
    Buffer.from([0xe9]),
    Buffer.from('\n'),
  ]);
  assert.equal((await run({ [STATUS]: latin1 }))[0]?.name, 'a');
  await assert.rejects(
    run({ '/var/lib/dpkg/status.d/x': 'Package: x\n' }),
    (e: unknown) => e instanceof InputError && e.code === 'DPKG_MISSING_FIELD' && /status\.d\/x:1/.test(e.message),
  );
});

test('fuzz: damaged status files end in packages or an InputError, never a crash', async () => {
  await fuzzDamagedBytes(Buffer.from(statusText()), { seed: 99, rounds: 200, maxHits: 6, bytes: [0x0a, 0x20, 0x3a, 0x28, 0xff] }, (b) => run({ [STATUS]: b }));
});

test('fuzz regression: a Package field continued over two lines gives a one-line error', async () => {
  const status = 'Package: ly all programs on\n the system\nStatus: install ok installed\nVersion: 1.0\n\n';
  await assert.rejects(run({ [STATUS]: status }), (e: unknown) => e instanceof InputError && /invalid Package/.test(e.message) && !e.message.includes('\n'));
});
