// The PostgreSQL job queue: pg-boss 10 (Node 20). Several `vigil server
// --role worker` processes share it; a job whose worker dies stays active
// until `expireInSeconds`, then pg-boss's maintenance fails it and retries it
// on whichever worker fetches it next.
import PgBoss from 'pg-boss';
import type { JobHandler, JobQueue, QueueOptions } from './queue.js';

export interface PgBossQueueOptions {
  connectionString: string;
  /** pg-boss's own schema (default `pgboss`). */
  schema?: string;
  /** How often idle workers poll (default 2 s; tests use less). */
  pollingIntervalSeconds?: number;
  /** How often expired jobs are looked for (default 60 s; tests use 1). */
  maintenanceIntervalSeconds?: number;
}

export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly polling: number;

  constructor(opts: PgBossQueueOptions) {
    this.polling = opts.pollingIntervalSeconds ?? 2;
    this.boss = new PgBoss({
      connectionString: opts.connectionString,
      schema: opts.schema ?? 'pgboss',
      maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
      monitorStateIntervalSeconds: 60,
      max: 4,
    });
    // pg-boss emits errors of its background loops; they must not crash the server.
    this.boss.on('error', (e) => {
      this.lastError = e;
    });
  }

  lastError: unknown;

  async start(): Promise<void> {
    await this.boss.start();
  }

  async createQueue(name: string, opts: QueueOptions): Promise<void> {
    const spec = {
      name,
      retryLimit: opts.retryLimit,
      retryDelay: opts.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: Math.max(1, opts.expireInSeconds),
    };
    const existing = await this.boss.getQueue(name);
    if (existing) await this.boss.updateQueue(name, spec);
    else {
      try {
        await this.boss.createQueue(name, spec);
      } catch (e) {
        // another process created it between our check and create
        if (!(await this.boss.getQueue(name))) throw e;
      }
    }
  }

  async send<T extends object>(name: string, data: T): Promise<string> {
    const id = await this.boss.send(name, data);
    if (!id) throw new Error(`pg-boss refused job on ${name}`);
    return id;
  }

  async work<T extends object>(name: string, handler: JobHandler<T>, concurrency = 1): Promise<void> {
    // pg-boss 10: each work() call is one polling loop fetching one job at a time.
    for (let i = 0; i < Math.max(1, concurrency); i++) {
      await this.boss.work<T>(name, { batchSize: 1, pollingIntervalSeconds: this.polling, includeMetadata: true }, async (jobs) => {
        for (const j of jobs) await handler(j.data, { id: j.id, retryCount: (j as unknown as { retryCount?: number }).retryCount ?? 0 });
      });
    }
  }

  async size(name: string): Promise<number> {
    return this.boss.getQueueSize(name);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true });
  }
}
