import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import { matchPackages } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { comparatorForEcosystem, matchKey, purlOf } from './index.js';
import { lookupOf } from './match.test-helpers.js';

const gem = (name: string, version: string): Package => ({
  type: 'gem',
  name,
  version,
  filePath: `/usr/share/rubygems-integration/all/specifications/${name}-${version}.gemspec`,
});

test('rubygems: match key, purl, comparator', () => {
  assert.deepEqual(matchKey(gem('rack', '2.2.6.4'), undefined), { ecosystems: ['rubygems'], names: ['rack'], version: '2.2.6.4', vendors: ['ghsa'] });
  assert.equal(purlOf(gem('rack', '2.2.6.4')), 'pkg:gem/rack@2.2.6.4');
  assert.equal(comparatorForEcosystem('RubyGems')?.id, 'rubygems');
});

// GHSA-54rr-7fvw-6x8f (rack multipart DoS, CVE-2024-25126) as OSV publishes it: several trains, a prerelease bound.
const rack = parseOsv(
  {
    id: 'GHSA-22f2-v57c-j9cx',
    aliases: ['CVE-2024-25126'],
    summary: 'Denial of Service Vulnerability in Rack Content-Type Parsing',
    affected: [
      {
        package: { ecosystem: 'RubyGems', name: 'rack' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0.4' }, { fixed: '2.2.8.1' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '3.0.0.beta1' }, { fixed: '3.0.9.1' }] },
        ],
      },
    ],
  },
  'GHSA-22f2-v57c-j9cx.json',
);

test('rubygems: OSV ranges through Gem::Version order', () => {
  const db = lookupOf([rack]);
  const ids = (pkgs: Package[]): string[] => matchPackages(pkgs, undefined, db).map((f) => `${f.installedVersion}:${f.id}`);
  assert.deepEqual(ids([gem('rack', '2.2.6.4')]), ['2.2.6.4:CVE-2024-25126'], "Debian 12's ruby-rack");
  assert.deepEqual(ids([gem('rack', '2.2.8.1'), gem('rack', '3.0.9.1'), gem('rack', '0.3'), gem('rack', '3.0.10')]), []);
  assert.deepEqual(ids([gem('rack', '3.0.0.rc1')]), ['3.0.0.rc1:CVE-2024-25126'], 'beta1 < rc1 < 3.0.0');
  assert.deepEqual(ids([gem('rack', '3.0.0.alpha')]), [], 'alpha < beta1: before introduced');
});
