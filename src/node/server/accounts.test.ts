// Sessions, API tokens and administrators (issue 17, finding 5 and the
// account items of 7): tokens end with a password change, a disable and a
// delete and do not come back on re-enable; the last administrator cannot be
// disabled, deleted or demoted; `vigil server reset-admin` recovers access
// from the host; passwords follow NIST SP 800-63B; every role may log out
// and create API tokens that carry no more than its own permissions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_PASSWORD, startTestServer, USER_PASSWORD, type TestServer } from './server.test-helpers.js';
import { resetAdmin } from './reset-admin.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('accounts', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite', {}, { workers: 0 });
  });
  after(() => s.cleanup());

  const apiToken = async (token: string) => {
    const r = await s.call('POST', '/api/v1/tokens', token, { name: 'automation' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.token as string;
  };
  const alive = async (token: string) => (await s.call('GET', '/api/v1/auth/me', token)).status === 200;

  test('a password change, a disable and a delete end sessions and API tokens; re-enabling brings none back', async () => {
    const u = await s.user('ops', 'FullAccess', null);
    const api = await apiToken(u.token);
    assert.ok((await alive(u.token)) && (await alive(api)));
    assert.equal((await s.call('PATCH', `/api/v1/users/${u.id}`, s.adminToken, { password: 'a-new-long-secret' })).status, 200);
    assert.deepEqual([await alive(u.token), await alive(api)], [false, false]);

    const session = await s.login('ops', 'a-new-long-secret');
    const api2 = await apiToken(session);
    assert.equal((await s.call('PATCH', `/api/v1/users/${u.id}`, s.adminToken, { disabled: true })).status, 200);
    assert.equal((await s.call('PATCH', `/api/v1/users/${u.id}`, s.adminToken, { disabled: false })).status, 200);
    assert.deepEqual([await alive(session), await alive(api2)], [false, false]);

    const session3 = await s.login('ops', 'a-new-long-secret');
    const api3 = await apiToken(session3);
    assert.equal((await s.call('DELETE', `/api/v1/users/${u.id}`, s.adminToken)).status, 200);
    assert.deepEqual([await alive(session3), await alive(api3)], [false, false]);
    const live = await s.ctx.store.db.selectFrom('tokens').select('id').where('user_id', '=', u.id).where('revoked_at', 'is', null).execute();
    assert.deepEqual(live, []);
  });

  test('the last administrator cannot be disabled, deleted or demoted; with a second one, they can', async () => {
    const me = await s.call('GET', '/api/v1/auth/me', s.adminToken);
    const adminId = me.body.userId ?? me.body.id;
    const disable = await s.call('PATCH', `/api/v1/users/${adminId}`, s.adminToken, { disabled: true });
    assert.equal(disable.status, 409);
    assert.equal(disable.body.error, 'LAST_ADMINISTRATOR');
    const bindings = (await s.call('GET', `/api/v1/users/${adminId}/bindings`, s.adminToken)).body.items;
    const adminBinding = bindings.find((b: any) => b.role === 'Administrator' && b.projectId === null);
    const demote = await s.call('DELETE', `/api/v1/users/${adminId}/bindings/${adminBinding.id}`, s.adminToken);
    assert.equal(demote.status, 409);
    assert.ok(await alive(s.adminToken));

    // Someone granted user:delete and user:update on all projects (not an Administrator) cannot remove the last one either.
    const ops = await s.user('userops', 'Custom', null, ['user:delete', 'user:update', 'user:read']);
    assert.equal((await s.call('DELETE', `/api/v1/users/${adminId}`, ops.token)).status, 409);
    assert.equal((await s.call('PATCH', `/api/v1/users/${adminId}`, ops.token, { disabled: true })).status, 409);
    // A project-scoped Administrator does not count as one that can manage users.
    await s.user('padmin', 'Administrator', s.defaultProjectId);
    assert.equal((await s.call('PATCH', `/api/v1/users/${adminId}`, s.adminToken, { disabled: true })).status, 409);
    // With a second administrator on all projects, either can be disabled (and the other is then the last).
    const second = await s.user('admin2', 'Administrator', null);
    assert.equal((await s.call('PATCH', `/api/v1/users/${adminId}`, second.token, { disabled: true })).status, 200);
    assert.equal((await s.call('PATCH', `/api/v1/users/${second.id}`, second.token, { disabled: true })).status, 409);
    const b2 = (await s.call('GET', `/api/v1/users/${second.id}/bindings`, second.token)).body.items[0];
    assert.equal((await s.call('DELETE', `/api/v1/users/${second.id}/bindings/${b2.id}`, second.token)).status, 409);
    assert.equal((await s.call('PATCH', `/api/v1/users/${adminId}`, second.token, { disabled: false })).status, 200);
    s.adminToken = await s.login('admin', ADMIN_PASSWORD);
  });

  test('weak passwords are refused by the rules of NIST SP 800-63B, strong ones of any shape accepted', async () => {
    const admin2 = await s.login('admin2', USER_PASSWORD);
    for (const password of ['password', 'aaaaaaaa', 'Password1!', '12345678', 'qwertyuiop', 'vigil-admin-1', 'carol-rocks-99']) {
      const r = await s.call('POST', '/api/v1/users', admin2, { username: 'carol', password });
      assert.equal(r.status, 400, `${password}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'WEAK_PASSWORD', password);
    }
    assert.equal((await s.call('POST', '/api/v1/users', admin2, { username: 'carol', password: 'mauve kettle orbit' })).status, 201);
  });

  test('every role can log out; a read-only user creates a read-only API token', async () => {
    const custom = await s.user('viewer', 'Custom', s.defaultProjectId, ['image:read']);
    assert.equal((await s.call('POST', '/api/v1/auth/logout', custom.token)).status, 200);
    assert.equal(await alive(custom.token), false);

    const ro = await s.user('robot', 'ReadOnlyAccess', s.defaultProjectId);
    const token = await apiToken(ro.token);
    assert.equal((await s.call('GET', `/api/v1/projects/${s.defaultProjectId}/images`, token)).status, 200);
    const write = await s.call('POST', `/api/v1/projects/${s.defaultProjectId}/registries`, token, { name: 'x', url: 'https://example.com' });
    assert.equal(write.status, 403);
    assert.equal((await s.call('GET', '/api/v1/users', token)).status, 403);
    assert.equal((await s.call('GET', '/api/v1/tokens', token)).body.items.length, 1);
  });

  test('vigil server reset-admin recovers access from the host, audited, the chain intact', async () => {
    // Everyone locked out: the last administrator disabled in the database.
    await s.ctx.store.db.updateTable('users').set({ disabled: 1 }).execute();
    await assert.rejects(s.login('admin2', USER_PASSWORD));
    const r = await resetAdmin({ db: s.store.url, dataDir: s.dataDir, user: 'admin2' });
    assert.equal(r.created, false);
    const token = await s.login('admin2', r.generatedPassword!);
    assert.ok(await alive(token));
    assert.equal((await s.call('GET', '/api/v1/users', token)).status, 200);
    const trail = await s.call('GET', '/api/v1/audit?event=resetAdmin', token);
    assert.equal(trail.body.items.length, 1);
    assert.equal(trail.body.items[0].username, 'host');
    const verify = await s.call('GET', '/api/v1/audit/verify', token);
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    // A weak password given by the operator is refused with one line.
    await assert.rejects(resetAdmin({ db: s.store.url, dataDir: s.dataDir, password: 'password1' }), /commonly used/);
  });

  test('the CLI command creates a missing administrator and prints the password once', async () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', 'reset-admin', '--user', 'rescue', '--db', s.store.url, '--data-dir', s.dataDir],
      { cwd: root, encoding: 'utf8', env: { ...process.env, VIGIL_RESET_PASSWORD: '' } },
    );
    assert.equal(r.status, 0, r.stderr);
    const m = /created user rescue: enabled, Administrator on all projects, earlier tokens revoked; log in with the password (\S+) \(shown once\)/.exec(
      r.stdout,
    );
    assert.ok(m, r.stdout);
    assert.ok(await alive(await s.login('rescue', m[1]!)));
  });
});
