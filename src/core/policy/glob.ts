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

export function globMatch(glob: string, value: string): boolean {
  if (!glob.includes('*') && !glob.includes('?')) return glob === value;
  return globToRegExp(glob).test(value);
}
