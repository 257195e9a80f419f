// npm: packages found under node_modules (and declared in lockfiles), matched
// by name in OSV's `npm` ecosystem (GitHub advisories), semver ranges.
import type { Ecosystem } from './types.js';

export const npm: Ecosystem = {
  id: 'npm',
  version: 1,
  kind: 'language',
  title: 'npm',
  packageType: 'npm',
  comparator: 'semver',
  osvName: 'npm',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['npm'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  purl(pkg) {
    const slash = pkg.name.indexOf('/');
    if (pkg.name.startsWith('@') && slash > 0) return { type: 'npm', namespace: pkg.name.slice(0, slash), name: pkg.name.slice(slash + 1) };
    return { type: 'npm' };
  },
};
