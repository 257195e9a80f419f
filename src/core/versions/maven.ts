// Maven versions: ComparableVersion semantics (maven-artifact 3.6-3.8). A version
// is a list of items: integers, qualifiers (alpha < beta < milestone < rc <
// snapshot < "" (release, also ga/final) < sp, then any other qualifier
// alphabetically) and sub-lists opened by `-` and by digit/letter transitions.
// Trailing null items (0, "", empty lists) are dropped, so 1 == 1.0 == 1-0.
import { sign, type VersionComparator } from './types.js';

type Item = { k: 'int'; v: string } | { k: 'str'; v: string } | { k: 'list'; v: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE = String(QUALIFIERS.indexOf(''));
/** Longest version compared; longer input is not a version any repository publishes. */
const MAX_LENGTH = 256;

function strItem(s: string, followedByDigit: boolean): Item {
  if (followedByDigit && s.length === 1) s = s === 'a' ? 'alpha' : s === 'b' ? 'beta' : s === 'm' ? 'milestone' : s;
  return { k: 'str', v: ALIASES[s] ?? s };
}

function intItem(s: string): Item {
  return { k: 'int', v: s.replace(/^0+(?=\d)/, '') };
}

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(it: Item): boolean {
  if (it.k === 'int') return it.v === '0';
  if (it.k === 'str') return qualifierKey(it.v) === RELEASE;
  return it.v.length === 0;
}

/** Drop trailing null items (0, "", empty lists); a non-null sub-list does not stop it (1.0-x is 1-x). */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const it = list[i]!;
    if (isNull(it)) list.splice(i, 1);
    else if (it.k !== 'list') break;
  }
}

/** The item tree of a version, as ComparableVersion.parseVersion builds it. */
export function parseMaven(version: string): Item[] {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const parseItem = (digit: boolean, s: string): Item => (digit ? intItem(s) : strItem(s, false));
  // `-` and every digit/letter transition open a sub-list: 1-1 is not 1.1, 1a1 is 1-a-1.
  const push = (): void => {
    const sub: Item[] = [];
    list.push({ k: 'list', v: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { k: 'int', v: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') push();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(strItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) list.push(parseItem(isDigit, v.slice(start)));
  while (stack.length) normalize(stack.pop()!);
  return root;
}

function cmpInt(a: string, b: string): number {
  return a.length !== b.length ? sign(a.length - b.length) : a < b ? -1 : a > b ? 1 : 0;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Item.compareTo(other), `undefined` being Java's null (a missing item). */
function cmpItem(a: Item, b: Item | undefined): number {
  if (a.k === 'int') {
    if (!b) return a.v === '0' ? 0 : 1;
    return b.k === 'int' ? cmpInt(a.v, b.v) : 1;
  }
  if (a.k === 'str') {
    if (!b) return cmpStr(qualifierKey(a.v), RELEASE);
    return b.k === 'str' ? cmpStr(qualifierKey(a.v), qualifierKey(b.v)) : -1;
  }
  if (!b) {
    // The whole list against nothing, not only its first item (MNG-6964: 1-0.alpha < 1).
    for (const x of a.v) {
      const r = cmpItem(x, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.k === 'int') return -1;
  if (b.k === 'str') return 1;
  return cmpList(a.v, b.v);
}

function cmpList(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const res = l === undefined ? (r === undefined ? 0 : -cmpItem(r, undefined)) : cmpItem(l, r);
    if (res !== 0) return sign(res);
  }
  return 0;
}

export function compareMaven(a: string, b: string): number {
  return cmpList(parseMaven(a.trim().slice(0, MAX_LENGTH)), parseMaven(b.trim().slice(0, MAX_LENGTH)));
}

export const mavenComparator: VersionComparator = {
  id: 'maven',
  version: 1,
  compare: compareMaven,
  // ComparableVersion orders any string; an empty or whitespace-bearing one is no version.
  valid: (v) => v.length > 0 && v.length <= MAX_LENGTH && !/\s/.test(v),
};
