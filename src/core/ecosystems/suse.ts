// SUSE Linux Enterprise Server: rpm packages in
// `SUSE:Linux Enterprise Server <major>[ SP<minor>]` (OSV's naming).
import { binaryAndSourceLookup, epochPurl, majorMinor } from './shared.js';
import type { Ecosystem } from './types.js';

export const suse: Ecosystem = {
  id: 'suse',
  version: 1,
  kind: 'os',
  title: 'SUSE Linux Enterprise Server',
  families: ['sles'],
  packageType: 'rpm',
  comparator: 'rpm',
  osvName: 'SUSE',
  vendor: 'suse',
  feeds: [],
  matchKeys(os) {
    const [major, minor] = majorMinor(os?.version);
    return major ? [`suse:linux enterprise server ${major}${minor && minor !== '0' ? ` sp${minor}` : ''}`] : undefined;
  },
  lookup: binaryAndSourceLookup,
  purl: (pkg, os) => epochPurl('rpm', 'suse', pkg, os),
};
