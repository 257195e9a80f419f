// Two `vigil server` processes started at the same moment on one SQLite
// file (e.g. a restart overlapping the old process): the first-run
// bootstrap takes SQLite's write lock before it looks for the admin, so both
// come up and there is one admin and one default project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { startReplica, type Replica } from './replica-helpers.js';

test('sqlite: two processes started at once on an empty data dir both come up; one admin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-start-'));
  const env = { VIGIL_DATA_DIR: dir, VIGIL_SECRET_KEY: randomBytes(32).toString('hex'), VIGIL_ADMIN_PASSWORD: 'ochre-lantern-47' };
  const procs: Replica[] = [];
  try {
    procs.push(startReplica('all', env), startReplica('all', env));
    const urls = await Promise.all(procs.map((p) => p.ready));
    for (const u of urls) assert.equal((await fetch(`${u}/healthz`)).status, 200);
    const db = new Database(join(dir, 'vigil.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('select username from users').all(), [{ username: 'admin' }]);
      assert.deepEqual(db.prepare('select name from projects').all(), [{ name: 'default' }]);
    } finally {
      db.close();
    }
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
});
