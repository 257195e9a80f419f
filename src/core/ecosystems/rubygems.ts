// RubyGems: installed gems (specifications/*.gemspec) and Gemfile.lock
// entries, matched by name in OSV's `RubyGems` ecosystem (ruby-advisory-db,
// GitHub advisories), versions ordered as Gem::Version orders them. purl-spec:
// pkg:gem/<name>@<version> (platform gems keep their platform out of the version).
import { languageEcosystem } from './shared.js';

export const rubygems = languageEcosystem({
  id: 'rubygems',
  title: 'RubyGems',
  packageType: 'gem',
  comparator: 'rubygems',
  osvName: 'RubyGems',
});
