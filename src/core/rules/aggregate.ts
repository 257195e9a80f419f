// Aggregation windows (`aggregate: {by, window, threshold}`), driven by event
// time: per key, the times of the last `threshold` matches; when they span
// no more than the window, the rule fires once and the key starts over.
// Memory is bounded: at most maxKeys keys per rule, expired keys evicted by
// flush(now) and, when full, oldest-first.

export class AggregateWindow {
  /** Per key: a ring of the last `threshold` match times and its next slot. */
  private readonly keys = new Map<string, { times: Float64Array; next: number; count: number }>();
  constructor(readonly windowMs: number, readonly threshold: number, readonly maxKeys = 50_000) {}

  /** Record a match at `time`; returns the number of matches in the window when the threshold is reached, else 0. */
  hit(key: string, time: number): number {
    let k = this.keys.get(key);
    if (!k) {
      if (this.keys.size >= this.maxKeys) this.evict(time);
      k = { times: new Float64Array(this.threshold), next: 0, count: 0 };
      this.keys.set(key, k);
    }
    k.times[k.next] = time;
    k.next = k.next + 1 === this.threshold ? 0 : k.next + 1;
    if (k.count < this.threshold) k.count++;
    if (k.count < this.threshold) return 0;
    // Ring full: the oldest of the last `threshold` matches is at `next`.
    if (time - k.times[k.next]! > this.windowMs) return 0;
    this.keys.delete(key);
    return this.threshold;
  }

  /** Drop keys whose newest match is older than the window at `now`. */
  flush(now: number): void {
    const from = now - this.windowMs;
    for (const [key, k] of this.keys) {
      const newest = k.times[(k.next + this.threshold - 1) % this.threshold]!;
      if (newest < from) this.keys.delete(key);
    }
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
