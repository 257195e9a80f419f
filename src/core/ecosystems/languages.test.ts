// OSV matching for the language ecosystems: every range type (ECOSYSTEM,
// SEMVER), `fixed`, `last_affected`, `limit`, explicit `versions`, through
// each ecosystem's comparator; findings name the file holding the package
// and its layer. The generic test runs over every language ecosystem in the
// index (PyPI, Go, crates.io, NuGet, npm and those added beside them: Maven,
// RubyGems, Packagist), so a new one is covered when it is registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRef, Package, PackageType } from '../inventory/types.js';
import type { Advisory } from '../vulndb/advisory.js';
import { matchPackages } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { defaultOsvEcosystems } from '../feeds/modules/osv.js';
import { comparatorForEcosystem } from './comparator.js';
import { ecosystems, matchKey, purlOf } from './index.js';
import { found, lookupOf } from './match.test-helpers.js';

const LAYER: LayerRef = { index: 2, digest: 'sha256:' + 'ab'.repeat(32) };
const pkg = (type: PackageType, name: string, version: string, filePath = `/app/${type}.lock`): Package => ({ type, name, version, filePath, layer: LAYER });
/** Packages of one type: [name, version, file?] rows. */
const pkgs = (type: PackageType, rows: Array<[string, string, string?]>): Package[] => rows.map(([n, v, file]) => pkg(type, n, v, file));

test('language ecosystems: OSV names, DB keys, comparators, purls, default feeds', () => {
  const osv = defaultOsvEcosystems();
  for (const name of ['Go', 'crates.io', 'NuGet', 'PyPI', 'npm']) assert.ok(osv.includes(name), `${name} downloaded by default`);
  assert.equal(comparatorForEcosystem('Go')?.id, 'go');
  assert.equal(comparatorForEcosystem('crates.io')?.id, 'semver');
  assert.equal(comparatorForEcosystem('NuGet')?.id, 'nuget');
  assert.deepEqual(matchKey(pkg('golang', 'github.com/Masterminds/Goutils', 'v1.1.0'), undefined), {
    ecosystems: ['go'],
    names: ['github.com/masterminds/goutils'],
    version: 'v1.1.0',
    vendors: ['ghsa'],
  });
  assert.deepEqual(matchKey(pkg('cargo', 'tokio_util', '0.7.0'), undefined)?.names, ['tokio_util', 'tokio-util']);
  assert.deepEqual(matchKey(pkg('nuget', 'Newtonsoft.Json', '12.0.3'), undefined)?.ecosystems, ['nuget']);
  assert.equal(purlOf(pkg('golang', 'github.com/pkg/errors', 'v0.9.1')), 'pkg:golang/github.com/pkg/errors@v0.9.1');
  assert.equal(purlOf(pkg('golang', 'stdlib', 'v1.19.8')), 'pkg:golang/stdlib@v1.19.8');
  assert.equal(purlOf(pkg('cargo', 'regex', '1.7.3')), 'pkg:cargo/regex@1.7.3');
  assert.equal(purlOf(pkg('nuget', 'Newtonsoft.Json', '12.0.3')), 'pkg:nuget/Newtonsoft.Json@12.0.3');
});

// Shaped after the Go vulnerability database's stdlib records (GO-yyyy-nnnn): SEMVER ranges without `v`, two branches.
const goStdlib = parseOsv(
  {
    id: 'GO-2099-0001',
    aliases: ['CVE-2099-1001'],
    summary: 'net/http: a stdlib flaw fixed on two branches',
    affected: [
      {
        package: { ecosystem: 'Go', name: 'stdlib' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.19.11' }, { introduced: '1.20.0-0' }, { fixed: '1.20.6' }] }],
      },
    ],
  },
  'GO-2099-0001.json',
);
// A module advisory with a pseudo-version fix and a last_affected range on a +incompatible major.
const goModule = parseOsv(
  {
    id: 'GHSA-test-go00-0001',
    aliases: ['CVE-2099-1002'],
    affected: [
      {
        package: { ecosystem: 'Go', name: 'github.com/docker/distribution' },
        ranges: [
          { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.0.0-20230327103106-0ac7a3c2a5d1' }] },
          { type: 'SEMVER', events: [{ introduced: '2.0.0+incompatible' }, { last_affected: '2.8.1+incompatible' }] },
        ],
      },
    ],
  },
  'GHSA-test-go00-0001.json',
);

test('Go: SEMVER ranges over v-prefixed versions, pseudo-versions, +incompatible, last_affected', () => {
  assert.deepEqual(
    found(
      pkgs('golang', [
        ['stdlib', 'v1.19.8', '/usr/bin/skopeo'],
        ['stdlib', 'v1.19.11', '/usr/bin/umoci'],
        ['stdlib', 'v1.20.5', '/usr/bin/x'],
        ['stdlib', 'v1.20.6', '/usr/bin/y'],
        ['stdlib', 'v1.21.0', '/usr/bin/z'],
      ]),
      [goStdlib],
    ),
    ['stdlib@v1.19.8:CVE-2099-1001:1.19.11', 'stdlib@v1.20.5:CVE-2099-1001:1.20.6'],
  );
  assert.deepEqual(
    found(
      ['v0.0.0-20220101000000-aaaaaaaaaaaa', 'v0.0.0-20230327103106-0ac7a3c2a5d1', 'v2.8.1+incompatible', 'v2.8.2+incompatible'].map((v) =>
        pkg('golang', 'github.com/docker/distribution', v),
      ),
      [goModule],
    ),
    [
      'github.com/docker/distribution@v0.0.0-20220101000000-aaaaaaaaaaaa:CVE-2099-1002:0.0.0-20230327103106-0ac7a3c2a5d1',
      'github.com/docker/distribution@v2.8.1+incompatible:CVE-2099-1002:',
    ],
  );
  // The finding names the binary holding the module and its layer.
  const [f] = matchPackages([pkg('golang', 'stdlib', 'v1.19.8', '/usr/bin/skopeo')], undefined, lookupOf([goStdlib]));
  assert.equal(f!.pkgPath, '/usr/bin/skopeo');
  assert.deepEqual(f!.layer, LAYER);
  assert.equal(f!.purl, 'pkg:golang/stdlib@v1.19.8');
});

// Shaped after RustSec records as OSV publishes them (crates.io, SEMVER, several fixed branches).
const rustsec = parseOsv(
  {
    id: 'RUSTSEC-2099-0001',
    aliases: ['CVE-2099-2001', 'GHSA-test-rust-0001'],
    affected: [
      {
        package: { ecosystem: 'crates.io', name: 'regex', purl: 'pkg:cargo/regex' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0.0.0-0' }, { fixed: '1.5.5' }] }],
      },
    ],
  },
  'RUSTSEC-2099-0001.json',
);

test('crates.io: SEMVER ranges with pre-release bounds; the binary or lockfile is named', () => {
  const pkgs = [pkg('cargo', 'regex', '1.5.4', '/usr/local/bin/app'), pkg('cargo', 'regex', '1.5.5'), pkg('cargo', 'regex', '0.1.0-alpha')];
  assert.deepEqual(found(pkgs, [rustsec]), ['regex@0.1.0-alpha:CVE-2099-2001:1.5.5', 'regex@1.5.4:CVE-2099-2001:1.5.5']);
  assert.equal(matchPackages(pkgs, undefined, lookupOf([rustsec]))[1]!.pkgPath, '/usr/local/bin/app');
});

// Shaped after GHSA records for NuGet: ECOSYSTEM ranges, four-part versions, a `limit`, listed versions.
const nugetAdv = parseOsv(
  {
    id: 'GHSA-test-nuget-001',
    aliases: ['CVE-2099-3001'],
    affected: [
      {
        package: { ecosystem: 'NuGet', name: 'AWSSDK.Core' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.5.1.4' }, { fixed: '3.5.1.31' }, { limit: '3.5.2' }] }],
      },
      {
        package: { ecosystem: 'NuGet', name: 'Newtonsoft.Json' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '12.0.3' }] }],
        versions: ['13.0.0-beta1'],
      },
    ],
  },
  'GHSA-test-nuget-001.json',
);

test('NuGet: four-part versions, limit, last_affected, listed versions, case-insensitive ids', () => {
  assert.deepEqual(
    found(
      [
        ...['3.5.1.30', '3.5.1.31', '3.5.1.4', '3.5.1.3'].map((v) => pkg('nuget', 'AWSSDK.Core', v)),
        pkg('nuget', 'awssdk.core', '3.5.1.10'),
        ...['12.0.3', '12.0.3.1', '13.0.0-BETA1', '13.0.0-beta1'].map((v) => pkg('nuget', 'Newtonsoft.Json', v)),
      ],
      [nugetAdv],
    ),
    [
      'AWSSDK.Core@3.5.1.30:CVE-2099-3001:3.5.1.31',
      'AWSSDK.Core@3.5.1.4:CVE-2099-3001:3.5.1.31',
      'Newtonsoft.Json@12.0.3:CVE-2099-3001:',
      'Newtonsoft.Json@13.0.0-beta1:CVE-2099-3001:',
      'awssdk.core@3.5.1.10:CVE-2099-3001:3.5.1.31',
    ],
  );
});

test('every language ecosystem: ECOSYSTEM and SEMVER ranges, fixed, last_affected, limit, versions', () => {
  const langs = ecosystems.all().filter((e) => e.kind === 'language');
  assert.ok(langs.length >= 5);
  for (const e of langs) {
    const name = 'example-pkg';
    const adv = (id: string, range: object, versions?: string[]): Advisory =>
      parseOsv({ id, affected: [{ package: { ecosystem: e.osvName, name }, ranges: [range], ...(versions ? { versions } : {}) }] }, `${id}.json`);
    const advs = [
      adv('T-ECO-FIXED', { type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '3.0.0' }] }),
      adv('T-ECO-LAST', { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '2.0.0' }] }),
      adv('T-ECO-LIMIT', { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '2.0.0' }] }),
      adv('T-SEMVER', { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.0.1' }] }),
      adv('T-SEMVER-BEFORE', { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }),
      adv('T-VERSIONS', { type: 'GIT', repo: 'https://example.invalid/x', events: [{ introduced: 'abc' }] }, ['2.0.0']),
    ];
    const p = (v: string): Package => pkg(e.packageType, name, v, `/app/${e.id}`);
    const at2 = found([p('2.0.0')], advs).map((s) => s.split(':')[1]);
    assert.deepEqual(at2, ['T-ECO-FIXED', 'T-ECO-LAST', 'T-SEMVER', 'T-VERSIONS'], `${e.id} at 2.0.0`);
    const at3 = found([p('3.0.0')], advs).map((s) => s.split(':')[1]);
    assert.deepEqual(at3, [], `${e.id} at 3.0.0`);
    const at1 = found([p('1.5.0')], advs).map((s) => s.split(':')[1]);
    assert.deepEqual(at1, ['T-ECO-FIXED', 'T-ECO-LAST', 'T-ECO-LIMIT', 'T-SEMVER-BEFORE'], `${e.id} at 1.5.0`);
  }
});
