// `vigil server` as a user starts it: one command on a fresh data dir starts
// on SQLite, prints the URL and the one-time admin password; health and docs
// are public, everything else answers 401 to anonymous callers; config
// precedence flags > env > YAML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/node/server/config.js';
import { InputError } from '../../../src/core/errors.js';
import { root, startCliServer } from './cli-server.test-helpers.js';
import { withTempDir } from '../../helpers/temp-dir.js';

test('one command starts the server; anonymous gets 401 except health, login and docs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-server-'));
  const env = { ...process.env };
  delete env.VIGIL_ADMIN_PASSWORD;
  const server = startCliServer(['--port', '0', '--data-dir', dir], env);
  try {
    await server.waitFor(/listening on (\S+)/);
    const out = server.out();
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    assert.ok(url, out);
    const password = /one-time password (\S+)/.exec(out)?.[1];
    assert.ok(password, out);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/api/docs/json`)).status, 200);
    assert.equal((await fetch(`${url}/api/docs/static/index.html`)).status, 200);
    for (const p of ['/api/v1/projects', '/api/v1/alerts', '/metrics', '/api/v1/audit', '/api/v1/users'])
      assert.equal((await fetch(`${url}${p}`)).status, 401, p);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    const projects = await fetch(`${url}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await projects.json()) as { items: unknown[] }).items.length, 1);
    // a second server on the same port: exit 2, one line
    const port = new URL(url).port;
    const second = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', '--port', port, '--data-dir', dir], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /cannot listen: EADDRINUSE/);
    // the generated secret key is private to the owner
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o077, 0);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil server --demo: demo project with the demo image scanned, URL and admin login printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-server-'));
  const image = join(dir, 'demo-image.tar');
  assert.equal(spawnSync(process.execPath, [join(root, 'scripts', 'build-demo-image.mjs'), image]).status, 0);
  const server = startCliServer(['--demo', '--demo-image', image, '--port', '0', '--data-dir', join(dir, 'data')], {
    ...process.env,
    VIGIL_ADMIN_PASSWORD: 'demo-password-1',
  });
  try {
    // The demo scan (all scanners) may take up to its own 3-minute deadline on a loaded machine.
    await server.waitFor(/log in/, 180_000);
    const out = server.out();
    assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /demo project "default": docker-archive:.*demo-image\.tar scanned: \d+ packages/);
    assert.match(out, /as admin \/ demo-password-1/);
    assert.match(out, /console at http:\/\/127\.0\.0\.1:\d+\/ : log in as admin/);
    assert.match(out, /demo data added/);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config precedence: flags > env > YAML; bad values name their source', () => {
  withTempDir('vigil-cfg-', (dir) => {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'port: 9000\nrole: api\nmetricsPublic: true\nrescanCron: "0 4 * * *"\n');
    const c = loadConfig({ config: file, port: '9100' }, { VIGIL_PORT: '9050', VIGIL_ROLE: 'all' });
    assert.equal(c.port, 9100);
    assert.equal(c.role, 'all');
    assert.equal(c.metricsPublic, true);
    assert.equal(c.rescanCron, '0 4 * * *');
    assert.equal(loadConfig({ config: file }, { VIGIL_PORT: '9050' }).port, 9050);
    writeFileSync(file, 'prot: 1\n');
    assert.throws(
      () => loadConfig({ config: file }, {}),
      (e: unknown) => e instanceof InputError && /unknown setting "prot"/.test(e.message),
    );
    writeFileSync(file, ': : [\n');
    assert.throws(() => loadConfig({ config: file }, {}), InputError);
    assert.throws(
      () => loadConfig({}, { VIGIL_PORT: 'eighty' }),
      (e: unknown) => e instanceof InputError && /VIGIL_PORT/.test(e.message),
    );
    assert.throws(() => loadConfig({ role: 'boss' }, {}), InputError);
  });
});
