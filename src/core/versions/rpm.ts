// RPM version comparison: rpmvercmp over alphanumeric segments (digits compare
// numerically, letters by strcmp, digits beat letters), `~` sorts before
// anything (pre-releases), `^` after the base but before any other addition
// (snapshots); then EVR: epoch (missing = 0), version, release.
import { sign, type VersionComparator } from './types.js';
import { epochVersionParser, type EpochVersion } from './epoch.js';

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
function isAlnum(c: string): boolean {
  return isDigit(c) || isAlpha(c);
}

/** rpmvercmp: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '^') j++;
    const ca = a[i] ?? '';
    const cb = b[j] ?? '';
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isDigit(ca);
    const pred = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && pred(a[ei]!)) ei++;
    while (ej < b.length && pred(b[ej]!)) ej++;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    // A numeric segment is newer than an alphabetic one.
    if (sb === '') return numeric ? 1 : -1;
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export type Evr = EpochVersion<'version', 'release'>;

/** `[epoch:]version[-release]`, release after the last `-`. */
export const parseEvr: (v: string) => Evr = epochVersionParser('version', 'release');

export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return sign(x.epoch - y.epoch);
  const v = rpmvercmp(x.version, y.version);
  if (v) return v;
  // A missing release matches any release (as rpm does for dependency ranges).
  if (x.release === '' || y.release === '') return 0;
  return rpmvercmp(x.release, y.release);
}

export const rpmComparator: VersionComparator = {
  id: 'rpm',
  version: 1,
  compare: compareRpm,
  valid: (v) => v.trim() !== '' && /[0-9A-Za-z]/.test(v),
};
