// Parsing of `WWW-Authenticate` challenges (RFC 7235) as registries send them:
// `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"`
// or `Basic realm="Registry Realm"`. A header may carry several challenges.

export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`, ... */
  scheme: string;
  /** Parameters with lower-case names. */
  params: Record<string, string>;
}

const MAX_HEADER = 16 * 1024;

/** Parse a WWW-Authenticate header value; unknown or broken parts are skipped, never thrown. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) parseOne(value.slice(0, MAX_HEADER), out);
  return out;
}

function parseOne(s: string, out: Challenge[]): void {
  let i = 0;
  let current: Challenge | undefined;
  const skipWs = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const tokStart = i;
    while (i < s.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    const token = s.slice(tokStart, i);
    if (token.length === 0) {
      // Unexpected character: skip to the next comma.
      while (i < s.length && s[i] !== ',') i++;
      continue;
    }
    skipWs();
    if (s[i] === '=') {
      // A parameter of the current challenge (or a token68 ending in '=').
      i++;
      skipWs();
      let val = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          val += s[i];
          i++;
        }
        i++;
      } else {
        const vStart = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
        val = s.slice(vStart, i);
      }
      if (current) current.params[token.toLowerCase()] = val;
      continue;
    }
    // A bare token starts a new challenge.
    current = { scheme: token.toLowerCase(), params: {} };
    out.push(current);
  }
}
