// A matcher over a list of policy entries (`/usr/bin/*`, `python3.*`), with
// the glob semantics of the policy model (src/core/policy/glob.ts): exact
// entries through a Set, globs as compiled patterns.
import { globToRegExp } from '../../policy/glob.js';

export function globMatcher(patterns: string[]): (s: string) => boolean {
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (!/[*?]/.test(p)) exact.add(p);
    else res.push(globToRegExp(p));
  }
  return (s) => exact.has(s) || res.some((r) => r.test(s));
}
