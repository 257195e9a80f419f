import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import { matchPackages } from '../vulndb/match.js';
import { parseOsv } from '../vulndb/osv.js';
import { comparatorForEcosystem, matchKey, purlOf } from './index.js';
import { lookupOf } from './match.test-helpers.js';

const jar = (name: string, version: string): Package => ({ type: 'maven', name, version, filePath: `/app/lib/${name.split(':')[1]}-${version}.jar` });

test('maven: match key, purl, comparator', () => {
  assert.deepEqual(matchKey(jar('org.apache.logging.log4j:log4j-core', '2.14.1'), undefined), {
    ecosystems: ['maven'],
    names: ['org.apache.logging.log4j:log4j-core'],
    version: '2.14.1',
    vendors: ['ghsa'],
  });
  assert.equal(purlOf(jar('org.apache.commons:commons-lang3', '3.12.0')), 'pkg:maven/org.apache.commons/commons-lang3@3.12.0');
  assert.equal(comparatorForEcosystem('Maven')?.id, 'maven');
});

// GHSA-jfh8-c2jp-5v3q (Log4Shell) as OSV publishes it: two ECOSYSTEM ranges, one with a pre-release introduced.
const log4shell = parseOsv(
  {
    id: 'GHSA-jfh8-c2jp-5v3q',
    aliases: ['CVE-2021-44228'],
    summary: 'Remote code injection in Log4j',
    affected: [
      {
        package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '2.0-beta9' }, { fixed: '2.3.1' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '2.4' }, { fixed: '2.12.2' }] },
        ],
      },
    ],
  },
  'GHSA-jfh8-c2jp-5v3q.json',
);

test('maven: OSV ranges through ComparableVersion (pre-releases, 2.0 vs 2.0.0, last range)', () => {
  const db = lookupOf([log4shell]);
  const ids = (pkgs: Package[]): string[] => matchPackages(pkgs, undefined, db).map((f) => `${f.installedVersion}:${f.id}`);
  const n = 'org.apache.logging.log4j:log4j-core';
  assert.deepEqual(ids([jar(n, '2.14.1')]), ['2.14.1:CVE-2021-44228']);
  assert.deepEqual(ids([jar(n, '2.0-rc1')]), ['2.0-rc1:CVE-2021-44228'], '2.0-beta9 < 2.0-rc1');
  assert.deepEqual(ids([jar(n, '2.0-beta8'), jar(n, '2.15.0'), jar(n, '2.3.1'), jar(n, '2.12.2'), jar(n, '2.15.0-rc1')]).sort(), ['2.15.0-rc1:CVE-2021-44228']);
  assert.deepEqual(ids([jar(n, '2.12.1')]), ['2.12.1:CVE-2021-44228']);
});
