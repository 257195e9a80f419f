// Debian: dpkg packages matched by source package in `Debian:<major>`
// (OSV and the Debian security tracker both key releases by major number).
import { epochPurl, majorMinor, sourceLookup } from './shared.js';
import type { Ecosystem } from './types.js';

export const debian: Ecosystem = {
  id: 'debian',
  version: 1,
  kind: 'os',
  title: 'Debian',
  families: ['debian'],
  packageType: 'deb',
  comparator: 'dpkg',
  osvName: 'Debian',
  vendor: 'debian',
  feeds: ['osv', 'debian'],
  matchKeys(os) {
    const [major] = majorMinor(os?.version);
    return major ? [`debian:${major}`] : undefined;
  },
  lookup: sourceLookup,
  purl: (pkg, os) => epochPurl('deb', 'debian', pkg, os),
};
