// Composer (Packagist) versions: composer/semver's VersionParser::normalize
// (`v1.2` -> `1.2.0.0`, `1.0.0RC1dev` -> `1.0.0.0-RC1-dev`, `dev-master` ->
// `9999999-dev`), then compared as PHP's version_compare() compares them
// (dev < alpha < beta < RC < release < patch).
import { sign, type VersionComparator } from './types.js';

const MAX_LENGTH = 256;
const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*+)?)?([.-]?dev)?';
// JS has no possessive quantifiers: the same patterns without them (inputs are bounded).
const MOD = MODIFIER.replace(/\*\+/g, '*');
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MOD}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MOD}$`, 'i');
const STABILITY: Record<string, string> = { a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta', p: 'patch', pl: 'patch', patch: 'patch', rc: 'RC' };

/** A branch name as normalizeBranch turns it into a version (`1.x` -> `1.9999999.9999999.9999999-dev`). */
function normalizeBranch(name: string): string {
  const n = name.trim();
  if (n === 'master' || n === 'trunk' || n === 'default') return '9999999-dev';
  const m = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i.exec(n);
  if (m) {
    const parts: string[] = [];
    for (let i = 1; i < 5; i++) parts.push(m[i] ? m[i]!.replace(/^\./, '').replace(/^[xX*]$/, '9999999') : '9999999');
    return `${parts.join('.')}-dev`;
  }
  return `dev-${n}`;
}

/** VersionParser::normalize, or undefined where Composer throws. */
export function normalizeComposer(input: string): string | undefined {
  let v = input.trim();
  if (!v || v.length > MAX_LENGTH) return undefined;
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(v);
  if (alias) v = alias[1]!;
  v = v.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (/^(master|trunk|default)$/.test(v)) return '9999999-dev';
  if (/^dev-/i.test(v)) {
    const rest = v.slice(4);
    return rest === 'master' || rest === 'trunk' || rest === 'default' ? '9999999-dev' : `dev-${rest}`;
  }
  const meta = /^([^,\s+]+)\+[^\s]+$/.exec(v);
  if (meta) v = meta[1]!;
  let m = CLASSICAL.exec(v);
  let out: string | undefined;
  let idx = 0;
  if (m) {
    out = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    idx = 5;
  } else if ((m = DATE.exec(v))) {
    out = m[1]!.replace(/\D/g, '.');
    idx = 2;
  }
  if (m && out !== undefined) {
    const stab = m[idx];
    if (stab) {
      if (stab.toLowerCase() === 'stable') return out;
      out += `-${STABILITY[stab.toLowerCase()]}${m[idx + 1] ? m[idx + 1]!.replace(/^[.-]+/, '') : ''}`;
    }
    if (m[idx + 2]) out += '-dev';
    return out;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(v);
  if (dev) {
    const b = normalizeBranch(dev[1]!);
    if (!b.startsWith('dev-')) return b;
  }
  return undefined;
}

/** PHP's canonical form: `-`, `_`, `+` become `.`, and a `.` goes between digits and non-digits. */
function phpCanon(v: string): string[] {
  let out = '';
  let prev = '';
  for (const c of v) {
    const isSep = !/[0-9A-Za-z]/.test(c);
    if (isSep) {
      if (out && !out.endsWith('.')) out += '.';
    } else {
      const cls = /\d/.test(c) ? 'd' : 'a';
      if (prev && prev !== cls && out && !out.endsWith('.')) out += '.';
      out += c;
      prev = cls;
      continue;
    }
    prev = '';
  }
  return out.split('.').filter((p) => p !== '');
}

const SPECIAL: Array<[string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function special(s: string): number {
  for (const [name, order] of SPECIAL) if (s.startsWith(name)) return order;
  return -6;
}

/** PHP version_compare() on two version strings. */
export function phpVersionCompare(a: string, b: string): number {
  const l = phpCanon(a);
  const r = phpCanon(b);
  const n = Math.min(l.length, r.length);
  for (let i = 0; i < n; i++) {
    const x = l[i]!;
    const y = r[i]!;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    let c: number;
    if (dx && dy) {
      const p = x.replace(/^0+(?=\d)/, '');
      const q = y.replace(/^0+(?=\d)/, '');
      c = p.length !== q.length ? sign(p.length - q.length) : p < q ? -1 : p > q ? 1 : 0;
    } else if (!dx && !dy) c = sign(special(x) - special(y));
    else if (dx) c = sign(special('#') - special(y));
    else c = sign(special(x) - special('#'));
    if (c !== 0) return c;
  }
  if (l.length > n) return /^\d/.test(l[n]!) ? 1 : sign(special(l[n]!) - special('#'));
  if (r.length > n) return /^\d/.test(r[n]!) ? -1 : sign(special('#') - special(r[n]!));
  return 0;
}

export function compareComposer(a: string, b: string): number {
  const x = normalizeComposer(a);
  const y = normalizeComposer(b);
  // Versions Composer rejects (and named dev branches, which have no order) sort first, then as strings.
  const ox = x !== undefined && !x.startsWith('dev-');
  const oy = y !== undefined && !y.startsWith('dev-');
  if (!ox || !oy) return ox ? 1 : oy ? -1 : a < b ? -1 : a > b ? 1 : 0;
  return phpVersionCompare(x!, y!);
}

export const composerComparator: VersionComparator = {
  id: 'composer',
  version: 1,
  compare: compareComposer,
  valid: (v) => {
    const n = normalizeComposer(v);
    return n !== undefined && !n.startsWith('dev-');
  },
};
