// Which OSV ecosystems and package names an installed package is matched
// under: OS packages by their *source* package within their OS release
// (`Debian:12`, `Alpine:v3.19`, `Rocky Linux:9`), language packages by
// name in their ecosystem. Adding an ecosystem = one case here + its comparator.
import type { OsInfo, Package } from '../inventory/types.js';

export interface MatchKey {
  /** Lower-cased OSV ecosystems to look up. */
  ecosystems: string[];
  /** Names to look up in those ecosystems (lower-cased). */
  names: string[];
  /** The version compared against advisory ranges. */
  version: string;
  /** The advisory sources whose severity counts first for this package. */
  vendors: string[];
}

function majorMinor(v: string): [string, string | undefined] {
  const m = /^(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [m[1]!, m[2]] : ['', undefined];
}

/** OSV ecosystems of an OS release; empty when the OS or its version is unknown. */
export function osEcosystems(os: OsInfo | undefined): { ecosystems: string[]; vendor: string } {
  if (!os?.version) return { ecosystems: [], vendor: '' };
  const [major, minor] = majorMinor(os.version);
  if (!major) return { ecosystems: [], vendor: '' };
  switch (os.family) {
    case 'debian':
      return { ecosystems: [`debian:${major}`], vendor: 'debian' };
    case 'ubuntu': {
      const v = `${major}.${minor ?? '04'}`;
      return { ecosystems: [`ubuntu:${v}`, `ubuntu:${v}:lts`, `ubuntu:pro:${v}:lts`], vendor: 'ubuntu' };
    }
    case 'alpine':
      return minor !== undefined ? { ecosystems: [`alpine:v${major}.${minor}`], vendor: 'alpine' } : { ecosystems: [], vendor: '' };
    case 'almalinux':
      return { ecosystems: [`almalinux:${major}`], vendor: 'almalinux' };
    case 'rocky':
      return { ecosystems: [`rocky linux:${major}`], vendor: 'rocky' };
    case 'opensuse-leap':
      return { ecosystems: [`opensuse:leap ${major}.${minor ?? '0'}`], vendor: 'suse' };
    case 'sles':
      return { ecosystems: [`suse:linux enterprise server ${major}${minor && minor !== '0' ? ` sp${minor}` : ''}`], vendor: 'suse' };
    case 'mageia':
      return { ecosystems: [`mageia:${major}`], vendor: 'mageia' };
    default:
      return { ecosystems: [], vendor: '' };
  }
}

export function matchKey(pkg: Package, os: OsInfo | undefined): MatchKey | undefined {
  switch (pkg.type) {
    case 'deb':
    case 'apk': {
      const { ecosystems, vendor } = osEcosystems(os);
      if (!ecosystems.length) return undefined;
      // Debian and Alpine advisories name source packages, versioned as the source.
      const name = (pkg.sourceName || pkg.name).toLowerCase();
      const version = pkg.type === 'deb' && pkg.sourceVersion ? pkg.sourceVersion : pkg.version;
      return { ecosystems, names: [name], version, vendors: [vendor] };
    }
    case 'rpm': {
      const { ecosystems, vendor } = osEcosystems(os);
      if (!ecosystems.length) return undefined;
      // RPM advisories (AlmaLinux, Rocky) list binary packages; some feeds list the source RPM.
      const names = [...new Set([pkg.name, pkg.sourceName].filter((n): n is string => !!n).map((n) => n.toLowerCase()))];
      return { ecosystems, names, version: pkg.version, vendors: [vendor] };
    }
    case 'npm':
      return { ecosystems: ['npm'], names: [pkg.name.toLowerCase()], version: pkg.version, vendors: ['ghsa'] };
    default:
      return undefined;
  }
}
