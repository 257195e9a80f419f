// Aggregation windows (`aggregate: {by, window, threshold}`), driven by event
// time: per key, the times of the last `threshold` matches; when they span
// no more than the window, the rule fires once and the key starts over.
// Memory is bounded: at most maxKeys keys per rule, expired keys evicted by
// flush(now) and, when full, oldest-first.

export class AggregateWindow {
  private readonly keys = new Map<string, number[]>();
  constructor(readonly windowMs: number, readonly threshold: number, readonly maxKeys = 50_000) {}

  /** Record a match at `time`; returns the number of matches in the window when the threshold is reached, else 0. */
  hit(key: string, time: number): number {
    let times = this.keys.get(key);
    if (!times) {
      if (this.keys.size >= this.maxKeys) this.evict(time);
      times = [];
      this.keys.set(key, times);
    }
    const from = time - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! < from) drop++;
    if (drop) times.splice(0, drop);
    times.push(time);
    if (times.length >= this.threshold) {
      const n = times.length;
      this.keys.delete(key);
      return n;
    }
    return 0;
  }

  /** Drop keys whose newest match is older than the window at `now`. */
  flush(now: number): void {
    const from = now - this.windowMs;
    for (const [k, t] of this.keys) if (t[t.length - 1]! < from) this.keys.delete(k);
  }

  private evict(now: number): void {
    this.flush(now);
    if (this.keys.size < this.maxKeys) return;
    const n = Math.max(1, this.keys.size >> 4);
    let i = 0;
    for (const k of this.keys.keys()) {
      this.keys.delete(k);
      if (++i >= n) break;
    }
  }

  get size(): number {
    return this.keys.size;
  }
}
