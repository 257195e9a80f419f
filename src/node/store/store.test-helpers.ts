// Test helper: opens a fresh store of each kind. SQLite in a temp dir;
// PostgreSQL (VIGIL_TEST_PG_URL, default the local CI database) in a random
// schema dropped afterwards, so test files run in parallel on one database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from './store.js';

export const TEST_PG_URL = process.env.VIGIL_TEST_PG_URL || 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';

export interface TestStore {
  store: Store;
  /** The --db URL another process can open. */
  url: string;
  /** PostgreSQL only: a schema name for pg-boss next to the store's. */
  bossSchema?: string;
  cleanup(): Promise<void>;
}

export const STORE_KINDS = ['sqlite', 'postgres'] as const;

export async function openTestStore(kind: 'sqlite' | 'postgres'): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const url = `sqlite:${join(dir, 'vigil.db')}`;
    const store = await openStore(url);
    store.auditKey = randomBytes(32);
    return {
      store,
      url,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pgs = freshPgSchema('t');
  const store = await openStore(pgs.url);
  store.auditKey = randomBytes(32);
  return {
    store,
    url: pgs.url,
    bossSchema: `${pgs.schema}_boss`,
    cleanup: async () => {
      await store.close();
      await pgs.drop();
    },
  };
}

export interface PgSchema {
  /** The test database's URL naming the schema. */
  url: string;
  schema: string;
  /** Drops the schema and pg-boss's `<schema>_boss` beside it. */
  drop(): Promise<void>;
}

/** A random schema name on the test database (created by whoever opens the URL first). */
export function freshPgSchema(prefix: string): PgSchema {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const sep = TEST_PG_URL.includes('?') ? '&' : '?';
  return {
    url: `${TEST_PG_URL}${sep}schema=${schema}`,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
        await c.query(`drop schema if exists ${schema}_boss cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
