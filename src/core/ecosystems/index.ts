// The ecosystem index: one module per ecosystem (./debian.ts, ./npm.ts, ...),
// and what the rest of Vigil asks of them: which ecosystem a package belongs
// to, its DB match key, the comparator of an advisory's ecosystem, its purl,
// and the notices of what cannot be matched. Adding an ecosystem is one
// module here, its test and its row in docs/ecosystems.md.
import type { Notice, OsInfo, Package } from '../inventory/types.js';
import { buildPurl } from '../inventory/purl.js';
import { ModuleIndex } from '../module-index.js';
import { almalinux } from './almalinux.js';
import { alpine } from './alpine.js';
import { cargo } from './cargo.js';
import { chainguard } from './chainguard.js';
import { debian } from './debian.js';
import { golang } from './golang.js';
import { mageia } from './mageia.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { opensuse } from './opensuse.js';
import { packagist } from './packagist.js';
import { pypi } from './pypi.js';
import { rocky } from './rocky.js';
import { rubygems } from './rubygems.js';
import { suse } from './suse.js';
import type { Ecosystem } from './types.js';
import { ubuntu } from './ubuntu.js';
import { wolfi } from './wolfi.js';

export type { Ecosystem, PackageLookup } from './types.js';

export const ecosystems = new ModuleIndex<Ecosystem>('ecosystem', [
  almalinux,
  alpine,
  cargo,
  chainguard,
  debian,
  golang,
  mageia,
  maven,
  npm,
  nuget,
  opensuse,
  packagist,
  pypi,
  rocky,
  rubygems,
  suse,
  ubuntu,
  wolfi,
]);

const byFamily = new Map<string, Ecosystem>();
const byPrefix = new Map<string, Ecosystem>();
const languageByType = new Map<string, Ecosystem>();
for (const e of ecosystems.all()) {
  for (const f of e.families ?? []) {
    if (byFamily.has(f)) throw new Error(`OS family ${f} claimed by ecosystems ${byFamily.get(f)!.id} and ${e.id}`);
    byFamily.set(f, e);
  }
  for (const p of [e.osvName.toLowerCase(), ...(e.aliases ?? [])]) byPrefix.set(p, e);
  if (e.kind === 'language') languageByType.set(e.packageType, e);
}

/** The OS ecosystem of an image's OS family, when Vigil has one. */
export function osEcosystem(os: OsInfo | undefined): Ecosystem | undefined {
  return os?.family ? byFamily.get(os.family) : undefined;
}

/** The ecosystem a package is matched in: its language's, or its OS's when the package type is the OS's. */
export function ecosystemOf(pkg: Package, os: OsInfo | undefined): Ecosystem | undefined {
  const lang = languageByType.get(pkg.type);
  if (lang) return lang;
  const e = osEcosystem(os);
  return e && e.packageType === pkg.type ? e : undefined;
}

export interface MatchKey {
  /** Lower-cased DB ecosystems to look up. */
  ecosystems: string[];
  /** Names to look up in those ecosystems (lower-cased). */
  names: string[];
  /** The version compared against advisory ranges. */
  version: string;
  /** The advisory sources whose severity counts first for this package. */
  vendors: string[];
}

/** How a package is looked up in the DB, or undefined when it cannot be (no ecosystem, unknown release). */
export function matchKey(pkg: Package, os: OsInfo | undefined): MatchKey | undefined {
  const e = ecosystemOf(pkg, os);
  const keys = e?.matchKeys(os);
  if (!e || !keys?.length) return undefined;
  const { names, version } = e.lookup(pkg);
  return { ecosystems: keys, names, version, vendors: [e.vendor] };
}

/** The ecosystem of an advisory's ecosystem name (`Debian:12` -> debian), or undefined when Vigil has none. */
export function advisoryEcosystem(ecosystem: string): Ecosystem | undefined {
  return byPrefix.get(ecosystem.split(':', 1)[0]!.trim().toLowerCase());
}

/** The package URL of a package (its own `purl` when an analyzer set one). */
export function purlOf(pkg: Package, os?: OsInfo): string {
  if (pkg.purl) return pkg.purl;
  const e = ecosystemOf(pkg, os);
  if (!e) return buildPurl(pkg.type, undefined, pkg.name, pkg.version, {});
  const p = e.purl(pkg, os);
  return buildPurl(p.type, p.namespace, p.name ?? pkg.name, p.version ?? pkg.version, p.qualifiers ?? {});
}

/** OSV ecosystem names `vigil db update` downloads by default: those of every ecosystem whose feeds include `feed`. */
export function ecosystemsOfFeed(feed: string): Ecosystem[] {
  return ecosystems.all().filter((e) => e.feeds.includes(feed));
}

const OS_PACKAGE_TYPES = new Set(['deb', 'apk', 'rpm']);

function osLabel(os: OsInfo): string {
  return os.version ? `${os.family} ${os.version}` : os.family;
}

/**
 * What the vulnerability scan cannot cover, said instead of a silent zero:
 * an OS family without an ecosystem ("no vulnerability data for wolfi
 * 20230201"), an OS release the ecosystem cannot key, OS packages with no
 * OS detected, language packages of an ecosystem Vigil does not have, and
 * (with `hasEcosystem`, the DB's answer) an ecosystem the DB holds nothing for.
 */
export function coverageNotices(packages: Package[], os: OsInfo | undefined, hasEcosystem?: (key: string) => boolean): Notice[] {
  const out: Notice[] = [];
  const osPackages = packages.filter((p) => OS_PACKAGE_TYPES.has(p.type));
  const e = osEcosystem(os);
  if (os?.family && !e)
    out.push({ kind: 'no-vuln-data', message: `no vulnerability data for ${osLabel(os)}: its ${osPackages.length} OS packages are not matched` });
  else if (os?.family && e && !e.matchKeys(os)?.length)
    out.push({
      kind: 'no-vuln-data',
      message: `no vulnerability data for ${osLabel(os)}: the release is not one ${e.title} advisories name; its ${osPackages.length} OS packages are not matched`,
    });
  else if (!os?.family && osPackages.length)
    out.push({ kind: 'no-vuln-data', message: `no OS detected (no os-release): ${osPackages.length} OS packages are not matched` });
  const untyped = new Map<string, number>();
  for (const p of packages) if (!OS_PACKAGE_TYPES.has(p.type) && !languageByType.has(p.type)) untyped.set(p.type, (untyped.get(p.type) ?? 0) + 1);
  for (const [t, n] of [...untyped].sort()) out.push({ kind: 'no-vuln-data', message: `no vulnerability data for ${t} packages: ${n} not matched` });
  if (hasEcosystem) {
    const used = new Map<Ecosystem, string[]>();
    for (const p of packages) {
      const pe = ecosystemOf(p, os);
      const keys = pe?.matchKeys(os);
      if (pe && keys?.length && !used.has(pe)) used.set(pe, keys);
    }
    for (const [pe, keys] of used) {
      if (!keys.some((k) => hasEcosystem(k))) {
        out.push({ kind: 'no-vuln-data', message: `the vulnerability DB has no ${pe.title} advisories (${keys[0]}): its packages are not matched` });
      }
    }
  }
  return out;
}
