import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OsInfo, Package } from '../inventory/types.js';
import type { Advisory, CveEnrichment } from './advisory.js';
import { convertAlpineSecdb } from './alpine-secdb.js';
import { convertDebianTracker } from './debian-tracker.js';
import { matchPackages, type AdvisoryLookup, type AdvisoryHead, type AffectedRow } from './match.js';
import { parseOsv } from './osv.js';

/** An in-memory AdvisoryLookup with the same keys the SQLite DB uses. */
export function memoryDb(advisories: Advisory[], cves: CveEnrichment[] = []): AdvisoryLookup {
  const heads: AdvisoryHead[] = [];
  const rows = new Map<string, AffectedRow[]>();
  for (const a of advisories) {
    if (a.withdrawn) continue;
    const { affected, ...head } = a;
    heads.push(head);
    for (const x of affected) {
      const k = `${x.ecosystem.toLowerCase()}\u0000${x.name.toLowerCase()}`;
      rows.set(k, [...(rows.get(k) ?? []), { key: heads.length - 1, affected: x }]);
    }
  }
  return {
    affected: (e, n) => rows.get(`${e}\u0000${n}`) ?? [],
    advisory: (k) => heads[k],
    cve: (id) => cves.find((c) => c.id === id),
  };
}

const deb = (name: string, version: string, src: string): Package => ({ type: 'deb', name, version, sourceName: src });
const debian12: OsInfo = { family: 'debian', version: '12.5' };

/** A Debian 12 advisory (OSV) of one source package, fixed in `fixed`. */
const debian12Record = (head: { id: string; upstream?: string[]; related?: string[] }, name: string, fixed: string) =>
  parseOsv(
    { ...head, affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }] },
    'x',
  );

const dsa = parseOsv(
  {
    id: 'DSA-5514-1',
    upstream: ['CVE-2023-4911'],
    summary: 'glibc - security update',
    affected: [
      { package: { ecosystem: 'Debian:11', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.31-13+deb11u7' }] }] },
      { package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }] },
    ],
  },
  'dsa.json',
);

test('match: by source package within the OS release, one finding per binary package', () => {
  const db = memoryDb([dsa]);
  const f = matchPackages(
    [deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('libc-bin', '2.36-9+deb12u1', 'glibc'), deb('glibc', '2.36-9+deb12u1', 'other')],
    debian12,
    db,
  );
  assert.deepEqual(
    f.map((x) => `${x.package} ${x.sourcePackage} ${x.id} ${x.fixedVersion} ${x.status}`),
    ['libc-bin glibc CVE-2023-4911 2.36-9+deb12u3 fixed', 'libc6 glibc CVE-2023-4911 2.36-9+deb12u3 fixed'],
  );
  assert.deepEqual(f[0]!.aliases, ['DSA-5514-1']);
  assert.equal(f[0]!.purl, 'pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u1?distro=debian-12.5');
  // At the fix, above it, on Debian 11 versions compared to the 11 fix, on Debian 13 (no advisory): nothing.
  assert.equal(matchPackages([deb('libc6', '2.36-9+deb12u3', 'glibc')], debian12, db).length, 0);
  assert.equal(matchPackages([deb('libc6', '2.36-9+deb12u13', 'glibc')], debian12, db).length, 0);
  assert.equal(matchPackages([deb('libc6', '2.31-13+deb11u7', 'glibc')], { family: 'debian', version: '11' }, db).length, 0);
  assert.equal(matchPackages([deb('libc6', '2.31-13+deb11u6', 'glibc')], { family: 'debian', version: '11' }, db)[0]?.fixedVersion, '2.31-13+deb11u7');
  assert.equal(matchPackages([deb('libc6', '2.36-9', 'glibc')], { family: 'debian', version: '13' }, db).length, 0);
  assert.equal(matchPackages([deb('libc6', '2.36-9', 'glibc')], undefined, db).length, 0);
  assert.equal(matchPackages([deb('libc6', '2.36-9', 'glibc')], { family: 'ubuntu', version: '22.04' }, db).length, 0);
});

test('match: an older DSA record naming its CVE only in `related`', () => {
  const old = debian12Record({ id: 'DSA-5532-1', related: ['CVE-2023-5363'] }, 'openssl', '3.0.11-1~deb12u2');
  const ghsa = parseOsv(
    {
      id: 'GHSA-aaaa-bbbb-cccc',
      related: ['CVE-2020-0001'],
      affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
    },
    'x',
  );
  assert.deepEqual(
    matchPackages([deb('libssl3', '3.0.9-1', 'openssl')], debian12, memoryDb([old])).map((f) => `${f.id} ${f.aliases}`),
    ['CVE-2023-5363 DSA-5532-1'],
  );
  assert.deepEqual(
    matchPackages([{ type: 'npm', name: 'x', version: '1.0.0' }], undefined, memoryDb([ghsa])).map((f) => f.id),
    ['GHSA-aaaa-bbbb-cccc'],
  );
});

test('match: a binNMU binary is compared by its source version', () => {
  const a = debian12Record({ id: 'DSA-1-1', upstream: ['CVE-2024-0001'] }, 'bash', '5.2.15-2+b1');
  const f = matchPackages([{ type: 'deb', name: 'bash', version: '5.2.15-2+b8', sourceName: 'bash', sourceVersion: '5.2.15-2' }], debian12, memoryDb([a]));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.installedVersion, '5.2.15-2+b8');
});

test('match: several sources for one CVE merge; DSA listing several CVEs yields one finding each', () => {
  const multi = debian12Record({ id: 'DSA-5770-1', upstream: ['CVE-2024-45490', 'CVE-2024-45491'] }, 'expat', '2.5.0-1+deb12u1');
  const perCve = debian12Record({ id: 'DEBIAN-CVE-2024-45490', upstream: ['CVE-2024-45490'] }, 'expat', '2.5.0-1+deb12u1');
  const tracker = convertDebianTracker(
    {
      expat: {
        'CVE-2024-45490': {
          description: 'XML_ParseBuffer negative length',
          releases: { bookworm: { status: 'resolved', fixed_version: '2.5.0-1+deb12u1', urgency: 'high' } },
        },
      },
    },
    't.json',
  );
  const nvd: CveEnrichment = {
    id: 'CVE-2024-45490',
    source: 'nvd',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    vendorSeverity: 'critical',
  };
  const f = matchPackages([deb('libexpat1', '2.5.0-1', 'expat')], debian12, memoryDb([multi, perCve, ...tracker], [nvd]));
  assert.deepEqual(
    f.map((x) => x.id),
    ['CVE-2024-45490', 'CVE-2024-45491'],
  );
  const a = f[0]!;
  assert.deepEqual(a.aliases, ['DEBIAN-CVE-2024-45490', 'DSA-5770-1']);
  assert.deepEqual(a.vendorSeverity, { debian: 'high', nvd: 'critical' });
  assert.equal(a.severity, 'high', 'the vendor (Debian) severity wins over NVD');
  assert.equal(a.cvss.nvd?.score, 9.8);
  assert.equal(f[1]!.severity, 'unknown');
  assert.deepEqual(f[1]!.aliases, ['DSA-5770-1']);
});

test('match: Debian tracker statuses (unfixed, ignored, end-of-life, not affected) and withdrawn records', () => {
  const tracker = convertDebianTracker(
    {
      tiff: {
        'CVE-2023-0001': { releases: { bookworm: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' } } },
        'CVE-2023-0002': { releases: { bookworm: { status: 'open', urgency: 'unimportant', nodsa: 'x', nodsa_reason: 'ignored' } } },
        'CVE-2023-0003': { releases: { bookworm: { status: 'open', urgency: 'end-of-life' } } },
        'CVE-2023-0004': { releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'not yet assigned' } } },
        'CVE-2023-0005': { releases: { bullseye: { status: 'open', urgency: 'high' } } },
      },
    },
    't.json',
  );
  const withdrawn = parseOsv(
    {
      id: 'DSA-9-1',
      withdrawn: '2024-01-01T00:00:00Z',
      upstream: ['CVE-2023-0009'],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'tiff' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
    },
    'x',
  );
  const f = matchPackages([deb('libtiff6', '4.5.0-6', 'tiff')], debian12, memoryDb([...tracker, withdrawn]));
  assert.deepEqual(
    f.map((x) => `${x.id} ${x.status} ${x.fixedVersion === '' ? 'nofix' : x.fixedVersion} ${x.severity}`),
    ['CVE-2023-0001 affected nofix low', 'CVE-2023-0002 will_not_fix nofix low', 'CVE-2023-0003 end_of_life nofix unknown'],
  );
});

test('match: Alpine secdb by origin within the branch', () => {
  const secdb = convertAlpineSecdb(
    {
      distroversion: 'v3.19',
      reponame: 'main',
      packages: [
        { pkg: { name: 'openssl', secfixes: { '3.1.4-r0': ['CVE-2023-5363'], '3.1.4-r1': ['CVE-2023-5678 CVE-2023-6129'], '0': ['CVE-2022-0001'] } } },
      ],
    },
    's.json',
  );
  const apk = (name: string, version: string): Package => ({ type: 'apk', name, version, sourceName: 'openssl' });
  const f = matchPackages([apk('libcrypto3', '3.1.4-r0')], { family: 'alpine', version: '3.19.1' }, memoryDb(secdb));
  assert.deepEqual(
    f.map((x) => `${x.id} ${x.fixedVersion}`),
    ['CVE-2023-5678 3.1.4-r1', 'CVE-2023-6129 3.1.4-r1'],
  );
  assert.equal(matchPackages([apk('libcrypto3', '3.1.4-r0')], { family: 'alpine', version: '3.20.0' }, memoryDb(secdb)).length, 0);
});

test('match: rpm (Rocky Linux OSV) by binary name within the major release', () => {
  const rl = parseOsv(
    {
      id: 'RLSA-2024:0155',
      aliases: ['CVE-2023-5678'],
      affected: [
        {
          package: { ecosystem: 'Rocky Linux:9', name: 'openssl-libs' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:3.0.7-25.el9_3' }] }],
        },
      ],
    },
    'x',
  );
  const rpm = (version: string): Package => ({ type: 'rpm', name: 'openssl-libs', version, sourceName: 'openssl' });
  const os9: OsInfo = { family: 'rocky', version: '9.3' };
  assert.equal(matchPackages([rpm('1:3.0.7-24.el9')], os9, memoryDb([rl]))[0]?.fixedVersion, '1:3.0.7-25.el9_3');
  assert.equal(matchPackages([rpm('1:3.0.7-25.el9_3')], os9, memoryDb([rl])).length, 0);
  assert.equal(matchPackages([rpm('1:3.0.7-24.el9')], { family: 'rocky', version: '8.9' }, memoryDb([rl])).length, 0);
});

test('match: npm packages by name with SEMVER ranges; GHSA severity', () => {
  const g = parseOsv(
    {
      id: 'GHSA-xvch-5gv4-984h',
      aliases: ['CVE-2021-44906'],
      database_specific: { severity: 'CRITICAL' },
      affected: [
        {
          package: { ecosystem: 'npm', name: 'minimist' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.2.4' }, { introduced: '1.0.0' }, { fixed: '1.2.6' }] }],
        },
      ],
    },
    'x',
  );
  const npm = (version: string, filePath = '/app/node_modules/minimist/package.json'): Package => ({ type: 'npm', name: 'minimist', version, filePath });
  const f = matchPackages(
    [npm('1.2.5'), npm('1.2.6'), npm('0.2.4'), npm('0.0.8', '/app/node_modules/x/node_modules/minimist/package.json')],
    undefined,
    memoryDb([g]),
  );
  assert.deepEqual(
    f.map((x) => `${x.installedVersion} ${x.fixedVersion} ${x.severity} ${x.pkgPath}`),
    ['0.0.8 0.2.4 critical /app/node_modules/x/node_modules/minimist/package.json', '1.2.5 1.2.6 critical /app/node_modules/minimist/package.json'],
  );
});

test('match: the NVD description replaces a generic DSA title', () => {
  const nvd: CveEnrichment = { id: 'CVE-2023-4911', source: 'nvd', severity: [], description: 'Buffer overflow in ld.so GLIBC_TUNABLES handling.\nMore text.' };
  const f = matchPackages([deb('libc6', '2.36-9+deb12u1', 'glibc')], debian12, memoryDb([dsa], [nvd]));
  assert.equal(f[0]!.title, 'Buffer overflow in ld.so GLIBC_TUNABLES handling.');
});

test('Wolfi and Chainguard images are matched in their OSV ecosystems (they were a silent zero)', () => {
  // Shape of Chainguard's OSV feed: a CGA id, the CVE upstream, one affected entry per ecosystem, apk versions.
  const cga = parseOsv(
    {
      id: 'CGA-2x4f-9q7r-h3vm',
      upstream: ['CVE-2024-2961'],
      summary: 'glibc: out-of-bounds write in iconv',
      affected: [
        {
          package: { ecosystem: 'Wolfi', name: 'glibc', purl: 'pkg:apk/wolfi/glibc?arch=x86_64' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.39-r3' }] }],
        },
        {
          package: { ecosystem: 'Chainguard', name: 'glibc', purl: 'pkg:apk/chainguard/glibc?arch=x86_64' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.39-r3' }] }],
        },
      ],
    },
    'cga.json',
  );
  const db = memoryDb([cga]);
  const pkgs: Package[] = [
    { type: 'apk', name: 'ld-linux', version: '2.39-r2', sourceName: 'glibc', arch: 'x86_64' },
    { type: 'apk', name: 'glibc', version: '2.39-r3', sourceName: 'glibc', arch: 'x86_64' },
  ];
  for (const family of ['wolfi', 'chainguard']) {
    const found = matchPackages(pkgs, { family, version: '20230201' }, db);
    assert.deepEqual(
      found.map((f) => [f.id, f.package, f.installedVersion, f.fixedVersion, f.purl]),
      [['CVE-2024-2961', 'ld-linux', '2.39-r2', '2.39-r3', `pkg:apk/${family}/ld-linux@2.39-r2?arch=x86_64&distro=${family}-20230201`]],
      family,
    );
  }
});
