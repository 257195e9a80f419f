// Tiny glob for policy entries (`/usr/bin/*`, `python3.*`): `*` any run, `?` one char.
export function globMatcher(patterns: string[]): (s: string) => boolean {
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (!/[*?]/.test(p)) { exact.add(p); continue; }
    res.push(new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$'));
  }
  return (s) => exact.has(s) || res.some((r) => r.test(s));
}
