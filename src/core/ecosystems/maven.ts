// Maven: Java packages found in jar/war/ear archives (pom.properties, MANIFEST.MF),
// named `groupId:artifactId` as OSV's `Maven` ecosystem names them (GitHub
// advisories), versions ordered by Maven's ComparableVersion.
import { languageEcosystem, splitNamePurl } from './shared.js';

export const maven = languageEcosystem({
  id: 'maven',
  title: 'Maven',
  packageType: 'maven',
  comparator: 'maven',
  osvName: 'Maven',
  // purl-spec: pkg:maven/<groupId>/<artifactId>@<version>.
  purl: splitNamePurl('maven', ':'),
});
