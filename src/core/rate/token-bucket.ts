// A token bucket (pure: the caller passes the time): `rate` tokens a second
// up to `burst`. The agent link's per-node ingest limit (docs/agent.md):
// a batch of n alerts takes n tokens; short of them it may go into debt for
// up to `maxWaitMs` (the work waits that long: acknowledgements are delayed),
// beyond that it is refused with the time after which it would fit.

export type Take = { ok: true; waitMs: number } | { ok: false; retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(rate > 0) || !(burst > 0)) throw new RangeError('token bucket: rate and burst must be positive');
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }

  /** Tokens available now (negative while in debt). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  take(n: number, now: number, maxWaitMs: number): Take {
    this.refill(now);
    const after = this.tokens - n;
    if (after >= 0) {
      this.tokens = after;
      return { ok: true, waitMs: 0 };
    }
    const waitMs = Math.ceil((-after * 1000) / this.rate);
    if (waitMs <= maxWaitMs) {
      this.tokens = after;
      return { ok: true, waitMs };
    }
    // Refused: nothing taken; it fits once the debt and this batch are paid (a batch larger than the burst never fits whole).
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(((Math.min(n, this.burst) - this.tokens) * 1000) / this.rate)) };
  }
}
