/**
 * One value read from somewhere slow (a database table, a server), kept for a
 * TTL, read by one caller at a time: callers that come while a read is under
 * way share it instead of starting their own (a stampede of identical reads
 * holds the resource the next real work needs).
 *
 * `invalidate()` drops the value; a read that was under way when it was
 * called may predate the change, so its result is returned to its callers but
 * not kept. With `staleOnError`, a failed read answers the last value (if
 * any) instead of the error, for sources that may be briefly away.
 */
export interface CachedValueOptions<T> {
  load: () => Promise<T>;
  ttlMs: number;
  staleOnError?: boolean;
  now?: () => number;
}

export class CachedValue<T> {
  private held?: { at: number; value: T };
  private loading?: Promise<T>;
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly o: CachedValueOptions<T>) {
    this.now = o.now ?? Date.now;
  }

  get(): Promise<T> {
    const held = this.held;
    if (held && this.now() - held.at < this.o.ttlMs) return Promise.resolve(held.value);
    if (this.loading) return this.loading;
    const generation = this.generation;
    const done = (): void => {
      if (this.loading === p) this.loading = undefined;
    };
    const p: Promise<T> = this.o.load().then(
      (value) => {
        if (generation === this.generation) this.held = { at: this.now(), value };
        done();
        return value;
      },
      (e: unknown) => {
        done();
        if (this.o.staleOnError && this.held) return this.held.value;
        throw e;
      },
    );
    this.loading = p;
    return p;
  }

  invalidate(): void {
    this.held = undefined;
    this.loading = undefined;
    this.generation++;
  }
}
