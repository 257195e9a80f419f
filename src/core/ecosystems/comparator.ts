// The version comparator of an advisory's ecosystem. Apart from the
// ecosystem index (./index.ts) so that what needs only purls (the report
// formats of `vigil sbom`) does not load every comparator (semver among them).
import { comparators, type VersionComparator } from '../versions/index.js';
import { advisoryEcosystem } from './index.js';

/** Comparator of an advisory's ecosystem (`Debian:12` -> dpkg), or undefined when Vigil has none. */
export function comparatorForEcosystem(ecosystem: string): VersionComparator | undefined {
  const e = advisoryEcosystem(ecosystem);
  return e ? comparators.get(e.comparator) : undefined;
}
