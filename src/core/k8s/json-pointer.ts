// JSON Pointer (RFC 6901) evaluation over decoded JSON, for `jevt.value[...]`.
// Only the path named is walked: nothing else of a large request body is touched.

/** Split a pointer into unescaped reference tokens; undefined when it is not a valid pointer. */
export function parseJsonPointer(ptr: string): string[] | undefined {
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) return undefined;
  const tokens = ptr.slice(1).split('/');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (/~[^01]|~$/.test(t)) return undefined;
    // Order matters (RFC 6901 section 4): ~1 first, then ~0.
    tokens[i] = t.replace(/~1/g, '/').replace(/~0/g, '~');
  }
  return tokens;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** The value at the pointer, or undefined when any step is missing. */
export function resolveJsonPointer(root: unknown, tokens: readonly string[]): unknown {
  let cur: unknown = root;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!ARRAY_INDEX.test(t)) return undefined;
      cur = cur[Number(t)];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = (cur as Record<string, unknown>)[t];
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}
