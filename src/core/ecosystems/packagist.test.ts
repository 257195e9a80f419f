import type { Package } from '../inventory/types.js';
import { osvAdvisory, testEcosystem } from './match.test-helpers.js';

const php = (name: string, version: string): Package => ({ type: 'composer', name, version, filePath: '/app/composer.lock' });
const n = 'symfony/http-kernel';
const cve = (v: string, fixed = '') => `${n}@${v}:CVE-2099-0002:${fixed}`;

testEcosystem({
  id: 'packagist',
  pkg: php,
  key: { name: n, version: 'v5.4.3', expect: { ecosystems: ['packagist'], names: [n], version: 'v5.4.3', vendors: ['ghsa'] } },
  purls: [[n, 'v5.4.3', 'pkg:composer/symfony/http-kernel@v5.4.3']],
  comparators: [['Packagist', 'composer']],
  ranges: 'Composer order (v prefix, RC, last_affected)',
  advisories: [
    osvAdvisory({ id: 'GHSA-TEST-PACKAGIST', aliases: ['CVE-2099-0002'], summary: 'ranges over Composer versions' }, { ecosystem: 'Packagist', name: n }, [
      { type: 'ECOSYSTEM', events: [{ introduced: '5.0.0' }, { fixed: '5.4.20' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '6.0.0-BETA1' }, { last_affected: '6.2.5' }] },
    ]),
  ],
  matches: [
    [
      [
        [n, 'v5.4.3'],
        [n, 'v5.4.20'],
        [n, 'v4.4.50'],
      ],
      [cve('v5.4.3', '5.4.20')],
    ],
    [
      [
        [n, 'v6.0.0-RC1'],
        [n, 'v6.2.5'],
        [n, 'v6.2.6'],
        [n, '6.0.0-alpha1'],
      ],
      [cve('v6.0.0-RC1'), cve('v6.2.5')],
    ],
  ],
});
