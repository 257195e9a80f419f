// Rate limit counters in the shared PostgreSQL database, so a limit holds
// across API replicas (a client cannot get N times the login attempts by
// being balanced over N replicas). A store for @fastify/rate-limit: one row
// per limit and client key, a fixed window counted with one upsert (the
// window restarts when it has ended), on the database's clock so replicas
// with skewed clocks share windows. Ended windows are deleted now and then.
// On SQLite (one process) the plugin's in-memory store is used.
import { sql } from 'kysely';
import type { Db } from '../store/store.js';

type IncrCallback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** How often (ms) a process deletes ended windows. */
const SWEEP_MS = 60_000;

export interface SharedRateLimitStore {
  incr(key: string, cb: IncrCallback, timeWindow: number, max: number): void;
  child(routeOptions: { routeInfo?: { method?: string | string[]; url?: string } }): SharedRateLimitStore;
}

/** One window increment: returns the count in the current window and the ms left in it. */
export async function incrementWindow(db: Db, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const now = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
  const r = await sql<{ count: number; window_end: string; now_ms: string }>`
    insert into rate_limits as r (key, window_start, window_end, count)
    values (${key}, ${now}, ${now} + ${windowMs}, 1)
    on conflict (key) do update set
      count = case when r.window_end <= ${now} then 1 else r.count + 1 end,
      window_start = case when r.window_end <= ${now} then ${now} else r.window_start end,
      window_end = case when r.window_end <= ${now} then ${now} + ${windowMs} else r.window_end end
    returning count, window_end, ${now} as now_ms`.execute(db);
  const row = r.rows[0]!;
  return { current: Number(row.count), ttl: Math.max(0, Number(row.window_end) - Number(row.now_ms)) };
}

/** The store class the plugin instantiates (`store` option), bound to the shared database. */
export function sharedRateLimitStore(db: Db, onError?: (e: unknown) => void): new () => SharedRateLimitStore {
  let lastSweep = 0;
  const sweep = () => {
    const t = Date.now();
    if (t - lastSweep < SWEEP_MS) return;
    lastSweep = t;
    void sql`delete from rate_limits where window_end < (extract(epoch from clock_timestamp()) * 1000)::bigint`.execute(db).catch((e) => onError?.(e));
  };
  class Store implements SharedRateLimitStore {
    constructor(private readonly prefix = 'api') {}

    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      sweep();
      incrementWindow(db, `${this.prefix}|${key}`.slice(0, 500), timeWindow).then(
        (res) => cb(null, res),
        (e: Error) => cb(e),
      );
    }

    child(routeOptions: { routeInfo?: { method?: string | string[]; url?: string } }): SharedRateLimitStore {
      const info = routeOptions.routeInfo ?? {};
      const method = Array.isArray(info.method) ? info.method.join(',') : (info.method ?? '');
      return new Store(info.url ? `${method} ${info.url}` : 'api');
    }
  }
  return class extends Store {
    constructor() {
      super('api');
    }
  };
}
