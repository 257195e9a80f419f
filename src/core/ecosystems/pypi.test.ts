import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/types.js';
import { matchKey } from './index.js';
import { osvAdvisory, testEcosystem } from './match.test-helpers.js';
import { normalizePypiName } from './pypi.js';

const py = (name: string, version: string): Package => ({
  type: 'pypi',
  name,
  version,
  filePath: `/usr/lib/python3/dist-packages/${name}-${version}.dist-info/METADATA`,
});

test('pypi: names are normalised (PEP 503) and looked up in every spelling', () => {
  assert.equal(normalizePypiName('Zope.Interface'), 'zope-interface');
  assert.equal(normalizePypiName('python__dateutil'), 'python-dateutil');
  assert.deepEqual(matchKey(py('zope.interface', '5.5.2'), undefined)?.names, ['zope-interface', 'zope.interface', 'zope_interface']);
});

const requests = (v: string) => `${v}:CVE-2023-32681:2.31.0`;
const zope = (v: string) => `${v}:CVE-2099-0001:`;

testEcosystem({
  id: 'pypi',
  pkg: py,
  key: { name: 'PyYAML', version: '6.0.1', expect: { ecosystems: ['pypi'], names: ['pyyaml'], version: '6.0.1', vendors: ['ghsa'] } },
  purls: [['Django_Foo', '4.2', 'pkg:pypi/django-foo@4.2']],
  comparators: [['PyPI', 'pep440']],
  ranges: 'the PEP 440 comparator (ECOSYSTEM introduced/fixed, last_affected)',
  advisories: [
    // GHSA-j8r2-6x86-q33q (CVE-2023-32681, requests leaks Proxy-Authorization), as OSV publishes it for PyPI.
    osvAdvisory(
      {
        id: 'GHSA-j8r2-6x86-q33q',
        aliases: ['CVE-2023-32681', 'PYSEC-2023-74'],
        summary: 'Unintended leak of Proxy-Authorization header in requests',
        database_specific: { severity: 'MODERATE' },
      },
      { ecosystem: 'PyPI', name: 'requests', purl: 'pkg:pypi/requests' },
      [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
    ),
    // A last_affected range over pre-releases and post-releases, where string or semver order would disagree with PEP 440.
    osvAdvisory({ id: 'PYSEC-0000-TEST', aliases: ['CVE-2099-0001'], summary: 'range with last_affected' }, { ecosystem: 'PyPI', name: 'Zope.Interface' }, [
      { type: 'ECOSYSTEM', events: [{ introduced: '5.0a1' }, { last_affected: '5.5.2.post1' }] },
    ]),
  ],
  matches: [
    // Debian 12's python3-requests ships requests 2.28.1: inside [2.3.0, 2.31.0).
    [[['requests', '2.28.1']], [requests('requests@2.28.1')]],
    [
      [
        ['requests', '2.31.0'],
        ['requests', '2.3.0rc1'],
        ['requests', '2.2.1'],
      ],
      [],
      'fixed, a pre-release of introduced, and before introduced are not affected',
    ],
    [
      [
        ['requests', '2.31.0rc1'],
        ['Requests', '2.3'],
      ],
      [requests('Requests@2.3'), requests('requests@2.31.0rc1')],
      'a pre-release of the fix is affected; 2.3 == 2.3.0; names are case-insensitive',
    ],
    [
      [
        ['zope_interface', '5.5.2'],
        ['zope.interface', '5.5.2.post1'],
        ['zope.interface', '5.0b1'],
      ],
      [zope('zope.interface@5.0b1'), zope('zope.interface@5.5.2.post1'), zope('zope_interface@5.5.2')],
      'normalised names and last_affected inclusive',
    ],
    [
      [
        ['zope.interface', '5.5.2.post2'],
        ['zope.interface', '5.5.3.dev0'],
        ['zope.interface', '5.0.dev1'],
        ['zope.interface', '4.9'],
      ],
      [],
      'after last_affected and before introduced',
    ],
  ],
});
