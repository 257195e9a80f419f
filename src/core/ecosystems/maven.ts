// Maven: Java packages found in jar/war/ear archives (pom.properties, MANIFEST.MF),
// named `groupId:artifactId` as OSV's `Maven` ecosystem names them (GitHub
// advisories), versions ordered by Maven's ComparableVersion.
import type { Ecosystem } from './types.js';

export const maven: Ecosystem = {
  id: 'maven',
  version: 1,
  kind: 'language',
  title: 'Maven',
  packageType: 'maven',
  comparator: 'maven',
  osvName: 'Maven',
  vendor: 'ghsa',
  feeds: ['osv'],
  matchKeys: () => ['maven'],
  lookup: (pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version }),
  // purl-spec: pkg:maven/<groupId>/<artifactId>@<version>.
  purl(pkg) {
    const colon = pkg.name.indexOf(':');
    return colon > 0 ? { type: 'maven', namespace: pkg.name.slice(0, colon), name: pkg.name.slice(colon + 1) } : { type: 'maven' };
  },
};
