import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import type { Advisory } from '../vulndb/advisory.js';
import { matchPackages, type AdvisoryHead, type AdvisoryLookup, type AffectedRow } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { comparatorForEcosystem, matchKey, purlOf } from './index.js';
import { normalizePypiName } from './pypi.js';

/** Advisories keyed as the DB keys them: lower-cased ecosystem and name. */
function lookupOf(advisories: Advisory[]): AdvisoryLookup {
  const heads: AdvisoryHead[] = [];
  const rows = new Map<string, AffectedRow[]>();
  for (const { affected, ...head } of advisories) {
    heads.push(head);
    for (const x of affected) {
      const k = `${x.ecosystem.toLowerCase()}\u0000${x.name.toLowerCase()}`;
      rows.set(k, [...(rows.get(k) ?? []), { key: heads.length - 1, affected: x }]);
    }
  }
  return { affected: (e, n) => rows.get(`${e}\u0000${n}`) ?? [], advisory: (k) => heads[k] };
}

const py = (name: string, version: string): Package => ({
  type: 'pypi',
  name,
  version,
  filePath: `/usr/lib/python3/dist-packages/${name}-${version}.dist-info/METADATA`,
});

test('pypi: names, match key, purl, comparator', () => {
  assert.equal(normalizePypiName('Zope.Interface'), 'zope-interface');
  assert.equal(normalizePypiName('python__dateutil'), 'python-dateutil');
  assert.deepEqual(matchKey(py('PyYAML', '6.0.1'), undefined), { ecosystems: ['pypi'], names: ['pyyaml'], version: '6.0.1', vendors: ['ghsa'] });
  assert.deepEqual(matchKey(py('zope.interface', '5.5.2'), undefined)?.names, ['zope-interface', 'zope.interface', 'zope_interface']);
  assert.equal(purlOf(py('Django_Foo', '4.2')), 'pkg:pypi/django-foo@4.2');
  assert.equal(comparatorForEcosystem('PyPI')?.id, 'pep440');
});

// GHSA-j8r2-6x86-q33q (CVE-2023-32681, requests leaks Proxy-Authorization), as OSV publishes it for PyPI.
const requestsAdvisory = parseOsv(
  {
    id: 'GHSA-j8r2-6x86-q33q',
    aliases: ['CVE-2023-32681', 'PYSEC-2023-74'],
    summary: 'Unintended leak of Proxy-Authorization header in requests',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'requests', purl: 'pkg:pypi/requests' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
      },
    ],
    database_specific: { severity: 'MODERATE' },
  },
  'GHSA-j8r2-6x86-q33q.json',
);

// A last_affected range over pre-releases and post-releases, where string or semver order would disagree with PEP 440.
const lastAffected = parseOsv(
  {
    id: 'PYSEC-0000-TEST',
    aliases: ['CVE-2099-0001'],
    summary: 'range with last_affected',
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'Zope.Interface' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.0a1' }, { last_affected: '5.5.2.post1' }] }],
      },
    ],
  },
  'PYSEC-0000-TEST.json',
);

test('pypi: OSV ECOSYSTEM ranges (introduced/fixed, last_affected) through the PEP 440 comparator', () => {
  const db = lookupOf([requestsAdvisory, lastAffected]);
  const ids = (pkgs: Package[]): string[] => matchPackages(pkgs, undefined, db).map((f) => `${f.package}@${f.installedVersion}:${f.id}:${f.fixedVersion}`);
  // Debian 12's python3-requests ships requests 2.28.1: inside [2.3.0, 2.31.0).
  assert.deepEqual(ids([py('requests', '2.28.1')]), ['requests@2.28.1:CVE-2023-32681:2.31.0']);
  assert.deepEqual(
    ids([py('requests', '2.31.0'), py('requests', '2.3.0rc1'), py('requests', '2.2.1')]),
    [],
    'fixed, a pre-release of introduced, and before introduced are not affected',
  );
  assert.deepEqual(
    ids([py('requests', '2.31.0rc1'), py('Requests', '2.3')]),
    ['Requests@2.3:CVE-2023-32681:2.31.0', 'requests@2.31.0rc1:CVE-2023-32681:2.31.0'],
    'a pre-release of the fix is affected; 2.3 == 2.3.0; names are case-insensitive',
  );
  assert.deepEqual(
    ids([py('zope_interface', '5.5.2'), py('zope.interface', '5.5.2.post1'), py('zope.interface', '5.0b1')]).length,
    3,
    'normalised names and last_affected inclusive',
  );
  assert.deepEqual(
    ids([py('zope.interface', '5.5.2.post2'), py('zope.interface', '5.5.3.dev0'), py('zope.interface', '5.0.dev1'), py('zope.interface', '4.9')]),
    [],
    'after last_affected and before introduced',
  );
});
