// Aggregation windows (`aggregate: {by, window, threshold}`), driven by event
// time: per key, the times of the last `threshold` matches; when they span
// no more than the window, the rule fires once. The key then stays in a
// burst: further matches are counted, not raised, until the window passes
// with no match (one open_by_handle_at burst is one alert, not one per
// `threshold` calls); the next match after that quiet gap starts over.
// Memory is bounded: at most maxKeys keys per rule, expired keys evicted by
// flush(now) and, when full, oldest-first.

interface KeyState {
  /** The last `threshold` match times (grown on demand, then a ring) and the ring's next slot. */
  times: number[];
  next: number;
  /** Set once the key fired: its time, the last match's time and the matches since (the firing ones included). */
  burst?: { from: number; last: number; count: number };
}

/** A burst a key is in (after it fired). */
export interface Burst {
  from: number;
  last: number;
  count: number;
}

export class AggregateWindow {
  private readonly keys = new Map<string, KeyState>();
  constructor(
    readonly windowMs: number,
    readonly threshold: number,
    readonly maxKeys = 50_000,
  ) {}

  /** Record a match at `time`; returns the number of matches in the window when the threshold is reached, else 0 (also while the key's burst goes on). */
  hit(key: string, time: number): number {
    let k = this.keys.get(key);
    if (k?.burst) {
      if (time - k.burst.last <= this.windowMs) {
        k.burst.last = Math.max(k.burst.last, time);
        k.burst.count++;
        return 0;
      }
      this.keys.delete(key);
      k = undefined;
    }
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
    const first = t.length < this.threshold ? t[0]! : t[k.next]!;
    k.times = [];
    k.next = 0;
    k.burst = { from: first, last: time, count: this.threshold };
    return this.threshold;
  }

  /** The burst `key` is in, if it fired and the burst has not ended. */
  burst(key: string): Burst | undefined {
    const b = this.keys.get(key)?.burst;
    return b ? { ...b } : undefined;
  }

  /** Drop keys whose newest match is older than the window at `now` (a burst whose quiet gap passed ends). */
  flush(now: number): void {
    const from = now - this.windowMs;
    for (const [key, k] of this.keys) if (newest(k, this.threshold) < from) this.keys.delete(key);
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

function newest(k: KeyState, threshold: number): number {
  if (k.burst) return k.burst.last;
  const n = k.times.length;
  if (n === 0) return -Infinity;
  return n < threshold ? k.times[n - 1]! : k.times[(k.next + n - 1) % n]!;
}
