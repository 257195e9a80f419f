// Small helpers the benchmarks share: a `--name value` option of the command
// line, and a percentile of samples.

/** The value after `--name` on the command line, else `def`. */
export function argOf(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
}

/** The p-th percentile (0-100) of the samples (nearest rank; NaN when none). */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
