// OSV range semantics: is a version inside an affected entry, and which
// version fixes it. Events are sorted by the ecosystem's comparator and walked
// in order (`introduced` opens, `fixed`/`last_affected`/`limit` close), as the
// OSV specification's evaluation algorithm does; `introduced: "0"` is
// "since the first version"; explicit `versions` lists count too.
import type { VersionComparator } from '../versions/types.js';
import { semverComparator } from '../versions/semver.js';
import type { AffectedPackage, AffectedRange, RangeEvent } from './advisory.js';

export interface AffectedResult {
  affected: boolean;
  /** The `fixed` event that closes the range containing the version; "" when none. */
  fixedVersion: string;
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Ev {
  kind: Kind;
  v: string;
}

function flat(e: RangeEvent): Ev {
  if ('introduced' in e) return { kind: 'introduced', v: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', v: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', v: e.last_affected };
  return { kind: 'limit', v: e.limit };
}

const isZero = (e: Ev): boolean => e.kind === 'introduced' && e.v === '0';

export function rangeContains(range: AffectedRange, version: string, cmp: VersionComparator): AffectedResult {
  const c = range.type === 'SEMVER' && !cmp.ordersSemver ? semverComparator : cmp;
  const none: AffectedResult = { affected: false, fixedVersion: '' };
  if (!c.valid(version)) return none;
  const events = range.events.map(flat).filter((e) => isZero(e) || c.valid(e.v));
  // Sorting needs a strict order: "0" first; on equal versions a closing event before an opening one.
  events.sort((a, b) => {
    if (isZero(a) || isZero(b)) return isZero(a) === isZero(b) ? 0 : isZero(a) ? -1 : 1;
    const d = c.compare(a.v, b.v);
    if (d) return d;
    return (a.kind === 'introduced' ? 1 : 0) - (b.kind === 'introduced' ? 1 : 0);
  });
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length && !limits.some((l) => c.compare(version, l.v) < 0)) return none;
  let affected = false;
  for (const e of events) {
    if (e.kind === 'limit') continue;
    if (e.kind === 'introduced') {
      if (isZero(e) || c.compare(version, e.v) >= 0) affected = true;
      else break;
    } else if (e.kind === 'fixed') {
      if (c.compare(version, e.v) >= 0) affected = false;
      else return affected ? { affected: true, fixedVersion: e.v } : none;
    } else {
      if (c.compare(version, e.v) > 0) affected = false;
      else return affected ? { affected: true, fixedVersion: '' } : none;
    }
  }
  return { affected, fixedVersion: '' };
}

/** Evaluates one affected entry: explicit versions, then each range. */
export function affectedContains(a: AffectedPackage, version: string, cmp: VersionComparator): AffectedResult {
  let listed = a.versions.includes(version);
  let fixed = '';
  for (const r of a.ranges) {
    const res = rangeContains(r, version, cmp);
    if (res.affected) {
      if (res.fixedVersion) return res;
      listed = true;
    } else if (listed && !fixed) {
      // A version listed explicitly: a range may still tell the fix.
      const c = r.type === 'SEMVER' && !cmp.ordersSemver ? semverComparator : cmp;
      const fix = r.events.map(flat).find((e) => e.kind === 'fixed' && c.valid(e.v) && c.compare(version, e.v) < 0);
      if (fix) fixed = fix.v;
    }
  }
  return listed ? { affected: true, fixedVersion: fixed } : { affected: false, fixedVersion: '' };
}
