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
//
// `concurrency` lets that many commits run at once (default 1). An
// asynchronous store (PostgreSQL) spends most of a commit waiting for round
// trips; with 2 the next commit's first statements overlap the previous
// one's tail instead of queueing behind it. The writers order their locks
// (alert-groups.ts) so that overlapping commits wait, never deadlock.
//
// `timing` is told, per item, how long it waited for its commit to start,
// and per commit how long it took (the server's metrics: link-server.ts).
interface Pending<T, R> {
  key: string;
  item: T;
  size: number;
  /** performance.now() at submit. */
  at: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitTiming {
  /** An item's wait from submit to the start of its commit (ms), and its size. */
  waited(ms: number, size: number): void;
  /** A commit's duration (ms) and the total size of its items. */
  committed(ms: number, size: number): void;
}

export class GroupCommit<T, R> {
  private pending: Array<Pending<T, R>> = [];
  private running = 0;
  private waiting: NodeJS.Timeout | undefined;
  private lastStart = -Infinity;

  /** `commit` stores the items of one key in one transaction and answers each, in order. */
  constructor(
    private readonly commit: (key: string, items: T[]) => Promise<R[]>,
    private readonly maxPerCommit = 5000,
    private readonly minIntervalMs = 0,
    private readonly concurrency = 1,
    private readonly timing?: GroupCommitTiming,
  ) {}

  /** Resolves once the item is committed (rejects when its commit failed). */
  submit(key: string, item: T, size: number): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, item, size, at: performance.now(), resolve, reject });
      this.pump();
    });
  }

  /** Starts commits while items wait and a slot is free, each at least minIntervalMs after the previous start. */
  private pump(): void {
    while (this.pending.length && this.running < this.concurrency && !this.waiting) {
      const wait = this.lastStart + this.minIntervalMs - performance.now();
      if (this.minIntervalMs > 0 && wait > 0) {
        this.waiting = setTimeout(() => {
          this.waiting = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.lastStart = performance.now();
      let n = 0;
      let k = 0;
      while (k < this.pending.length && (k === 0 || n + this.pending[k]!.size <= this.maxPerCommit)) n += this.pending[k++]!.size;
      const taken = this.pending.splice(0, k);
      this.running++;
      void this.run(taken).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(taken: Array<Pending<T, R>>): Promise<void> {
    const byKey = new Map<string, Array<Pending<T, R>>>();
    for (const p of taken) (byKey.get(p.key) ?? byKey.set(p.key, []).get(p.key)!).push(p);
    for (const [key, list] of byKey) {
      const start = performance.now();
      if (this.timing) for (const p of list) this.timing.waited(start - p.at, p.size);
      try {
        const r = await this.commit(
          key,
          list.map((p) => p.item),
        );
        this.timing?.committed(
          performance.now() - start,
          list.reduce((n, p) => n + p.size, 0),
        );
        list.forEach((p, i) => p.resolve(r[i]!));
      } catch (e) {
        for (const p of list) p.reject(e);
      }
    }
  }
}
