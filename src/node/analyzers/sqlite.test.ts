import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/errors.js';
import { openSqlite } from './sqlite.js';
import { nodeAnalyzerContext } from './context.js';

const fixture = fileURLToPath(new URL('../../core/analyzers/testdata/rpm/sqlite/rpmdb.sqlite', import.meta.url));

test("opens a WAL-mode database (as rpm writes it) from its bytes, read-only, without changing the caller's buffer", () => {
  const bytes = readFileSync(fixture);
  assert.equal(bytes[18], 2, 'the fixture is in WAL mode');
  const before = Buffer.from(bytes);
  const db = nodeAnalyzerContext().openSqlite!(bytes);
  const rows = db.all<{ n: number }>('SELECT count(*) AS n FROM Packages WHERE hnum > ?', 0);
  assert.equal(rows[0]!.n, 5);
  assert.throws(
    () => db.all('DELETE FROM Packages RETURNING hnum'),
    (e: unknown) => e instanceof InputError && /readonly/i.test(e.message),
  );
  db.close();
  assert.ok(bytes.equals(before));
});

test('garbage, truncation and size limit are InputErrors', () => {
  assert.throws(
    () => openSqlite(Buffer.from('not a database')),
    (e: unknown) => e instanceof InputError && e.code === 'SQLITE_NOT_DATABASE',
  );
  const truncated = readFileSync(fixture).subarray(0, 4096 * 3);
  assert.throws(
    () => {
      const db = openSqlite(truncated);
      db.all('SELECT * FROM Packages');
    },
    (e: unknown) => e instanceof InputError && e.code === 'SQLITE_CORRUPT',
  );
  assert.throws(
    () => openSqlite(readFileSync(fixture), { maxBytes: 1000 }),
    (e: unknown) => e instanceof InputError && e.code === 'LIMIT_SQLITE_SIZE',
  );
});
