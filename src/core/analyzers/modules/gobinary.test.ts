import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { MAX_EXECUTABLE, readExecutable, reduceExecutable, summarizeExecutable } from '../executable.js';
import { parseElf } from '../elf.js';
import { patchSection } from '../elf.test-helpers.js';
import { goBinaryPackages, isPseudoVersion, parseModinfo, readGoBuildInfoRaw, shellWords, stdlibVersion, versionFromLdflags } from '../go-buildinfo.js';
import type { AnalyzerFile } from '../types.js';
import { analyzerFile, fileEntry, nameVersions, runAnalyzer } from '../analyzer.test-helpers.js';
import { trivyFixture } from '../../../../test/helpers/trivy-fixture.js';
import gobinary from './gobinary.js';

const trivy = (name: string): Buffer => gunzipSync(trivyFixture(`go-binary/${name}.gz`));
const entry = (path: string, size: number, mode = 0o755) => fileEntry(path, size, mode);
const file = (path: string, content: Buffer) => analyzerFile(path, content, 0o755);
const run = (files: AnalyzerFile[]) => runAnalyzer(gobinary, files);

// Trivy's pkg/dependency/parser/golang/binary/parse_test.go, the expected packages per file.
const TRIVY_EXPECTED: Record<string, string[]> = {
  // Go 1.15: the pre-1.18 pointer layout.
  'test.elf': [
    'github.com/aquasecurity/test@',
    'stdlib@v1.15.2',
    'github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46',
    'github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492',
    'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
  ],
  // Go 1.22: the inline layout; the main module's (devel) version replaced by `-X main.version=v1.0.0`.
  'main-version-via-ldflags.elf': ['github.com/aquasecurity/test@v1.0.0', 'stdlib@v1.22.1'],
  // `go1.22.1 X:loopvar`: the GOEXPERIMENT suffix is not part of the version; no main module.
  goexperiment: ['stdlib@v1.22.1'],
};

for (const [name, want] of Object.entries(TRIVY_EXPECTED)) {
  test(`gobinary: Trivy's ${name} lists what Trivy's test expects, from the binary and from its summary`, async () => {
    const bin = trivy(name);
    const whole = await run([file('/app/' + name, bin)]);
    assert.deepEqual(whole.notices, []);
    assert.deepEqual(nameVersions(whole.packages!), [...want].sort());
    assert.ok(whole.packages!.every((p) => p.type === 'golang' && p.filePath === '/app/' + name && p.layer?.index === 0));
    // What the pipeline keeps of the binary (the reducer's summary) gives the same packages.
    const reduced = reduceExecutable('/app/' + name, bin);
    assert.ok(reduced.length < 64 * 1024, `summary of ${reduced.length} bytes`);
    const fromSummary = await run([file('/app/' + name, reduced)]);
    assert.deepEqual(nameVersions(fromSummary.packages!), [...want].sort());
  });
}

test('gobinary: the build info layouts are told apart', () => {
  const old = readGoBuildInfoRaw(trivy('test.elf'));
  const inline = readGoBuildInfoRaw(trivy('goexperiment'));
  assert.ok(old && typeof old !== 'string' && old.goVersion === 'go1.15.2');
  assert.ok(inline && typeof inline !== 'string' && inline.goVersion === 'go1.22.1 X:loopvar');
  // A non-Go file, an ELF without build info, text: not Go executables, no notice.
  assert.equal(readGoBuildInfoRaw(trivy('dummy')), undefined);
  assert.deepEqual(summarizeExecutable(Buffer.from('#!/bin/sh\necho hi\n')), {});
});

test('gobinary: claims executables only, within the size limit', () => {
  assert.ok(gobinary.required('/usr/bin/kubectl', entry('/usr/bin/kubectl', 50e6)));
  assert.ok(!gobinary.required('/usr/share/doc/x', entry('/usr/share/doc/x', 5000, 0o644)));
  assert.ok(!gobinary.required('/big', entry('/big', MAX_EXECUTABLE + 1)));
  assert.ok(!gobinary.required('/d', { ...entry('/d', 10), kind: 'dir' }));
});

test('gobinary: Go version strings, pseudo-versions, -ldflags', () => {
  assert.equal(stdlibVersion('go1.22.1'), 'v1.22.1');
  assert.equal(stdlibVersion('go1.22.1 X:loopvar'), 'v1.22.1');
  assert.equal(stdlibVersion('go1.26.0-X:jsonv2'), 'v1.26.0');
  assert.equal(stdlibVersion('go1.21.0 (Red Hat 1.21.0-1.el9)'), 'v1.21.0');
  assert.ok(isPseudoVersion('v0.0.0-20210121094942-22b2f8951d46'));
  assert.ok(isPseudoVersion('v1.0.1-0.20220426205730-d0a4cdb22955'));
  assert.ok(isPseudoVersion('v2.0.0-20251210145848-560ea94fc7d6+incompatible'));
  assert.ok(!isPseudoVersion('v1.2.3'));
  assert.ok(!isPseudoVersion('v1.2.3-rc.1'));
  assert.deepEqual(shellWords(`-s -w -X 'main.version=1.0 beta' -X "a.b=c\\"d"`), ['-s', '-w', '-X', 'main.version=1.0 beta', '-X', 'a.b=c"d']);
  assert.equal(shellWords(`-X 'unterminated`), undefined);
  const m = 'github.com/org/app';
  assert.equal(versionFromLdflags(m, '-s -w -X main.version=v1.2.3'), 'v1.2.3');
  assert.equal(versionFromLdflags(m, '-X=main.Version=1.2.3'), '1.2.3');
  assert.equal(versionFromLdflags(m, '-X github.com/org/app/cmd/app/x.version=v2.0.0 -X main.version=v1.0.0'), 'v2.0.0', 'module/cmd first');
  assert.equal(versionFromLdflags(m, '-X main.version=v1.0.0 -X common.version=v1.1.0'), '', 'two of one tier: none');
  assert.equal(versionFromLdflags(m, '-X main.version=dev'), '', 'not semver');
  assert.equal(versionFromLdflags(m, '-X main.commit=v1.0.0'), '', 'not a version key');
});

test('gobinary: module info lines, replacements, build settings', () => {
  const info = parseModinfo(
    'go1.21.5',
    [
      'path\texample.com/cmd/app',
      'mod\texample.com\t(devel)\t',
      'dep\tgolang.org/x/text\tv0.3.7\th1:abc=',
      'dep\tgithub.com/old/mod\tv1.0.0',
      '=>\tgithub.com/new/mod\tv1.1.0\th1:def=',
      'dep\tgithub.com/local/mod\tv0.1.0',
      '=>\t../local\t',
      'build\t-ldflags="-X main.version=v3.1.4"',
      'build\tCGO_ENABLED=0',
    ].join('\n'),
  );
  assert.ok(typeof info !== 'string');
  assert.deepEqual(info.settings, [
    ['-ldflags', '-X main.version=v3.1.4'],
    ['CGO_ENABLED', '0'],
  ]);
  // A replacement by a local directory is listed under its path with no version, as Trivy lists it.
  assert.deepEqual(nameVersions(goBinaryPackages(info)), [
    '../local@',
    'example.com@v3.1.4',
    'github.com/new/mod@v1.1.0',
    'golang.org/x/text@v0.3.7',
    'stdlib@v1.21.5',
  ]);
  assert.match(String(parseModinfo('go1.21', 'dep\tonly-a-path')), /line 1: malformed "dep" line/);
  assert.match(String(parseModinfo('go1.21', '=>\tx\tv1')), /line 1: malformed replacement/);
});

test('gobinary: broken and hostile binaries give a notice or nothing, never a throw', async () => {
  const bin = trivy('main-version-via-ldflags.elf');
  const elf = parseElf(bin);
  assert.ok(typeof elf !== 'string');
  const sec = elf.sections.find((s) => s.name === '.go.buildinfo')!;
  // The module info length varint claims 2^40 bytes.
  const huge = Buffer.from(bin);
  const off = sec.offset + 32;
  const vlen = huge[off]!; // the Go version's one-byte length
  huge.set([0x80, 0x80, 0x80, 0x80, 0x80, 0x20], off + 1 + vlen);
  const r1 = await run([file('/huge', huge)]);
  assert.deepEqual(r1.packages, []);
  assert.match(r1.notices![0]!.message, /^Go build info of \/huge skipped: module info: string of \d+ bytes$/);
  // Truncated right after the build info header.
  const cut = bin.subarray(0, sec.offset + 40);
  const r2 = await run([file('/cut', cut)]);
  assert.deepEqual(r2.packages, []);
  // Section headers pointing outside the file, program headers too many: not readable, no throw.
  const forged = Buffer.from(bin.subarray(0, 4096));
  forged.writeBigUInt64LE(BigInt(2 ** 40), 0x28);
  forged.writeUInt16LE(0xffff, 0x38);
  assert.equal(typeof parseElf(forged), 'string');
  assert.deepEqual(await run([file('/forged', forged)]), { packages: [], notices: [] });
  // Every prefix of the header region: never a throw.
  for (let n = 0; n < 200; n += 7) await run([file('/p', bin.subarray(0, n))]);
  // A forged summary (a file that starts like one) is validated, not trusted.
  const fake = Buffer.from('vigil-executable-summary/1\n{"go":{"goVersion":5,"modinfo":null}}');
  assert.match((await run([file('/fake', fake)])).notices![0]!.message, /malformed summary/);
  assert.deepEqual(readExecutable(Buffer.from('vigil-executable-summary/1\n{not json')), {});
});

test('gobinary: without section headers the writable segment is searched (stripped to the bone)', async () => {
  const bin = Buffer.from(trivy('main-version-via-ldflags.elf'));
  // e_shoff = 0 and e_shnum = 0: what sstrip-like tools leave.
  bin.writeBigUInt64LE(0n, 0x28);
  bin.writeUInt16LE(0, 0x3c);
  const r = await run([file('/sstripped', bin)]);
  assert.deepEqual(nameVersions(r.packages!), ['github.com/aquasecurity/test@v1.0.0', 'stdlib@v1.22.1']);
});

test('gobinary: inline build info longer than the 64 KiB search window is read on, as Go reads it', async () => {
  const bin = trivy('main-version-via-ldflags.elf');
  const elf = parseElf(bin);
  assert.ok(typeof elf !== 'string');
  const sec = elf.sections.find((s) => s.name === '.go.buildinfo')!;
  const header = bin.subarray(sec.offset, sec.offset + 32);
  assert.ok(header[15]! & 2, 'the inline layout');
  const uvarint = (n: number): Buffer => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return Buffer.from(out);
  };
  const deps = Array.from({ length: 2000 }, (_, i) => `dep\texample.com/module/number-${i}\tv1.${i}.0\th1:${'x'.repeat(43)}=\n`).join('');
  const sentinel = Buffer.alloc(16, 0x2e);
  const modinfo = Buffer.concat([sentinel, Buffer.from(`path\texample.com/app\nmod\texample.com/app\tv2.0.0\t\n${deps}`), sentinel]);
  assert.ok(modinfo.length > 128 * 1024, `module info of ${modinfo.length} bytes`);
  const version = Buffer.from('go1.22.1');
  const data = Buffer.concat([header, uvarint(version.length), version, uvarint(modinfo.length), modinfo]);
  const r = await run([file('/big', patchSection(bin, '.go.buildinfo', data))]);
  assert.deepEqual(r.notices, []);
  assert.equal(r.packages!.length, 2002);
  assert.deepEqual(nameVersions(r.packages!.filter((p) => p.name === 'stdlib' || p.name.endsWith('-1999') || p.name === 'example.com/app')), [
    'example.com/app@v2.0.0',
    'example.com/module/number-1999@v1.1999.0',
    'stdlib@v1.22.1',
  ]);
  // Cut inside the module info: a notice, not a throw.
  const cut = patchSection(bin, '.go.buildinfo', data.subarray(0, 100 * 1024));
  assert.match((await run([file('/cut', cut)])).notices![0]!.message, /module info: string outside the section/);
});
