// The in-process job queue (SQLite deployments): jobs live in memory, run
// with bounded concurrency, and failed jobs are retried with exponential
// backoff through an injected delay. Durability comes from the caller: scan
// jobs are rows in the store and are re-enqueued on start (scan-service.ts).
import { randomUUID } from 'node:crypto';
import type { JobHandler, JobQueue, QueueOptions } from './queue.js';

interface Pending {
  id: string;
  data: object;
  retryCount: number;
}

interface QueueState {
  opts: QueueOptions;
  pending: Pending[];
  running: number;
  /** Retries waiting for their delay. */
  delayed: number;
  handler?: JobHandler<any>;
  concurrency: number;
}

export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, QueueState>();
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly delay: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms).unref())) {}

  async start(): Promise<void> {}

  async createQueue(name: string, opts: QueueOptions): Promise<void> {
    const q = this.queues.get(name);
    if (q) q.opts = opts;
    else this.queues.set(name, { opts, pending: [], running: 0, delayed: 0, concurrency: 1 });
  }

  private q(name: string): QueueState {
    const q = this.queues.get(name);
    if (!q) throw new Error(`queue ${name} was not created`);
    return q;
  }

  async send<T extends object>(name: string, data: T): Promise<string> {
    const id = randomUUID();
    this.q(name).pending.push({ id, data, retryCount: 0 });
    this.pump(name);
    return id;
  }

  async work<T extends object>(name: string, handler: JobHandler<T>, concurrency = 1): Promise<void> {
    const q = this.q(name);
    q.handler = handler as JobHandler<any>;
    q.concurrency = Math.max(1, concurrency);
    this.pump(name);
  }

  async size(name: string): Promise<number> {
    const q = this.q(name);
    return q.pending.length + q.running + q.delayed;
  }

  private pump(name: string): void {
    const q = this.q(name);
    while (!this.stopped && q.handler && q.running < q.concurrency && q.pending.length) {
      const job = q.pending.shift()!;
      q.running++;
      void q
        .handler(job.data, { id: job.id, retryCount: job.retryCount })
        .then(
          () => undefined,
          async () => {
            if (job.retryCount < q.opts.retryLimit && !this.stopped) {
              q.delayed++;
              q.running--;
              await this.delay(q.opts.retryDelaySeconds * 1000 * 2 ** job.retryCount);
              q.delayed--;
              q.pending.push({ ...job, retryCount: job.retryCount + 1 });
              q.running++;
            }
          },
        )
        .finally(() => {
          q.running--;
          this.pump(name);
          this.checkIdle();
        });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    for (const q of this.queues.values()) if (q.running || q.delayed || (q.pending.length && q.handler)) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when no job is waiting, delayed or running. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const q of this.queues.values()) q.pending.length = 0;
    while ([...this.queues.values()].some((q) => q.running)) await new Promise((r) => setTimeout(r, 10));
  }
}
