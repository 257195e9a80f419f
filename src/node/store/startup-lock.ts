// Start-up of several replicas at once: the steps that create shared state
// on first start (the pg-boss schema and queues, the first admin user, the
// default project) run under one PostgreSQL session advisory lock, so
// replicas started at the same moment do them one after the other and each
// finds the previous one's work done. On SQLite the bootstrap transaction
// itself takes the single write lock first (see bootstrap.ts); the queue is
// in-process there.
import pg from 'pg';
import type { Store } from './store.js';

/** Lock key of start-up (any fixed 64-bit number, distinct from the migration and audit keys). */
export const PG_LOCK_STARTUP = '8531190335541231618';

export async function withStartupLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return fn();
  // A session lock on its own connection: fn uses other connections (the
  // store's pool, pg-boss's pool) and must not run inside one transaction.
  const client = new pg.Client({ connectionString: store.pg!.connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [PG_LOCK_STARTUP]);
    try {
      return await fn();
    } finally {
      await client.query('select pg_advisory_unlock($1::bigint)', [PG_LOCK_STARTUP]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
