// The job-queue interface the server's workers use, with two
// implementations: in-process (the SQLite default, in-process-queue.ts) and
// pg-boss 10 on PostgreSQL (pg-boss-queue.ts), shared by several worker
// processes. Both pass the same conformance suite (queue.test.ts).

export interface JobInfo {
  id: string;
  /** 0 on the first try. */
  retryCount: number;
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

export interface QueueOptions {
  /** Retries after the first failure. */
  retryLimit: number;
  /** Seconds before the first retry (doubled each time). */
  retryDelaySeconds: number;
  /** A job active longer than this is considered lost (its worker died) and retried. */
  expireInSeconds: number;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'pg-boss';
  start(): Promise<void>;
  /** Declares a queue with its retry policy; idempotent. */
  createQueue(name: string, opts: QueueOptions): Promise<void>;
  send<T extends object>(name: string, data: T): Promise<string>;
  /** Runs up to `concurrency` jobs of the queue at once in this process. */
  work<T extends object>(name: string, handler: JobHandler<T>, concurrency?: number): Promise<void>;
  /** Jobs waiting or running (for metrics and tests). */
  size(name: string): Promise<number>;
  stop(): Promise<void>;
}
