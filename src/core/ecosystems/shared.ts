// Helpers several ecosystem modules share: release numbers, the
// source-package lookup of Debian-style and Alpine-style advisories, the
// binary+source lookup of RPM advisories, and OS package purls.
import type { OsInfo, Package } from '../inventory/types.js';
import { distroQualifier } from '../inventory/purl.js';
import { splitEpoch } from '../versions/epoch.js';
import type { PackageLookup } from './types.js';

/** `12.5` -> ['12', '5']; ['', undefined] when the version does not start with a number. */
export function majorMinor(v: string | undefined): [string, string | undefined] {
  const m = /^(\d+)(?:\.(\d+))?/.exec((v ?? '').trim());
  return m ? [m[1]!, m[2]] : ['', undefined];
}

/** Debian and Alpine advisories name source packages, versioned as the source. */
export function sourceLookup(pkg: Package): PackageLookup {
  return { names: [(pkg.sourceName || pkg.name).toLowerCase()], version: pkg.type === 'deb' && pkg.sourceVersion ? pkg.sourceVersion : pkg.version };
}

/** RPM advisories list binary packages; some feeds list the source RPM. Both are looked up. */
export function binaryAndSourceLookup(pkg: Package): PackageLookup {
  const names = [...new Set([pkg.name, pkg.sourceName].filter((n): n is string => !!n).map((n) => n.toLowerCase()))];
  return { names, version: pkg.version };
}

/** deb and rpm purls: the epoch goes into a qualifier, as the purl spec's deb and rpm types say. */
export function epochPurl(type: 'deb' | 'rpm', namespace: string, pkg: Package, os: OsInfo | undefined): ReturnType<import('./types.js').Ecosystem['purl']> {
  const { epoch, hasEpoch, rest } = splitEpoch(pkg.version);
  return { type, namespace, version: rest, qualifiers: { arch: pkg.arch, distro: distroQualifier(os), epoch: hasEpoch ? String(epoch) : undefined } };
}

export function apkPurl(namespace: string, pkg: Package, os: OsInfo | undefined): ReturnType<import('./types.js').Ecosystem['purl']> {
  return { type: 'apk', namespace, qualifiers: { arch: pkg.arch, distro: distroQualifier(os) } };
}
