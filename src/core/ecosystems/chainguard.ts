// Chainguard OS: Chainguard's images built on Wolfi packages, a rolling apk
// distribution keyed without a release in OSV: `Chainguard`.
import { apkPurl } from './shared.js';
import type { Ecosystem } from './types.js';
import { originAndName } from './wolfi.js';

export const chainguard: Ecosystem = {
  id: 'chainguard',
  version: 1,
  kind: 'os',
  title: 'Chainguard',
  families: ['chainguard'],
  packageType: 'apk',
  comparator: 'apk',
  osvName: 'Chainguard',
  vendor: 'chainguard',
  feeds: ['osv'],
  matchKeys: () => ['chainguard'],
  lookup: originAndName,
  purl: (pkg, os) => apkPurl('chainguard', pkg, os),
};
