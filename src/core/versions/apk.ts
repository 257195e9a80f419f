// Alpine apk version comparison, following apk-tools' tokenizer:
// `number{.number}{letter}{_suffix{number}}{-rN}` where the pre-release
// suffixes _alpha < _beta < _pre < _rc sort before the bare version and the
// post-release suffixes _cvs < _svn < _git < _hg < _p after it. A dotted
// component with leading zeros compares as a fraction (1.02 < 1.1).
import type { VersionComparator } from './types.js';

// Token kinds in the order apk-tools uses: a later kind may follow an earlier
// one, END sorts last.
const INVALID = -1;
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const REVISION_NO = 5;
const END = 6;

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Cursor {
  s: string;
  i: number;
  type: number;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z';
}

function nextToken(c: Cursor): void {
  let n = INVALID;
  const ch = c.s[c.i];
  if (ch === undefined) n = END;
  else if ((c.type === DIGIT || c.type === DIGIT_OR_ZERO) && isLower(ch)) n = LETTER;
  else if (c.type === LETTER && isDigit(ch)) n = DIGIT;
  else if (c.type === SUFFIX && isDigit(ch)) n = SUFFIX_NO;
  else {
    if (ch === '.') n = DIGIT_OR_ZERO;
    else if (ch === '_') n = SUFFIX;
    else if (ch === '-' && c.s[c.i + 1] === 'r') {
      n = REVISION_NO;
      c.i++;
    }
    c.i++;
  }
  if (n < c.type) {
    const allowed = (n === DIGIT_OR_ZERO && c.type === DIGIT) || (n === SUFFIX && c.type === SUFFIX_NO) || (n === DIGIT && c.type === LETTER);
    if (!allowed) n = INVALID;
  }
  c.type = n;
}

function getToken(c: Cursor): number {
  let v = 0;
  let nt = INVALID;
  const start = c.i;
  let i = c.i;
  const s = c.s;
  if (i >= s.length) {
    c.type = END;
    return 0;
  }
  switch (c.type) {
    case DIGIT_OR_ZERO:
    case DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      if (c.type === DIGIT_OR_ZERO && s[i] === '0') {
        // Leading zeros: the more zeros, the smaller (a decimal fraction).
        while (s[i] === '0') i++;
        nt = DIGIT;
        v = -(i - start);
        break;
      }
      while (isDigit(s[i])) v = v * 10 + (s.charCodeAt(i++) - 48);
      break;
    case LETTER:
      v = s.charCodeAt(i++);
      break;
    case SUFFIX: {
      const rest = s.slice(i);
      const pre = PRE_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (pre >= 0) {
        i += PRE_SUFFIXES[pre]!.length;
        v = pre - PRE_SUFFIXES.length;
        break;
      }
      const post = POST_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (post >= 0) {
        i += POST_SUFFIXES[post]!.length;
        v = post;
        break;
      }
      c.type = INVALID;
      return -1;
    }
    default:
      c.type = INVALID;
      return -1;
  }
  c.i = i;
  if (c.i >= s.length) c.type = END;
  else if (nt !== INVALID) c.type = nt;
  else nextToken(c);
  return v;
}

export function compareApk(a: string, b: string): number {
  const ca: Cursor = { s: a.trim(), i: 0, type: DIGIT };
  const cb: Cursor = { s: b.trim(), i: 0, type: DIGIT };
  let av = 0;
  let bv = 0;
  while (ca.type === cb.type && ca.type !== END && ca.type !== INVALID && av === bv) {
    av = getToken(ca);
    bv = getToken(cb);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (ca.type === cb.type) return 0;
  // Equal so far: the longer version is newer unless it continues with a pre-release suffix.
  if (ca.type === SUFFIX && getToken(ca) < 0) return -1;
  if (cb.type === SUFFIX && getToken(cb) < 0) return 1;
  if (ca.type > cb.type) return -1;
  if (cb.type > ca.type) return 1;
  return 0;
}

/** Whether the whole string tokenizes (apk-tools' apk_version_validate). */
export function validApk(v: string): boolean {
  const c: Cursor = { s: v.trim(), i: 0, type: DIGIT };
  if (c.s === '' || !isDigit(c.s[0])) return false;
  while (c.type !== END && c.type !== INVALID) getToken(c);
  return c.type === END;
}

export const apkComparator: VersionComparator = {
  id: 'apk',
  version: 1,
  compare: compareApk,
  valid: validApk,
};
