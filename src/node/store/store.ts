// Opening the store: a Kysely instance over better-sqlite3 (embedded default)
// or pg, migrated to the current schema. `sqlite:PATH` or `postgres://...`
// (an optional `?schema=NAME` puts every table in that PostgreSQL schema,
// which tests use to run in parallel on one database).
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { InputError } from '../../core/errors.js';
import type { Database } from './schema.js';
import { MIGRATIONS } from './migrations.js';
import { SAFETY_NET_PAGES, startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

export interface Store {
  db: Db;
  dialect: Dialect;
  /** The URL it was opened with (schema included for PostgreSQL). */
  url: string;
  /** PostgreSQL only: connection string without the schema parameter, and the schema. */
  pg?: { connectionString: string; schema: string };
  /**
   * SQLite only: the native connection Kysely uses. Hot paths (alert
   * ingest) run prepared statements on it inside a Kysely transaction, which
   * holds the connection, so they join that transaction.
   */
  sqlite?: BetterSqlite3.Database;
  /**
   * The audit chain's HMAC key (from the server's key file, never stored in
   * the database); appending to the trail needs it.
   */
  auditKey?: Buffer;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Pool size for PostgreSQL (default 10). */
  poolSize?: number;
  /** SQLite file only: checkpoint the WAL from a worker thread instead of inside commits (the server's store). */
  backgroundCheckpoints?: boolean;
}

// Keep integers as JS numbers: counts and sequences stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export function parseDbUrl(url: string): { dialect: Dialect; path?: string; connectionString?: string; schema?: string } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw new InputError('DB_URL', 'sqlite: needs a file path (sqlite:PATH or sqlite::memory:)', url);
    return { dialect: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new InputError('DB_URL', 'not a valid PostgreSQL URL', redact(url));
    }
    const schema = u.searchParams.get('schema') ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,50}$/i.test(schema)) throw new InputError('DB_URL', `bad schema name ${JSON.stringify(schema)}`, redact(url));
    u.searchParams.delete('schema');
    return { dialect: 'postgres', connectionString: u.toString(), schema };
  }
  throw new InputError('DB_URL', 'expected sqlite:PATH or postgres://...', redact(url));
}

/** A URL with the password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * Kysely's SQLite driver prepares every query anew; parsing and planning cost
 * about as much as running a 50-row list. The same SQL text reuses its
 * statement (an LRU of 500), unless that statement is mid-iteration.
 *
 * Its transactions begin IMMEDIATE (the write lock at BEGIN): the agent
 * link commits alerts on a second connection (agent/ingest-thread.ts), and
 * a deferred transaction that read before that commit and writes after it
 * would fail with SQLITE_BUSY (its snapshot is stale) instead of waiting.
 */
function withStatementCache(native: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; close(): void } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sqlText: string) {
      const text = sqlText === 'begin' ? 'begin immediate' : sqlText;
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = native.prepare(text);
      cache.set(text, stmt);
      if (cache.size > 500) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close: () => native.close(),
  };
}

/** chmod 0600 of the SQLite file and its WAL companions that exist (a file made by an older version too). */
function restrictMode(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError('DB_OPEN', `cannot restrict the mode of ${f}: ${(e as Error).message}`, path);
    }
  }
}

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const p = parseDbUrl(url);
  let store: Store;
  if (p.dialect === 'sqlite') {
    if (p.path !== ':memory:') mkdirSync(dirname(p.path!), { recursive: true });
    let native: BetterSqlite3.Database;
    try {
      native = new BetterSqlite3(p.path!);
    } catch (e) {
      throw new InputError('DB_OPEN', `cannot open SQLite database: ${(e as Error).message}`, p.path);
    }
    native.pragma('journal_mode = WAL');
    // The database holds password hashes, sealed secrets and the audit trail: owner only (also the -wal and -shm files).
    if (p.path !== ':memory:') restrictMode(p.path!);
    native.pragma('synchronous = NORMAL');
    native.pragma('foreign_keys = ON');
    native.pragma('busy_timeout = 5000');
    // 64 MiB page cache: the alert indexes of a large store stay in memory.
    native.pragma('cache_size = -65536');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
    let checkpointer: Checkpointer | undefined;
    if (opts.backgroundCheckpoints && p.path !== ':memory:') {
      native.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      checkpointer = startCheckpointer(p.path!);
    }
    store = {
      db,
      dialect: 'sqlite',
      url,
      sqlite: native,
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  } else {
    const schema = p.schema!;
    const pool = new pg.Pool({
      connectionString: p.connectionString,
      max: opts.poolSize ?? 10,
      options: `-c search_path=${schema}`,
    });
    // An idle-client error (server restart) must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
      // `create schema if not exists` is not safe against a concurrent twin: serialise it with the migrations' lock.
      if (schema !== 'public') {
        await db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${PG_LOCK_MIGRATE.toString()}::bigint)`.execute(trx);
          await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
        });
      }
    } catch (e) {
      await db.destroy();
      throw new InputError('DB_OPEN', `cannot connect to PostgreSQL: ${(e as Error).message}`, redact(url));
    }
    store = { db, dialect: 'postgres', url, pg: { connectionString: p.connectionString!, schema }, close: () => db.destroy() };
  }
  if (opts.migrate !== false) {
    try {
      await migrate(store);
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return store;
}

/** Lock key of migrations and of the audit chain (any fixed 64-bit numbers). */
export const PG_LOCK_MIGRATE = 0x7669_6769_6c00_01n;

export async function migrate(store: Store): Promise<string[]> {
  const applied: string[] = [];
  await store.db.transaction().execute(async (trx) => {
    // Several server processes may start at once on one PostgreSQL: one migrates.
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PG_LOCK_MIGRATE.toString()}::bigint)`.execute(trx);
    await trx.schema
      .createTable('vigil_migrations')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const rows = await (trx as unknown as Kysely<any>).selectFrom('vigil_migrations').select('id').execute();
    const done = new Set(rows.map((r: { id: string }) => r.id));
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      await m.up(trx as unknown as Kysely<any>, store.dialect);
      await (trx as unknown as Kysely<any>).insertInto('vigil_migrations').values({ id: m.id, applied_at: new Date().toISOString() }).execute();
      applied.push(m.id);
    }
  });
  return applied;
}

/** Runs fn in one transaction. */
export function inTx<T>(store: Store, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(fn);
}
