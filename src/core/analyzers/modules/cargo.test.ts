import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gunzipSync } from 'node:zlib';
import { parseCargoLock } from '../cargo-lock.js';
import { patchSection } from '../elf.test-helpers.js';
import { MAX_DEP_V0, summarizeExecutable } from '../executable.js';
import { analyzerFile, fileEntry, assertPackages, nameVersions, runAnalyzer } from '../analyzer.test-helpers.js';
import { trivyFixture } from '../../../../test/helpers/trivy-fixture.js';
import cargo from './cargo.js';
import rustBinary, { auditableCrates } from './rust-binary.js';

// Trivy's pkg/dependency/parser/rust/cargo/parse_test.go.
const NORMAL = ['normal@0.1.0', 'libc@0.2.54', 'typemap@0.3.3', 'url@1.7.2', 'unsafe-any@0.4.2', 'matches@0.1.8', 'idna@0.1.5', 'percent-encoding@1.0.1'];
const TRIVY: Record<string, string[]> = {
  'cargo_normal.lock': NORMAL,
  'cargo_mixed.lock': NORMAL,
  'cargo_v3.lock': [
    'aho-corasick@0.7.20',
    'app@0.1.0',
    'libc@0.2.140',
    'memchr@1.0.2',
    'memchr@2.5.0',
    'regex@1.7.3',
    'regex-syntax@0.5.6',
    'regex-syntax@0.6.29',
    'ucd-util@0.1.10',
  ],
};

for (const [name, want] of Object.entries(TRIVY)) {
  test(`cargo: Trivy's ${name} lists what Trivy's test expects`, async () => {
    const r = await runAnalyzer(cargo, [analyzerFile(`/src/app/Cargo.lock`, trivyFixture(`cargo/${name}`))]);
    assertPackages(r, want, { type: 'cargo', filePath: '/src/app/Cargo.lock' });
  });
}

test("cargo: Trivy's invalid lockfile and broken TOML give a notice naming the line", async () => {
  const r = await runAnalyzer(cargo, [analyzerFile('/x/Cargo.lock', trivyFixture('cargo/cargo_invalid.lock'))]);
  assert.deepEqual(r.packages, []);
  assert.match(r.notices![0]!.message, /^Cargo\.lock \/x\/Cargo\.lock skipped: line \d+: /);
  assert.match(String(parseCargoLock('[[package]]\nname = "a"\n')), /without name or version/);
  assert.match(String(parseCargoLock('[[package]]\nname = "a\nversion = "1"\n')), /^line 2: malformed string$/);
  assert.match(String(parseCargoLock('[[package]]\nname = "a"\nversion = "1"\ndependencies = [\n "b",\n')), /unterminated array/);
  // Inline arrays, comments, literal strings.
  const ok = parseCargoLock('# c\nversion = 4\n[[package]]\nname = \'x\' # n\nversion = "1.0.0"\ndependencies = ["y", "z 1.0.0"]\n');
  assert.deepEqual(ok, [{ name: 'x', version: '1.0.0', dependencies: ['y', 'z 1.0.0'] }]);
  assert.ok(!cargo.required('/x/Cargo.toml', fileEntry('/x/Cargo.toml', 10)));
});

test("rust-binary: Trivy's cargo-auditable test binary lists what Trivy's test expects", async () => {
  const bin = gunzipSync(trivyFixture('rust-binary/test.elf.gz'));
  const r = await runAnalyzer(rustBinary, [analyzerFile('/usr/local/bin/app', bin, 0o755)]);
  assert.deepEqual(r.notices, []);
  assert.deepEqual(nameVersions(r.packages!), ['crate_with_features@0.1.0', 'library_crate@0.1.0']);
  assert.ok(r.packages!.every((p) => p.type === 'cargo' && p.filePath === '/usr/local/bin/app'));
  // The same from the pipeline's summary.
  const fromSummary = await runAnalyzer(rustBinary, [analyzerFile('/usr/local/bin/app', rustBinary.reduce!('/usr/local/bin/app', bin), 0o755)]);
  assert.deepEqual(nameVersions(fromSummary.packages!), ['crate_with_features@0.1.0', 'library_crate@0.1.0']);
  assert.equal(rustBinary.reduce, (await import('./gobinary.js')).default.reduce, 'one shared reducer for executables');
});

test('rust-binary: build dependencies left out; broken and bomb .dep-v0 give notices', async () => {
  assert.deepEqual(
    auditableCrates(
      JSON.stringify({
        packages: [
          { name: 'a', version: '1.0.0', root: true },
          { name: 'cc', version: '1.0.0', kind: 'build' },
          { name: 'b', version: '2.0.0', kind: 'runtime' },
        ],
      }),
    ),
    [
      { name: 'a', version: '1.0.0', root: true },
      { name: 'b', version: '2.0.0', root: false },
    ],
  );
  assert.equal(auditableCrates('{"packages": [{"name": 1}]}'), '.dep-v0 package without a name and version');
  assert.equal(auditableCrates('nope'), '.dep-v0 is not JSON');
  // A .dep-v0 section holding a zlib bomb (16 MiB of zeros): inflating stops at the limit.
  const bin = Buffer.from(gunzipSync(trivyFixture('rust-binary/test.elf.gz')));
  const elfSummary = summarizeExecutable(bin);
  assert.ok(elfSummary.rust && 'json' in elfSummary.rust);
  const bomb = deflateSync(Buffer.alloc(2 * MAX_DEP_V0));
  const patched = patchSection(bin, '.dep-v0', bomb);
  const r = await runAnalyzer(rustBinary, [analyzerFile('/bomb', patched, 0o755)]);
  assert.deepEqual(r.packages, []);
  assert.match(r.notices![0]!.message, /^cargo-auditable data of \/bomb skipped: \.dep-v0 inflates to more than \d+ bytes$/);
  const garbage = patchSection(bin, '.dep-v0', Buffer.from('not zlib at all'));
  assert.match((await runAnalyzer(rustBinary, [analyzerFile('/g', garbage, 0o755)])).notices![0]!.message, /\.dep-v0 is not zlib data/);
});
