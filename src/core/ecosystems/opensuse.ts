// openSUSE Leap: rpm packages in `openSUSE:Leap <major>.<minor>` (OSV's naming).
import { binaryAndSourceLookup, epochPurl, majorMinor } from './shared.js';
import type { Ecosystem } from './types.js';

export const opensuse: Ecosystem = {
  id: 'opensuse',
  version: 1,
  kind: 'os',
  title: 'openSUSE Leap',
  families: ['opensuse-leap'],
  packageType: 'rpm',
  comparator: 'rpm',
  osvName: 'openSUSE',
  vendor: 'suse',
  feeds: [],
  matchKeys(os) {
    const [major, minor] = majorMinor(os?.version);
    return major ? [`opensuse:leap ${major}.${minor ?? '0'}`] : undefined;
  },
  lookup: binaryAndSourceLookup,
  purl: (pkg, os) => epochPurl('rpm', 'opensuse', pkg, os),
};
