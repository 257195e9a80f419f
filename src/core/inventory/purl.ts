// Package URLs (https://github.com/package-url/purl-spec): building one from
// its parts, parsing, and matching for ignore entries and VEX products (a
// pattern matches a finding's purl when type, namespace and name agree, and
// the version and qualifiers the pattern names, if any, agree too). Which
// type and namespace a package gets is its ecosystem's knowledge
// (src/core/ecosystems); `purlOf` there builds a package's purl.
import type { OsInfo } from './types.js';

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** A purl from its parts; qualifiers sorted by key, empty ones left out. */
export function buildPurl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string,
  qualifiers: Record<string, string | undefined> = {},
): string {
  let s = `pkg:${type}/`;
  if (namespace) s += namespace.split('/').map(enc).join('/') + '/';
  s += enc(name);
  if (version) s += `@${enc(version)}`;
  const q = Object.entries(qualifiers)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${enc(v)}`);
  if (q.length) s += `?${q.join('&')}`;
  return s;
}

/** Distro qualifier value: `debian-12`, `ubuntu-22.04`, `alpine-3.19.1`. */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  if (!os || !os.family) return undefined;
  return os.version ? `${os.family}-${os.version}` : os.family;
}

export interface ParsedPurl {
  type: string;
  namespace: string;
  name: string;
  version: string;
  qualifiers: Record<string, string>;
}

export function parsePurl(s: string): ParsedPurl | undefined {
  if (!s.startsWith('pkg:')) return undefined;
  let rest = s.slice(4).split('#', 1)[0]!;
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const kv of rest.slice(q + 1).split('&')) {
      const i = kv.indexOf('=');
      if (i > 0) qualifiers[kv.slice(0, i).toLowerCase()] = safeDecode(kv.slice(i + 1));
    }
    rest = rest.slice(0, q);
  }
  let version = '';
  const at = rest.lastIndexOf('@');
  const slash = rest.indexOf('/');
  // An `@` at the start of a segment is an (encoded or not) npm scope, not a version.
  if (at > 0 && at > rest.lastIndexOf('/')) {
    version = safeDecode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  if (slash < 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  const parts = rest
    .slice(slash + 1)
    .split('/')
    .filter(Boolean)
    .map(safeDecode);
  const name = parts.pop();
  if (!type || !name) return undefined;
  return { type, namespace: parts.join('/'), name, version, qualifiers };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function purlMatches(pattern: string, purl: string | undefined): boolean {
  if (!purl) return false;
  const p = parsePurl(pattern);
  const x = parsePurl(purl);
  if (!p || !x) return false;
  const lowerTypes = new Set(['npm', 'deb', 'apk', 'rpm', 'pypi', 'golang']);
  const norm = (s: string, t: string): string => (lowerTypes.has(t) ? s.toLowerCase() : s);
  if (p.type !== x.type || norm(p.name, p.type) !== norm(x.name, x.type)) return false;
  if (p.namespace && norm(p.namespace, p.type) !== norm(x.namespace, x.type)) return false;
  if (p.version && p.version !== x.version) return false;
  for (const [k, v] of Object.entries(p.qualifiers)) if (x.qualifiers[k] !== undefined && x.qualifiers[k] !== v) return false;
  return true;
}
