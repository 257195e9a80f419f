// npm versions and ranges: the `semver` package (what npm itself uses), loose
// so that `v1.2.3` and `=1.2.3` found in package.json files still compare.
import semver from 'semver';
import { sign, type VersionComparator } from './types.js';

const OPTS = { loose: true } as const;

export function compareSemver(a: string, b: string): number {
  const x = semver.parse(a, OPTS);
  const y = semver.parse(b, OPTS);
  if (x && y) return sign(x.compare(y));
  // Unparseable versions sort before parseable ones, then as strings, so sorting never throws.
  if (x) return 1;
  if (y) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `version` satisfies an npm range expression (`>=1.0.0 <1.2.3 || 2.x`). */
export function satisfiesRange(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range, { ...OPTS, includePrerelease: true });
  } catch {
    return false;
  }
}

export const semverComparator: VersionComparator = {
  id: 'semver',
  version: 1,
  compare: compareSemver,
  valid: (v) => semver.parse(v, OPTS) !== null,
};
