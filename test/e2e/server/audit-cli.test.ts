// `vigil audit checkpoint|verify` against a real server's data dir: the
// server signs a checkpoint on shutdown (database and data dir copy), the
// operator keeps one outside, and after every record and every stored
// checkpoint is deleted, verify with the kept file names the truncation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { root, startCliServer } from './cli-server.test-helpers.js';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, VIGIL_SECRET_KEY: '' },
  });

test('the server checkpoints on shutdown; verify with a kept checkpoint names deleted records', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-cli-'));
  try {
    const env = { ...process.env, VIGIL_ADMIN_PASSWORD: 'ochre-lantern-47', VIGIL_SECRET_KEY: '' };
    const server = startCliServer(['--port', '0', '--data-dir', dir], env);
    await server.waitFor(/listening on (\S+)/);
    const url = /listening on (http:\/\/\S+)/.exec(server.out())?.[1];
    assert.ok(url, server.out());
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'ochre-lantern-47' }),
    });
    assert.equal(login.status, 200);
    await server.stop();
    // key files private; the shutdown checkpoint is in the data dir
    assert.equal(statSync(join(dir, 'audit-signing.key')).mode & 0o077, 0);
    const copy = JSON.parse(readFileSync(join(dir, 'audit-checkpoint.json'), 'utf8'));
    assert.equal(copy.seq, 3); // addUser, addProject, login

    let v = cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /OK: 3 records.*signed checkpoint/);

    const kept = join(dir, '..', `${dir.split('/').pop()}-kept.json`);
    const c = cli(['audit', 'checkpoint', '--data-dir', dir, '-o', kept]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(JSON.parse(readFileSync(kept, 'utf8')).seq, 3);

    // everything deleted, the database's checkpoints and the data dir copy too
    const db = new BetterSqlite3(join(dir, 'vigil.db'));
    db.exec('delete from audit_log; delete from audit_checkpoints;');
    db.close();
    unlinkSync(join(dir, 'audit-checkpoint.json'));
    v = cli(['audit', 'verify', '--data-dir', dir]);
    assert.equal(v.status, 0);
    assert.match(v.stdout, /warning: no signed checkpoint/);
    v = cli(['audit', 'verify', '--data-dir', dir, '--checkpoint', kept]);
    assert.equal(v.status, 1, v.stdout + v.stderr);
    assert.match(v.stdout, /BROKEN at record 1 \(truncated\)/);

    // a broken checkpoint file: one line naming it, exit 2
    writeFileSync(kept, '{"version":1,"seq":"x"}');
    v = cli(['audit', 'verify', '--data-dir', dir, '--checkpoint', kept]);
    assert.equal(v.status, 2);
    assert.match(v.stderr, /kept\.json/);
    assert.equal(v.stderr.trim().split('\n').length, 1, v.stderr);
    rmSync(kept);
    // no key files: a clear error, no new key created
    const empty = mkdtempSync(join(tmpdir(), 'vigil-audit-nokey-'));
    v = cli(['audit', 'verify', '--data-dir', empty, '--db', `sqlite:${join(dir, 'vigil.db')}`]);
    assert.equal(v.status, 2);
    assert.match(v.stderr, /audit key file missing/);
    assert.equal(existsSync(join(empty, 'audit-signing.key')), false);
    rmSync(empty, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
