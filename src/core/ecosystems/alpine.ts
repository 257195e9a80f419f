// Alpine: apk packages matched by origin (source) package in
// `Alpine:v<major>.<minor>` (OSV and the Alpine secdb both key by branch).
import { apkPurl, majorMinor, sourceLookup } from './shared.js';
import type { Ecosystem } from './types.js';

export const alpine: Ecosystem = {
  id: 'alpine',
  version: 1,
  kind: 'os',
  title: 'Alpine',
  families: ['alpine'],
  packageType: 'apk',
  comparator: 'apk',
  osvName: 'Alpine',
  vendor: 'alpine',
  feeds: ['osv', 'alpine'],
  matchKeys(os) {
    const [major, minor] = majorMinor(os?.version);
    return major && minor !== undefined ? [`alpine:v${major}.${minor}`] : undefined;
  },
  lookup: sourceLookup,
  purl: (pkg, os) => apkPurl('alpine', pkg, os),
};
