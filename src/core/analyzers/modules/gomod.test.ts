import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoMod, parseGoSum } from '../gomod.js';
import type { AnalyzerFile } from '../types.js';
import { analyzerFile, assertPackages, nameVersions, runAnalyzer } from '../analyzer.test-helpers.js';
import { trivyFixture } from '../../../../test/helpers/trivy-fixture.js';
import gomod from './gomod.js';

const fixture = (p: string): Buffer => trivyFixture(`gomod/${p}`);
const run = (files: AnalyzerFile[]) => runAnalyzer(gomod, files);

// Trivy's pkg/dependency/parser/golang/mod/parse_testcase.go (the go.mod parser; stdlib only with --detection-priority comprehensive).
const TRIVY: Record<string, string[]> = {
  normal: [
    'github.com/org/repo@',
    'github.com/aquasecurity/go-version@v0.0.0-20240603093900-cf8a8d29271d',
    'github.com/davecgh/go-spew@v1.1.2-0.20180830191138-d8f796af33cc',
    'github.com/pmezard/go-difflib@v1.0.1-0.20181226105442-5d4384ee4fb2',
    'github.com/stretchr/testify@v1.9.0',
    'golang.org/x/xerrors@v0.0.0-20231012003039-104605ab7028',
  ],
  replaced: [
    'github.com/org/repo@',
    'github.com/aquasecurity/go-dep-parser@v0.0.0-20220406074731-71021a481237',
    'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
  ],
  'replaced-with-local-path': [
    'github.com/org/repo@',
    'github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff',
    'gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b',
  ],
  'replaced-with-version-mismatch': [
    'github.com/org/repo@',
    'github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff',
    'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
    'gopkg.in/yaml.v3@v3.0.0-20210107192922-496545a6307b',
  ],
};

for (const [dir, want] of Object.entries(TRIVY)) {
  test(`gomod: Trivy's ${dir}/go.mod lists what Trivy's test expects`, async () => {
    // go.mod lists indirect modules (Go 1.17+): go.sum is not merged.
    const r = await run([
      analyzerFile(`/src/${dir}/go.mod`, fixture(`${dir}/go.mod`)),
      ...(dir === 'replaced-with-local-path' ? [] : [analyzerFile(`/src/${dir}/go.sum`, fixture(`${dir}/go.sum`))]),
    ]);
    assertPackages(r, want, { type: 'golang', filePath: `/src/${dir}/go.mod` });
  });
}

test('gomod: a Go 1.16 go.mod lists direct modules; the go.sum beside it adds the rest, as Trivy merges it', async () => {
  const mod = fixture('go116/go.mod');
  const sum = fixture('go116/go.sum');
  const alone = await run([analyzerFile('/a/go.mod', mod)]);
  // Trivy's GoMod116: the main module and the one direct requirement.
  assert.deepEqual(nameVersions(alone.packages!), ['github.com/aquasecurity/go-dep-parser@v0.0.0-20211224170007-df43bca6b6ff', 'github.com/org/repo@']);
  const merged = await run([analyzerFile('/a/go.mod', mod), analyzerFile('/a/go.sum', sum)]);
  const fromSum = parseGoSum(sum.toString('utf8'));
  const want = new Set(nameVersions(alone.packages!));
  for (const [p, v] of fromSum) if (!nameVersions(alone.packages!).some((x) => x.startsWith(`${p}@`))) want.add(`${p}@${v}`);
  assert.ok(want.size > 3);
  assert.deepEqual(nameVersions(merged.packages!), [...want].sort());
  // A go.sum in another directory is not this go.mod's.
  assert.deepEqual(nameVersions((await run([analyzerFile('/a/go.mod', mod), analyzerFile('/b/go.sum', sum)])).packages!), nameVersions(alone.packages!));
});

test('gomod: blocks, quoted paths, comments, replace forms; broken files give a notice', async () => {
  const m = parseGoMod(
    [
      'module "example.com/m" // the module',
      'go 1.21',
      'require (',
      '\tgolang.org/x/text v0.14.0',
      '\t`github.com/q/r` v1.0.0 // indirect',
      ')',
      'require github.com/one/line v2.0.0+incompatible',
      'replace github.com/one/line v2.0.0+incompatible => github.com/fork/line v2.0.1+incompatible',
      'replace golang.org/x/text => ../text',
      'exclude golang.org/x/net v0.1.0',
      'retract v1.0.0',
    ].join('\n'),
  );
  assert.ok(typeof m !== 'string');
  assert.equal(m.module, 'example.com/m');
  assert.deepEqual(m.requires, [
    { path: 'golang.org/x/text', version: 'v0.14.0', indirect: false },
    { path: 'github.com/q/r', version: 'v1.0.0', indirect: true },
    { path: 'github.com/one/line', version: 'v2.0.0+incompatible', indirect: false },
  ]);
  const r = await run([analyzerFile('/x/go.mod', 'module m\ngo 1.21\nrequire (\n\tgolang.org/x/text v0.14.0\n')]);
  assert.deepEqual(r.packages, []);
  assert.deepEqual(
    r.notices!.map((n) => n.message),
    ['go.mod /x/go.mod skipped: unterminated require block'],
  );
  assert.match(String(parseGoMod('require a b c\n')), /^line 1: malformed require$/);
  assert.match(String(parseGoMod('module "unterminated\n')), /^line 1: unterminated string$/);
  assert.match(String(parseGoMod('x\n'.repeat(200_001))), /more than 200000 lines/);
});
