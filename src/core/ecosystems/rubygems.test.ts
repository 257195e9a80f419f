import type { Package } from '../inventory/types.js';
import { osvAdvisory, testEcosystem } from './match.test-helpers.js';

const gem = (name: string, version: string): Package => ({
  type: 'gem',
  name,
  version,
  filePath: `/usr/share/rubygems-integration/all/specifications/${name}-${version}.gemspec`,
});
const cve = (v: string, fixed: string) => `rack@${v}:CVE-2024-25126:${fixed}`;

testEcosystem({
  id: 'rubygems',
  pkg: gem,
  key: { name: 'rack', version: '2.2.6.4', expect: { ecosystems: ['rubygems'], names: ['rack'], version: '2.2.6.4', vendors: ['ghsa'] } },
  purls: [['rack', '2.2.6.4', 'pkg:gem/rack@2.2.6.4']],
  comparators: [['RubyGems', 'rubygems']],
  ranges: 'Gem::Version order',
  // GHSA-22f2-v57c-j9cx (rack Content-Type parsing DoS, CVE-2024-25126) as OSV publishes it: several trains, a prerelease bound.
  advisories: [
    osvAdvisory(
      { id: 'GHSA-22f2-v57c-j9cx', aliases: ['CVE-2024-25126'], summary: 'Denial of Service Vulnerability in Rack Content-Type Parsing' },
      { ecosystem: 'RubyGems', name: 'rack' },
      [
        { type: 'ECOSYSTEM', events: [{ introduced: '0.4' }, { fixed: '2.2.8.1' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '3.0.0.beta1' }, { fixed: '3.0.9.1' }] },
      ],
    ),
  ],
  matches: [
    [[['rack', '2.2.6.4']], [cve('2.2.6.4', '2.2.8.1')], "Debian 12's ruby-rack"],
    [
      [
        ['rack', '2.2.8.1'],
        ['rack', '3.0.9.1'],
        ['rack', '0.3'],
        ['rack', '3.0.10'],
      ],
      [],
    ],
    [[['rack', '3.0.0.rc1']], [cve('3.0.0.rc1', '3.0.9.1')], 'beta1 < rc1 < 3.0.0'],
    [[['rack', '3.0.0.alpha']], [], 'alpha < beta1: before introduced'],
  ],
});
