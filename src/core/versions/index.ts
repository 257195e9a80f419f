// The comparator index and the ecosystem -> comparator map. OSV ecosystem
// names (`Debian:12`, `Alpine:v3.19`, `Rocky Linux:9`, `npm`) select the
// scheme by their prefix before the first `:`.
import { ModuleIndex } from '../module-index.js';
import { apkComparator } from './apk.js';
import { dpkgComparator } from './dpkg.js';
import { rpmComparator } from './rpm.js';
import { semverComparator } from './semver.js';
import type { VersionComparator } from './types.js';

export type { VersionComparator } from './types.js';

export const comparators = new ModuleIndex<VersionComparator>('version comparator', [
  apkComparator,
  dpkgComparator,
  rpmComparator,
  semverComparator,
]);

const BY_ECOSYSTEM: Record<string, string> = {
  debian: 'dpkg',
  ubuntu: 'dpkg',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  almalinux: 'rpm',
  'rocky linux': 'rpm',
  'red hat': 'rpm',
  redhat: 'rpm',
  suse: 'rpm',
  opensuse: 'rpm',
  mageia: 'rpm',
  'openeuler': 'rpm',
  'azure linux': 'rpm',
  npm: 'semver',
};

/** Comparator of an OSV ecosystem (`Debian:12` -> dpkg), or undefined when Vigil has none. */
export function comparatorForEcosystem(ecosystem: string): VersionComparator | undefined {
  const base = ecosystem.split(':', 1)[0]!.trim().toLowerCase();
  const id = BY_ECOSYSTEM[base];
  return id ? comparators.get(id) : undefined;
}
