// Debian version comparison (deb-version(7), dpkg's verrevcmp):
// `[epoch:]upstream[-revision]`; non-digit runs compare by a modified ASCII
// order in which letters sort before non-letters and `~` before everything,
// even the end of the string; digit runs compare numerically.
import { sign, type VersionComparator } from './types.js';
import { epochVersionParser, type EpochVersion } from './epoch.js';

export type DpkgVersion = EpochVersion<'upstream', 'revision'>;

/** Splits a version leniently (as dpkg does for comparison): epoch before the first `:`, revision after the last `-`. */
export const parseDpkgVersion: (v: string) => DpkgVersion = epochVersionParser('upstream', 'revision');

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Weight of a non-digit character; 0 stands for "end of string" and digits. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126 /* ~ */) return -1;
  return c + 256;
}

/** dpkg's verrevcmp over one part (upstream or revision). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export function compareDpkg(a: string, b: string): number {
  const va = parseDpkgVersion(a);
  const vb = parseDpkgVersion(b);
  if (va.epoch !== vb.epoch) return sign(va.epoch - vb.epoch);
  const u = verrevcmp(va.upstream, vb.upstream);
  if (u) return sign(u);
  return sign(verrevcmp(va.revision, vb.revision));
}

/** dpkg's parseversion checks: numeric epoch that fits, upstream starting with a digit, allowed characters. */
export function validDpkg(v: string): boolean {
  const s = v.trim();
  const colon = s.indexOf(':');
  if (colon >= 0 && !/^\d{1,9}$/.test(s.slice(0, colon))) return false;
  const { upstream, revision } = parseDpkgVersion(s);
  if (!/^[0-9][A-Za-z0-9.+~:-]*$/.test(upstream)) return false;
  return s.lastIndexOf('-') < 0 || /^[A-Za-z0-9.+~]*$/.test(revision);
}

export const dpkgComparator: VersionComparator = {
  id: 'dpkg',
  version: 1,
  compare: compareDpkg,
  valid: validDpkg,
};
