// The SQLite opener analyzers get as ctx.openSqlite (rpmdb.sqlite): opens a
// database from its bytes with better-sqlite3 (an in-memory, read-only
// deserialised copy; nothing touches the disk), bounded in size. Databases in
// WAL mode (rpm writes them so) cannot be deserialised as such: the copy's
// header is switched to the rollback journal format first. Errors become
// InputErrors: the bytes come from an image. better-sqlite3 (a native
// binding) is loaded on the first database opened, not by every scan.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { InputError, LimitError } from '../../core/errors.js';
import type { SqliteReader } from '../../core/analyzers/types.js';

export const DEFAULT_MAX_SQLITE_BYTES = 1024 * 1024 * 1024;
const MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

let sqlite: typeof Database | undefined;
const loadSqlite = (): typeof Database => (sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database);

export interface SqliteOpenOptions {
  maxBytes?: number;
}

export function openSqlite(bytes: Buffer, opts: SqliteOpenOptions = {}): SqliteReader {
  const max = opts.maxBytes ?? DEFAULT_MAX_SQLITE_BYTES;
  if (bytes.length > max) throw new LimitError('LIMIT_SQLITE_SIZE', `SQLite database of ${bytes.length} bytes exceeds ${max}`);
  if (bytes.length < 100 || !bytes.subarray(0, 16).equals(MAGIC)) throw new InputError('SQLITE_NOT_DATABASE', 'not a SQLite database (bad header)');
  const copy = Buffer.from(bytes);
  // Bytes 18/19: file format write/read versions, 2 = WAL. The WAL file itself is not part of the image's main file.
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database;
  try {
    db = new (loadSqlite())(copy, { readonly: true });
  } catch (e) {
    throw new InputError('SQLITE_CORRUPT', `cannot open SQLite database: ${(e as Error).message}`);
  }
  return {
    all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] {
      try {
        return db.prepare(sql).all(...params) as T[];
      } catch (e) {
        throw new InputError('SQLITE_CORRUPT', `SQLite query failed: ${(e as Error).message}`);
      }
    },
    close(): void {
      db.close();
    },
  };
}
