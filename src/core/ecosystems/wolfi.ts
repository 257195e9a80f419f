// Wolfi: a rolling apk distribution (os-release VERSION_ID is a date such as
// `20230201`), so OSV keys it without a release: `Wolfi`. Its advisories name
// the origin package; the binary name is looked up too (subpackages).
import { apkPurl } from './shared.js';
import type { Ecosystem } from './types.js';
import type { Package } from '../inventory/types.js';

export function originAndName(pkg: Package): { names: string[]; version: string } {
  return { names: [...new Set([pkg.sourceName || pkg.name, pkg.name].map((n) => n.toLowerCase()))], version: pkg.version };
}

export const wolfi: Ecosystem = {
  id: 'wolfi',
  version: 1,
  kind: 'os',
  title: 'Wolfi',
  families: ['wolfi'],
  packageType: 'apk',
  comparator: 'apk',
  osvName: 'Wolfi',
  vendor: 'wolfi',
  feeds: ['osv'],
  matchKeys: () => ['wolfi'],
  lookup: originAndName,
  purl: (pkg, os) => apkPurl('wolfi', pkg, os),
};
