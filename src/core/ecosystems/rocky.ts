// Rocky Linux: rpm packages matched by binary and source name in `Rocky Linux:<major>`.
import { binaryAndSourceLookup, epochPurl, majorMinor } from './shared.js';
import type { Ecosystem } from './types.js';

export const rocky: Ecosystem = {
  id: 'rocky',
  version: 1,
  kind: 'os',
  title: 'Rocky Linux',
  families: ['rocky'],
  packageType: 'rpm',
  comparator: 'rpm',
  osvName: 'Rocky Linux',
  vendor: 'rocky',
  feeds: ['osv'],
  matchKeys(os) {
    const [major] = majorMinor(os?.version);
    return major ? [`rocky linux:${major}`] : undefined;
  },
  lookup: binaryAndSourceLookup,
  purl: (pkg, os) => epochPurl('rpm', 'rocky', pkg, os),
};
