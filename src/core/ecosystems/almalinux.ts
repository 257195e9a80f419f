// AlmaLinux: rpm packages matched by binary and source name in `AlmaLinux:<major>`.
import { binaryAndSourceLookup, epochPurl, majorMinor } from './shared.js';
import type { Ecosystem } from './types.js';

export const almalinux: Ecosystem = {
  id: 'almalinux',
  version: 1,
  kind: 'os',
  title: 'AlmaLinux',
  families: ['almalinux'],
  packageType: 'rpm',
  comparator: 'rpm',
  osvName: 'AlmaLinux',
  vendor: 'almalinux',
  feeds: ['osv'],
  matchKeys(os) {
    const [major] = majorMinor(os?.version);
    return major ? [`almalinux:${major}`] : undefined;
  },
  lookup: binaryAndSourceLookup,
  purl: (pkg, os) => epochPurl('rpm', 'almalinux', pkg, os),
};
