// The ecosystem contract: everything Vigil knows about one package ecosystem
// (an OS family such as Debian, or a language ecosystem such as npm) in one
// module, registered in ./index.ts. Matching, package URLs, `vigil db
// update` and the report all read it from that one index.
import type { OsInfo, Package, PackageType } from '../inventory/types.js';

/** How one installed package is looked up in the vulnerability DB. */
export interface PackageLookup {
  /** Lower-cased package names to look up (source package first for OS packages). */
  names: string[];
  /** The version compared against advisory ranges. */
  version: string;
}

export interface Ecosystem {
  /** Stable id: `debian`, `wolfi`, `npm`. */
  readonly id: string;
  /** Bump when matching or purls change. */
  readonly version: number;
  /** `os`: selected by the image's OS family; `language`: by the package type alone. */
  readonly kind: 'os' | 'language';
  /** Human name for notices and docs: `Debian`, `Wolfi`. */
  readonly title: string;
  /** os-release `ID`s this ecosystem covers (os kind only): `debian`; `opensuse-leap`. */
  readonly families?: readonly string[];
  /** Package type its packages carry. */
  readonly packageType: PackageType;
  /** Id of the version comparator (src/core/versions) advisory ranges are evaluated with. */
  readonly comparator: string;
  /** The OSV ecosystem name, i.e. the part before the first `:` of its advisories' ecosystem: `Debian`, `Rocky Linux`, `Wolfi`, `npm`. */
  readonly osvName: string;
  /** Other advisory ecosystem prefixes that use the same comparator (lower case), if any. */
  readonly aliases?: readonly string[];
  /** Advisory source whose severity counts first for its packages: `debian`, `ghsa`. */
  readonly vendor: string;
  /** Ids of the advisory feeds (src/core/feeds) `vigil db update` downloads for it by default. */
  readonly feeds: readonly string[];
  /**
   * Lower-cased DB ecosystem keys of an OS release (`debian:12`, `alpine:v3.19`),
   * or undefined when the release cannot be told from `os` (no or odd version).
   * Language ecosystems: the one key (`npm`).
   */
  matchKeys(os: OsInfo | undefined): string[] | undefined;
  /** Names and version a package is looked up by. */
  lookup(pkg: Package): PackageLookup;
  /** purl type and namespace of its packages (the rest is generic). */
  purl(
    pkg: Package,
    os: OsInfo | undefined,
  ): { type: string; namespace?: string; name?: string; version?: string; qualifiers?: Record<string, string | undefined> };
}
