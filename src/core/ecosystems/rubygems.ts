// RubyGems: installed gems (specifications/*.gemspec) and Gemfile.lock
// entries, matched by name in OSV's `RubyGems` ecosystem (ruby-advisory-db,
// GitHub advisories), versions ordered as Gem::Version orders them.
import type { Ecosystem } from './types.js';

export const rubygems: Ecosystem = {
  id: 'rubygems',
  version: 1,
  kind: 'language',
  title: 'RubyGems',
  packageType: 'gem',
  comparator: 'rubygems',
  osvName: 'RubyGems',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['rubygems'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  // purl-spec: pkg:gem/<name>@<version> (platform gems keep their platform out of the version).
  purl: () => ({ type: 'gem' }),
};
