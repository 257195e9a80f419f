// Prometheus histograms read from a `/metrics` text (the bench's view of the
// server's own timings): the series of one histogram, the difference of two
// readings (what happened between them) and a quantile estimated as
// PromQL's histogram_quantile does (linear within the bucket).

export interface Hist {
  /** Cumulative counts by upper bound (le), ascending; the last is +Inf. */
  buckets: Array<[number, number]>;
  sum: number;
  n: number;
}

/** The unlabelled series of histogram `name` in a metrics text (empty when absent). */
export function readHistogram(text: string, name: string): Hist {
  const buckets: Array<[number, number]> = [];
  let sum = 0;
  let n = 0;
  for (const line of text.split('\n')) {
    const b = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (b) buckets.push([b[1] === '+Inf' ? Infinity : Number(b[1]), Number(b[2])]);
    else if (line.startsWith(`${name}_sum `)) sum = Number(line.slice(name.length + 5));
    else if (line.startsWith(`${name}_count `)) n = Number(line.slice(name.length + 7));
  }
  return { buckets, sum, n };
}

/** What was observed between two readings of one histogram. */
export function diffHistogram(after: Hist, before: Hist): Hist {
  const was = new Map(before.buckets);
  return { buckets: after.buckets.map(([le, c]) => [le, c - (was.get(le) ?? 0)]), sum: after.sum - before.sum, n: after.n - before.n };
}

/** The q-quantile (0-1), linear within its bucket; the last finite bound when it falls in +Inf; NaN when empty. */
export function histQuantile(h: Hist, q: number): number {
  if (!h.n) return NaN;
  const rank = q * h.n;
  let prevLe = 0;
  let prevC = 0;
  for (const [le, c] of h.buckets) {
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * (c === prevC ? 1 : (rank - prevC) / (c - prevC));
    }
    prevLe = le;
    prevC = c;
  }
  return prevLe;
}

/** The upper bound of the highest non-empty bucket ("at most"), Infinity past the last finite one; NaN when empty. */
export function histMaxBound(h: Hist): number {
  if (!h.n) return NaN;
  for (const [le, c] of h.buckets) if (c >= h.n) return le;
  return Infinity;
}
