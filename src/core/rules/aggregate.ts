// Aggregation windows (`aggregate: {by, window, threshold}`), driven by event
// time: per key, the times of the last `threshold` matches; when they span
// no more than the window, the rule fires once and the key starts over.
// Memory is bounded: at most maxKeys keys per rule, expired keys evicted by
// flush(now) and, when full, oldest-first.

export class AggregateWindow {
  /** Per key: the last `threshold` match times (grown on demand, then a ring) and the ring's next slot. */
  private readonly keys = new Map<string, { times: number[]; next: number }>();
  constructor(readonly windowMs: number, readonly threshold: number, readonly maxKeys = 50_000) {}

  /** Record a match at `time`; returns the number of matches in the window when the threshold is reached, else 0. */
  hit(key: string, time: number): number {
    let k = this.keys.get(key);
    if (!k) {
      if (this.keys.size >= this.maxKeys) this.evict(time);
      k = { times: [], next: 0 };
      this.keys.set(key, k);
    }
    const t = k.times;
    if (t.length < this.threshold) {
      t.push(time);
      if (t.length < this.threshold) return 0;
      if (time - t[0]! > this.windowMs) return 0;
    } else {
      t[k.next] = time;
      k.next = k.next + 1 === this.threshold ? 0 : k.next + 1;
      // The oldest of the last `threshold` matches is now at `next`.
      if (time - t[k.next]! > this.windowMs) return 0;
    }
    this.keys.delete(key);
    return this.threshold;
  }

  /** Drop keys whose newest match is older than the window at `now`. */
  flush(now: number): void {
    const from = now - this.windowMs;
    for (const [key, k] of this.keys) {
      const n = k.times.length;
      const newest = n < this.threshold ? k.times[n - 1]! : k.times[(k.next + n - 1) % n]!;
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
