// Go module versions, ordered as golang.org/x/mod/semver orders them:
// `v` + semver, where `v1` and `v1.2` are shorthands for `v1.0.0`/`v1.2.0`,
// build metadata (`+incompatible`) is ignored, and pseudo-versions
// (`v0.0.0-20210121094942-22b2f8951d46`, `v1.2.4-0.2021...`) are pre-releases
// that order by their timestamp. OSV's Go advisories write versions without
// the `v` (`1.19.8`), so both spellings are accepted. Invalid versions sort
// before valid ones and equal to each other, as Go's Compare does.
import { compareDigits, compareNumbered, sign, type VersionComparator } from './types.js';

interface GoVersion {
  nums: [string, string, string];
  pre: string[];
}

const RE = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?$/;

export function parseGoVersion(v: string): GoVersion | undefined {
  if (v.length > 256) return undefined;
  const m = RE.exec(v);
  if (!m) return undefined;
  const pre = m[4] ? m[4].split('.') : [];
  if (pre.some((p) => /^0\d+$/.test(p))) return undefined;
  return { nums: [m[1]!, m[2] ?? '0', m[3] ?? '0'], pre };
}

function cmpPre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return compareDigits(x, y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return sign(a.length - b.length);
}

export function compareGoVersions(a: string, b: string): number {
  return compareNumbered(parseGoVersion(a), parseGoVersion(b), (x, y) => cmpPre(x.pre, y.pre));
}

export const goComparator: VersionComparator = {
  id: 'go',
  version: 1,
  compare: compareGoVersions,
  valid: (v) => parseGoVersion(v) !== undefined,
  ordersSemver: true,
};
