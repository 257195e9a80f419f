// Helpers several ecosystem modules share: release numbers, the
// source-package lookup of Debian-style and Alpine-style advisories, the
// binary+source lookup of RPM advisories, OS package purls, and the
// factories of language ecosystems and rolling apk distributions.
import type { OsInfo, Package } from '../inventory/types.js';
import { distroQualifier } from '../inventory/purl.js';
import { splitEpoch } from '../versions/epoch.js';
import type { Ecosystem, PackageLookup } from './types.js';

type PurlParts = ReturnType<Ecosystem['purl']>;

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
export function epochPurl(type: 'deb' | 'rpm', namespace: string, pkg: Package, os: OsInfo | undefined): PurlParts {
  const { epoch, hasEpoch, rest } = splitEpoch(pkg.version);
  return { type, namespace, version: rest, qualifiers: { arch: pkg.arch, distro: distroQualifier(os), epoch: hasEpoch ? String(epoch) : undefined } };
}

export function apkPurl(namespace: string, pkg: Package, os: OsInfo | undefined): PurlParts {
  return { type: 'apk', namespace, qualifiers: { arch: pkg.arch, distro: distroQualifier(os) } };
}

/** The fields in which language ecosystems differ; the rest is the same for all of them. */
export interface LanguageEcosystemSpec {
  id: string;
  title: string;
  packageType: Ecosystem['packageType'];
  comparator: string;
  osvName: string;
  /** Default: the name in lower case. */
  lookup?: Ecosystem['lookup'];
  /** Default: the purl type alone (name and version are generic). */
  purl?: Ecosystem['purl'];
  /** Default: the package type. */
  purlType?: string;
}

/**
 * A language ecosystem: matched by package type alone under its OSV name in
 * lower case (`npm`, `crates.io`), GitHub advisories' severity first, fed by OSV.
 */
export function languageEcosystem(spec: LanguageEcosystemSpec): Ecosystem {
  const key = spec.osvName.toLowerCase();
  const purlType = spec.purlType ?? spec.packageType;
  return {
    id: spec.id,
    version: 1,
    kind: 'language',
    title: spec.title,
    packageType: spec.packageType,
    comparator: spec.comparator,
    osvName: spec.osvName,
    vendor: 'ghsa',
    feeds: ['osv'],
    matchKeys: () => [key],
    lookup: spec.lookup ?? ((pkg) => ({ names: [pkg.name.toLowerCase()], version: pkg.version })),
    purl: spec.purl ?? (() => ({ type: purlType })),
  };
}

/**
 * purl of a name made of a namespace and a name (`github.com/pkg/errors`,
 * `org.example:lib`, `vendor/package`): split at the separator's first (or
 * last) place; a name without one has no namespace.
 */
export function splitNamePurl(type: string, separator: string, where: 'first' | 'last' = 'first'): Ecosystem['purl'] {
  return (pkg): PurlParts => {
    const at = where === 'first' ? pkg.name.indexOf(separator) : pkg.name.lastIndexOf(separator);
    return at > 0 ? { type, namespace: pkg.name.slice(0, at), name: pkg.name.slice(at + separator.length) } : { type };
  };
}

/** Origin (source) and binary name: rolling apk distributions' advisories name the origin package; subpackages are looked up too. */
export function originAndName(pkg: Package): PackageLookup {
  return { names: [...new Set([pkg.sourceName || pkg.name, pkg.name].map((n) => n.toLowerCase()))], version: pkg.version };
}

/** A rolling apk distribution (Wolfi, Chainguard): no release in its OSV key, advisories by origin package. */
export function rollingApkEcosystem(id: string, title: string): Ecosystem {
  return {
    id,
    version: 1,
    kind: 'os',
    title,
    families: [id],
    packageType: 'apk',
    comparator: 'apk',
    osvName: title,
    vendor: id,
    feeds: ['osv'],
    matchKeys: () => [id],
    lookup: originAndName,
    purl: (pkg, os) => apkPurl(id, pkg, os),
  };
}
