// Package-URL matching for ignore entries and VEX products: a pattern matches
// a finding's purl when type, namespace and name agree, and the version and
// qualifiers the pattern names (if any) agree too.

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
  const parts = rest.slice(slash + 1).split('/').filter(Boolean).map(safeDecode);
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
