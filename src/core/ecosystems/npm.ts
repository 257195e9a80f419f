// npm: packages found under node_modules (and declared in lockfiles), matched
// by name in OSV's `npm` ecosystem (GitHub advisories), semver ranges.
import { languageEcosystem, splitNamePurl } from './shared.js';

const scoped = splitNamePurl('npm', '/');

export const npm = languageEcosystem({
  id: 'npm',
  title: 'npm',
  packageType: 'npm',
  comparator: 'semver',
  osvName: 'npm',
  // purl-spec: a scope (`@types`) is the namespace; an unscoped name has none.
  purl: (pkg, os) => (pkg.name.startsWith('@') ? scoped(pkg, os) : { type: 'npm' }),
});
