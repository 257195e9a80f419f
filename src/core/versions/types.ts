// The version comparator contract: one module per versioning scheme
// (dpkg, apk, rpm, semver, ...), registered in ./index.ts. Matching picks the
// comparator from the advisory's ecosystem, so adding an ecosystem is one
// comparator plus one analyzer.

export interface VersionComparator {
  /** Stable id: `dpkg`, `apk`, `rpm`, `semver`. */
  readonly id: string;
  /** Bump when comparison results change. */
  readonly version: number;
  /** Negative, zero or positive like `Array.prototype.sort`'s comparator. Never throws. */
  compare(a: string, b: string): number;
  /** Whether the scheme accepts `v` (matching skips ranges it cannot order). */
  valid(v: string): boolean;
  /**
   * The scheme orders SemVer 2.0 versions as SemVer does (Go's `v`-prefixed
   * semver): OSV `SEMVER` ranges are evaluated with it instead of the
   * generic semver comparator, so the ecosystem's own spellings still parse.
   */
  readonly ordersSemver?: boolean;
}

/** Sign of a number as -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two decimal digit strings of any length numerically (leading zeros ignored). */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? sign(x.length - y.length) : x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Compares two parsed versions of one scheme: an unparsable one sorts first (two are equal); else their numeric parts
 * (as many as the scheme parses) in order, then `rest` (pre-release labels).
 */
export function compareNumbered<T extends { nums: readonly string[] }>(x: T | undefined, y: T | undefined, rest: (x: T, y: T) => number): number {
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  for (let i = 0; i < x.nums.length; i++) {
    const d = compareDigits(x.nums[i]!, y.nums[i]!);
    if (d) return d;
  }
  return rest(x, y);
}
