// Glob matching for policy selectors and whitelists: `*` matches any run of
// characters (slashes included, so `/usr/lib/*` covers subdirectories), `?`
// one character; everything else is literal. Compiled patterns are cached.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let src = '^';
  for (const ch of glob) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`${src}$`, 's');
  if (cache.size > 4096) cache.clear();
  cache.set(glob, re);
  return re;
}

export function isGlob(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

export function globMatch(glob: string, value: string): boolean {
  if (!isGlob(glob)) return glob === value;
  return globToRegExp(glob).test(value);
}

/** A matcher over a list of entries (`/usr/bin/*`, `python3.*`): exact entries through a Set, globs as compiled patterns. */
export function globMatcher(patterns: readonly string[]): (s: string) => boolean {
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (!isGlob(p)) exact.add(p);
    else res.push(globToRegExp(p));
  }
  return (s) => exact.has(s) || res.some((r) => r.test(s));
}
