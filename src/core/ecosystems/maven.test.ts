import type { Package } from '../inventory/types.js';
import { osvAdvisory, testEcosystem } from './match.test-helpers.js';

const jar = (name: string, version: string): Package => ({ type: 'maven', name, version, filePath: `/app/lib/${name.split(':')[1]}-${version}.jar` });
const n = 'org.apache.logging.log4j:log4j-core';
const cve = (v: string, fixed: string) => `${n}@${v}:CVE-2021-44228:${fixed}`;

testEcosystem({
  id: 'maven',
  pkg: jar,
  key: { name: n, version: '2.14.1', expect: { ecosystems: ['maven'], names: [n], version: '2.14.1', vendors: ['ghsa'] } },
  purls: [['org.apache.commons:commons-lang3', '3.12.0', 'pkg:maven/org.apache.commons/commons-lang3@3.12.0']],
  comparators: [['Maven', 'maven']],
  ranges: 'ComparableVersion (pre-releases, 2.0 vs 2.0.0, last range)',
  // GHSA-jfh8-c2jp-5v3q (Log4Shell) as OSV publishes it: three ECOSYSTEM ranges, one with a pre-release introduced.
  advisories: [
    osvAdvisory({ id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], summary: 'Remote code injection in Log4j' }, { ecosystem: 'Maven', name: n }, [
      { type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '2.0-beta9' }, { fixed: '2.3.1' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '2.4' }, { fixed: '2.12.2' }] },
    ]),
  ],
  matches: [
    [[[n, '2.14.1']], [cve('2.14.1', '2.15.0')]],
    [[[n, '2.0-rc1']], [cve('2.0-rc1', '2.3.1')], '2.0-beta9 < 2.0-rc1'],
    [
      [
        [n, '2.0-beta8'],
        [n, '2.15.0'],
        [n, '2.3.1'],
        [n, '2.12.2'],
        [n, '2.15.0-rc1'],
      ],
      [cve('2.15.0-rc1', '2.15.0')],
    ],
    [[[n, '2.12.1']], [cve('2.12.1', '2.12.2')]],
  ],
});
