import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import { matchPackages } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { comparatorForEcosystem, matchKey, purlOf } from './index.js';
import { lookupOf } from './match.test-helpers.js';

const php = (name: string, version: string): Package => ({ type: 'composer', name, version, filePath: '/app/composer.lock' });

test('packagist: match key, purl, comparator', () => {
  assert.deepEqual(matchKey(php('symfony/http-kernel', 'v5.4.3'), undefined), {
    ecosystems: ['packagist'],
    names: ['symfony/http-kernel'],
    version: 'v5.4.3',
    vendors: ['ghsa'],
  });
  assert.equal(purlOf(php('symfony/http-kernel', 'v5.4.3')), 'pkg:composer/symfony/http-kernel@v5.4.3');
  assert.equal(comparatorForEcosystem('Packagist')?.id, 'composer');
});

const advisory = parseOsv(
  {
    id: 'GHSA-TEST-PACKAGIST',
    aliases: ['CVE-2099-0002'],
    summary: 'ranges over Composer versions',
    affected: [
      {
        package: { ecosystem: 'Packagist', name: 'symfony/http-kernel' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '5.0.0' }, { fixed: '5.4.20' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '6.0.0-BETA1' }, { last_affected: '6.2.5' }] },
        ],
      },
    ],
  },
  'GHSA-TEST-PACKAGIST.json',
);

test('packagist: OSV ranges through Composer order (v prefix, RC, last_affected)', () => {
  const db = lookupOf([advisory]);
  const ids = (pkgs: Package[]): string[] =>
    matchPackages(pkgs, undefined, db)
      .map((f) => `${f.installedVersion}:${f.id}`)
      .sort();
  const n = 'symfony/http-kernel';
  assert.deepEqual(ids([php(n, 'v5.4.3'), php(n, 'v5.4.20'), php(n, 'v4.4.50')]), ['v5.4.3:CVE-2099-0002']);
  assert.deepEqual(ids([php(n, 'v6.0.0-RC1'), php(n, 'v6.2.5'), php(n, 'v6.2.6'), php(n, '6.0.0-alpha1')]), [
    'v6.0.0-RC1:CVE-2099-0002',
    'v6.2.5:CVE-2099-0002',
  ]);
});
