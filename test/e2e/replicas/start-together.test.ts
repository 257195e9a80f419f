// Several replicas started at the same moment on an empty PostgreSQL schema:
// every one comes up (migrations, the first admin user and the pg-boss
// queues are created once, under an advisory lock), and there is exactly one
// admin and one default project afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freshSchema, startReplica, json, type Replica } from './replica-helpers.js';
import { TEST_PG_URL } from '../../../src/node/store/store.test-helpers.js';

test('two API replicas and two workers started at once on an empty database all come up', async () => {
  const db = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replicas-'));
  const env = { VIGIL_SERVER_DB: db.url, VIGIL_SECRET_KEY: randomBytes(32).toString('hex'), VIGIL_DATA_DIR: dir, VIGIL_ADMIN_PASSWORD: 'admin-password-1' };
  const replicas: Replica[] = [];
  try {
    for (const role of ['api', 'api', 'worker', 'worker'] as const) replicas.push(startReplica(role, env));
    const ready = await Promise.all(replicas.map((r) => r.ready));
    for (const r of replicas.slice(0, 2)) assert.match(await r.ready, /^http:/);
    for (const url of ready.slice(0, 2)) {
      assert.equal((await json(`${url}/healthz`)).status, 200);
      const login = await json(`${url}/api/v1/auth/login`, { method: 'POST', body: { username: 'admin', password: 'admin-password-1' } });
      assert.equal(login.status, 200, JSON.stringify(login.body));
    }
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    try {
      const users = await c.query(`select username from ${db.schema}.users`);
      assert.deepEqual(users.rows.map((r) => r.username), ['admin']);
      const projects = await c.query(`select name from ${db.schema}.projects`);
      assert.deepEqual(projects.rows.map((r) => r.name), ['default']);
      const added = await c.query(`select event from ${db.schema}.audit_log where event in ('addUser', 'addProject') order by seq`);
      assert.deepEqual(added.rows.map((r) => r.event), ['addUser', 'addProject']);
    } finally {
      await c.end();
    }
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
