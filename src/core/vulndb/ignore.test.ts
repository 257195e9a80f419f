import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import type { VulnerabilityFinding } from '../scan/types.js';
import { applyIgnores, applyIgnoreUnfixed, parseIgnoreFile } from './ignore.js';
import { applyVex, parseOpenVex } from './vex.js';

function finding(id: string, pkg: string, purl: string, fixed = '1.0', aliases: string[] = []): VulnerabilityFinding {
  return {
    id,
    aliases,
    package: pkg,
    sourcePackage: pkg,
    type: 'npm',
    installedVersion: '0.9',
    fixedVersion: fixed,
    status: fixed ? 'fixed' : 'affected',
    severity: 'high',
    vendorSeverity: {},
    cvss: {},
    title: '',
    purl,
    ignored: false,
  };
}
const set = () => [
  finding('CVE-2021-23337', 'lodash', 'pkg:npm/lodash@4.17.20', '4.17.21', ['GHSA-35jh-r3h4-6jhm']),
  finding('CVE-2020-28500', 'lodash', 'pkg:npm/lodash@4.17.20', '4.17.21'),
  finding('CVE-2021-44906', 'minimist', 'pkg:npm/minimist@1.2.5', '1.2.6'),
  finding('CVE-2023-4911', 'libc6', 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&distro=debian-12', ''),
];
const now = new Date('2026-06-01T12:00:00Z');
const ignored = (fs: VulnerabilityFinding[]) => fs.filter((f) => f.ignored).map((f) => `${f.package} ${f.id}`);

test('ignore file: Trivy-style lines with package, expiry and reason', () => {
  const e = parseIgnoreFile(
    '# accepted risks\nGHSA-35jh-r3h4-6jhm pkg:npm/lodash # template() never gets user input\nCVE-2021-44906 exp:2026-01-01\n\nCVE-2023-4911 exp:2027-01-01 libc6\nCVE-2020-28500 minimist\n',
    '.vigilignore',
  );
  assert.equal(e.length, 4);
  const fs = set();
  assert.equal(applyIgnores(fs, e, now), 2);
  assert.deepEqual(ignored(fs), ['lodash CVE-2021-23337', 'libc6 CVE-2023-4911']);
  assert.equal(fs[0]!.ignoreReason, 'ignore file: template() never gets user input');
  assert.match(fs[3]!.ignoreReason!, /until 2027-01-01/);
});

test('ignore file: YAML with packages (purl or name), expires and reason', () => {
  const yaml = `vulnerabilities:
  - id: CVE-2021-44906
    packages: ["pkg:npm/minimist@1.2.5"]
    reason: CLI flags come from our own scripts
  - id: CVE-2020-28500
    expires: 2026-05-31
  - id: CVE-2023-4911
    packages: [libc-bin]
`;
  const fs = set();
  applyIgnores(fs, parseIgnoreFile(yaml, 'ig.yaml'), now);
  assert.deepEqual(ignored(fs), ['minimist CVE-2021-44906']);
  assert.equal(fs[2]!.ignoreReason, 'ignore file: CLI flags come from our own scripts');
});

test('ignore file: broken input is an InputError with the line', () => {
  for (const [text, where] of [
    ['CVE-1 exp:2026-13-45', 'f:1'],
    ['vulnerabilities: 3', 'f'],
    ['vulnerabilities:\n  - reason: x', 'f: entry 1'],
    ['vulnerabilities: [unclosed', 'f'],
    ['ok-ID\n"bad id"', 'f:2'],
  ] as const) {
    assert.throws(
      () => parseIgnoreFile(text, 'f'),
      (e: unknown) => e instanceof InputError && e.code === 'IGNORE_FILE_INVALID' && e.message.startsWith(where),
      text,
    );
  }
});

test('--ignore-unfixed ignores only findings without a fix', () => {
  const fs = set();
  assert.equal(applyIgnoreUnfixed(fs), 1);
  assert.deepEqual(ignored(fs), ['libc6 CVE-2023-4911']);
});

const vexDoc = (statements: unknown[]) => ({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.invalid/vex-1',
  author: 'sec team',
  timestamp: '2026-01-01T00:00:00Z',
  version: 1,
  statements,
});

test('OpenVEX: not_affected/fixed ignore what they name; affected/under_investigation do not', () => {
  const stmts = parseOpenVex(
    vexDoc([
      {
        vulnerability: { name: 'CVE-2021-44906' },
        products: [{ '@id': 'pkg:npm/minimist@1.2.5' }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      },
      {
        vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' },
        products: [{ '@id': 'registry.example.com/app:1.0', subcomponents: [{ '@id': 'pkg:npm/lodash' }] }],
        status: 'not_affected',
        justification: 'inline_mitigations_already_exist',
      },
      { vulnerability: { name: 'CVE-2020-28500' }, products: [{ '@id': 'pkg:npm/lodash' }], status: 'under_investigation' },
      {
        vulnerability: { name: 'CVE-2023-4911' },
        products: [{ '@id': 'pkg:oci/app?repository_url=registry.example.com/app' }],
        status: 'not_affected',
        justification: 'component_not_present',
        timestamp: '2026-01-02T00:00:00Z',
      },
      {
        vulnerability: { name: 'CVE-2023-4911' },
        products: [{ '@id': 'pkg:oci/app?repository_url=registry.example.com/app' }],
        status: 'affected',
        timestamp: '2026-01-03T00:00:00Z',
      },
    ]),
    'vex.json',
  );
  const fs = set();
  assert.equal(applyVex(fs, stmts, 'registry:registry.example.com/app:1.0'), 2);
  assert.deepEqual(ignored(fs), ['lodash CVE-2021-23337', 'minimist CVE-2021-44906']);
  assert.equal(fs[2]!.ignoreReason, 'VEX not_affected: vulnerable_code_not_in_execute_path');
  // Another image: the image-scoped statement does not apply.
  const other = set();
  applyVex(other, stmts, 'registry:registry.example.com/other:1.0');
  assert.deepEqual(ignored(other), ['minimist CVE-2021-44906']);
});

test('OpenVEX: v0.0.x string forms and broken documents', () => {
  const s = parseOpenVex(
    { '@context': 'https://openvex.dev/ns', statements: [{ vulnerability: 'CVE-2023-4911', products: ['pkg:deb/debian/libc6'], status: 'fixed' }] },
    'v.json',
  );
  const fs = set();
  applyVex(fs, s);
  assert.deepEqual(ignored(fs), ['libc6 CVE-2023-4911']);
  const bad: unknown[] = [
    {},
    { statements: 'x' },
    vexDoc([{ products: ['pkg:npm/a'], status: 'fixed' }]),
    vexDoc([{ vulnerability: 'X', products: ['pkg:npm/a'], status: 'maybe' }]),
    vexDoc([{ vulnerability: 'X', status: 'fixed' }]),
    { '@context': 'https://csaf.io', statements: [] },
  ];
  for (const b of bad)
    assert.throws(
      () => parseOpenVex(b, 'v.json'),
      (e: unknown) => e instanceof InputError && e.code === 'VEX_INVALID',
      JSON.stringify(b),
    );
});
