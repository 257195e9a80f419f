// Packagist: PHP packages from composer.lock and vendor/composer/installed.json,
// named `vendor/package` as OSV's `Packagist` ecosystem names them (FriendsOfPHP
// security advisories, GitHub advisories), versions ordered as Composer orders them.
import { languageEcosystem, splitNamePurl } from './shared.js';

export const packagist = languageEcosystem({
  id: 'packagist',
  title: 'Packagist',
  packageType: 'composer',
  comparator: 'composer',
  osvName: 'Packagist',
  // purl-spec: pkg:composer/<vendor>/<name>@<version>.
  purl: splitNamePurl('composer', '/'),
});
