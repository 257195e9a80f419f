// Python package versions (PEP 440): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
// with the PEP's normalisations (case, `v` prefix, `alpha`/`beta`/`c`/`pre`/
// `preview` spellings, `-`/`_`/`.` separators, implicit numbers, `1.0-1` as
// a post-release, leading zeros) and its total ordering: epoch, release with
// trailing zeros ignored, dev-only releases before pre-releases, pre-releases
// before the final release, post-releases after it, dev releases before their
// non-dev version, and the local label last (numeric segments above
// alphanumeric ones, a longer label above its prefix).
import { sign, type VersionComparator } from './types.js';

export interface Pep440Version {
  epoch: number;
  release: number[];
  pre?: { label: 'a' | 'b' | 'rc'; n: number };
  post?: number;
  dev?: number;
  /** Local label segments: numbers as numbers, the rest lower-cased. */
  local?: Array<number | string>;
}

const MAX_LENGTH = 256;
const SEP = '[-_.]?';
// A whole-string match over the lower-cased, trimmed input; one capture group per part.
const RE = new RegExp(
  '^v?' +
    '(?:(\\d+)!)?' + // epoch
    '(\\d+(?:\\.\\d+)*)' + // release
    `(?:${SEP}(alpha|beta|preview|pre|rc|a|b|c)${SEP}(\\d+)?)?` + // pre
    `(?:-(\\d+)|${SEP}(post|rev|r)${SEP}(\\d+)?)?` + // post (implicit `-N` or spelled)
    `(?:${SEP}(dev)${SEP}(\\d+)?)?` + // dev
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$', // local
);

// Only ASCII digits count as numbers (\d in JS regexes without /u is ASCII already).
const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

/** Parses a PEP 440 version, or undefined when it is not one. */
export function parsePep440(input: string): Pep440Version | undefined {
  if (typeof input !== 'string' || input.length > MAX_LENGTH) return undefined;
  const m = RE.exec(input.trim().toLowerCase());
  if (!m) return undefined;
  const [, epoch, release, preL, preN, postImplicit, postL, postN, devL, devN, local] = m;
  const nums = release!.split('.').map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) return undefined;
  const v: Pep440Version = { epoch: num(epoch), release: nums };
  if (preL) v.pre = { label: preL === 'alpha' || preL === 'a' ? 'a' : preL === 'beta' || preL === 'b' ? 'b' : 'rc', n: num(preN) };
  if (postImplicit !== undefined) v.post = num(postImplicit);
  else if (postL) v.post = num(postN);
  if (devL) v.dev = num(devN);
  if (local) v.local = local.split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return v;
}

/** The normalised form (`1.0-ALPHA1` -> `1.0a1`), or undefined when not a PEP 440 version. */
export function normalizePep440(input: string): string | undefined {
  const v = parsePep440(input);
  if (!v) return undefined;
  let s = (v.epoch ? `${v.epoch}!` : '') + v.release.join('.');
  if (v.pre) s += `${v.pre.label}${v.pre.n}`;
  if (v.post !== undefined) s += `.post${v.post}`;
  if (v.dev !== undefined) s += `.dev${v.dev}`;
  if (v.local) s += `+${v.local.join('.')}`;
  return s;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpRelease(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmpNum(a[i] ?? 0, b[i] ?? 0);
    if (c) return c;
  }
  return 0;
}

// Pre-release slot: a dev-only release (no pre, no post) sorts before every pre-release;
// a release without pre-release sorts after all of them.
function preKey(v: Pep440Version): [number, number] {
  if (v.pre) return [PRE_RANK[v.pre.label], v.pre.n];
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

function cmpLocal(a: Array<number | string> | undefined, b: Array<number | string> | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'number' && typeof y === 'number') {
      const c = cmpNum(x, y);
      if (c) return c;
    } else if (typeof x === 'number') return 1;
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return cmpNum(a.length, b.length);
}

/** Compares two parsed versions by PEP 440's ordering. */
export function comparePep440Parsed(a: Pep440Version, b: Pep440Version): number {
  let c = cmpNum(a.epoch, b.epoch) || cmpRelease(a.release, b.release);
  if (c) return c;
  const [pa, na] = preKey(a);
  const [pb, nb] = preKey(b);
  c = cmpNum(pa, pb) || cmpNum(na, nb);
  if (c) return c;
  c = cmpNum(a.post ?? -1, b.post ?? -1);
  if (c) return c;
  c = cmpNum(a.dev ?? Infinity, b.dev ?? Infinity);
  if (c) return c;
  return cmpLocal(a.local, b.local);
}

/** PEP 440 order of two version strings; invalid versions sort before valid ones, then as strings (never throws). */
export function comparePep440(a: string, b: string): number {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (x && y) return sign(comparePep440Parsed(x, y));
  if (x) return 1;
  if (y) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const pep440Comparator: VersionComparator = {
  id: 'pep440',
  version: 1,
  compare: comparePep440,
  valid: (v) => parsePep440(v) !== undefined,
};
