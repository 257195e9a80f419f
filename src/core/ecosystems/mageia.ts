// Mageia: rpm packages matched by binary and source name in `Mageia:<major>`.
import { binaryAndSourceLookup, epochPurl, majorMinor } from './shared.js';
import type { Ecosystem } from './types.js';

export const mageia: Ecosystem = {
  id: 'mageia',
  version: 1,
  kind: 'os',
  title: 'Mageia',
  families: ['mageia'],
  packageType: 'rpm',
  comparator: 'rpm',
  osvName: 'Mageia',
  vendor: 'mageia',
  feeds: [],
  matchKeys(os) {
    const [major] = majorMinor(os?.version);
    return major ? [`mageia:${major}`] : undefined;
  },
  lookup: binaryAndSourceLookup,
  purl: (pkg, os) => epochPurl('rpm', 'mageia', pkg, os),
};
