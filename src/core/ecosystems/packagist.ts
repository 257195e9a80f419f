// Packagist: PHP packages from composer.lock and vendor/composer/installed.json,
// named `vendor/package` as OSV's `Packagist` ecosystem names them (FriendsOfPHP
// security advisories, GitHub advisories), versions ordered as Composer orders them.
import type { Ecosystem } from './types.js';

export const packagist: Ecosystem = {
  id: 'packagist',
  version: 1,
  kind: 'language',
  title: 'Packagist',
  packageType: 'composer',
  comparator: 'composer',
  osvName: 'Packagist',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['packagist'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  // purl-spec: pkg:composer/<vendor>/<name>@<version>.
  purl(pkg) {
    const slash = pkg.name.indexOf('/');
    return slash > 0 ? { type: 'composer', namespace: pkg.name.slice(0, slash), name: pkg.name.slice(slash + 1) } : { type: 'composer' };
  },
};
