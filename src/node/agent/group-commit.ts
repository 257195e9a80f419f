// Group commit of the agent link: alert batches that arrive while a commit
// runs wait and go into the next commit together (one transaction per
// project for all of them). At low load a batch is committed at once; under
// load commits grow instead of queueing one transaction per message, so the
// commit rate, not the message rate, bounds the link.
//
// `minIntervalMs` spaces commits: one starts at least that long after the
// previous one started, and the wait is a timer, so the event loop reads
// the sockets meanwhile. Without it a synchronous store (better-sqlite3,
// whose whole transaction runs without yielding to I/O) sees one message per
// commit: nothing arrives while it commits. An item after a quiet spell
// still commits at once.
interface Pending<T, R> {
  key: string;
  item: T;
  size: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T, R> {
  private pending: Array<Pending<T, R>> = [];
  private running = false;
  private lastStart = -Infinity;

  /** `commit` stores the items of one key in one transaction and answers each, in order. */
  constructor(
    private readonly commit: (key: string, items: T[]) => Promise<R[]>,
    private readonly maxPerCommit = 5000,
    private readonly minIntervalMs = 0,
  ) {}

  /** Resolves once the item is committed (rejects when its commit failed). */
  submit(key: string, item: T, size: number): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, item, size, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length) {
        if (this.minIntervalMs > 0) {
          const wait = this.lastStart + this.minIntervalMs - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          this.lastStart = performance.now();
        }
        let n = 0;
        let k = 0;
        while (k < this.pending.length && (k === 0 || n + this.pending[k]!.size <= this.maxPerCommit)) n += this.pending[k++]!.size;
        const byKey = new Map<string, Array<Pending<T, R>>>();
        for (const p of this.pending.splice(0, k)) (byKey.get(p.key) ?? byKey.set(p.key, []).get(p.key)!).push(p);
        for (const [key, list] of byKey) {
          try {
            const r = await this.commit(
              key,
              list.map((p) => p.item),
            );
            list.forEach((p, i) => p.resolve(r[i]!));
          } catch (e) {
            for (const p of list) p.reject(e);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
