// Ubuntu: dpkg packages matched by source package; OSV keys a release as
// `Ubuntu:22.04`, LTS releases also as `Ubuntu:22.04:LTS` and `Ubuntu:Pro:22.04:LTS`.
import { epochPurl, majorMinor, sourceLookup } from './shared.js';
import type { Ecosystem } from './types.js';

export const ubuntu: Ecosystem = {
  id: 'ubuntu',
  version: 1,
  kind: 'os',
  title: 'Ubuntu',
  families: ['ubuntu'],
  packageType: 'deb',
  comparator: 'dpkg',
  osvName: 'Ubuntu',
  vendor: 'ubuntu',
  feeds: ['osv'],
  matchKeys(os) {
    const [major, minor] = majorMinor(os?.version);
    if (!major) return undefined;
    const v = `${major}.${minor ?? '04'}`;
    return [`ubuntu:${v}`, `ubuntu:${v}:lts`, `ubuntu:pro:${v}:lts`];
  },
  lookup: sourceLookup,
  purl: (pkg, os) => epochPurl('deb', 'ubuntu', pkg, os),
};
