// RubyGems versions (Gem::Version): segments are runs of digits (numbers) or
// letters (strings); `-` means a prerelease (`1.0-rc1` is `1.0.pre.rc1`); a
// string segment sorts before any number (`1.0.a` < `1.0`); trailing zeros of
// the release part and of each part are ignored (`1.0` == `1`).
import { sign, type VersionComparator } from './types.js';

const PATTERN = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const MAX_LENGTH = 256;

/** Whether Gem::Version accepts `v` (blank is accepted as `0`). */
export function validGemVersion(v: string): boolean {
  const t = v.trim();
  return t.length <= MAX_LENGTH && (t === '' || PATTERN.test(t));
}

type Segment = number | string;

/** Gem::Version#canonical_segments: numeric and string parts, trailing zeros of each dropped. */
export function gemSegments(v: string): Segment[] {
  let t = v.trim();
  if (t === '') t = '0';
  t = t.replace(/-/g, '.pre.');
  const segs: Segment[] = (t.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const firstStr = segs.findIndex((s) => typeof s === 'string');
  const num = firstStr === -1 ? segs : segs.slice(0, firstStr);
  const str = firstStr === -1 ? [] : segs.slice(firstStr);
  const trim = (xs: Segment[]): Segment[] => {
    let n = xs.length;
    while (n > 0 && xs[n - 1] === 0) n--;
    return xs.slice(0, n);
  };
  return [...trim(num), ...trim(str)];
}

export function compareGem(a: string, b: string): number {
  const va = validGemVersion(a);
  const vb = validGemVersion(b);
  // Malformed versions (Gem::Version raises on them) sort first, then as strings: sorting never throws.
  if (!va || !vb) return va ? 1 : vb ? -1 : a < b ? -1 : a > b ? 1 : 0;
  const l = gemSegments(a);
  const r = gemSegments(b);
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    const x = l[i] ?? 0;
    const y = r[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'string' && typeof y === 'number') return -1;
    if (typeof x === 'number' && typeof y === 'string') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const rubygemsComparator: VersionComparator = {
  id: 'rubygems',
  version: 1,
  compare: (a, b) => sign(compareGem(a, b)),
  valid: validGemVersion,
};
