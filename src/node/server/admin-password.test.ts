// The first-start adminPassword passes the same password rules as every
// other password (NIST SP 800-63B, the common-password list): a weak one,
// from the config file, the environment or a flag, stops the server before
// it starts, with one line naming the setting and never the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { loadConfig } from './config.js';
import { bootstrap } from './bootstrap.js';
import { ADMIN_PASSWORD, startTestServer } from './server.test-helpers.js';

const root = new URL('../../../', import.meta.url).pathname;

test('a weak adminPassword is refused wherever it is set; the message names the setting, not the value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-adminpw-'));
  try {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'adminPassword: qwertyuiop\n');
    for (const [what, load, where, why] of [
      ['env', () => loadConfig({ dataDir: dir }, { VIGIL_ADMIN_PASSWORD: 'password1' }), 'env VIGIL_ADMIN_PASSWORD', 'commonly used'],
      ['flag', () => loadConfig({ dataDir: dir, adminPassword: 'admin-password-1' }, {}), '--adminPassword', 'user name'],
      ['file', () => loadConfig({ dataDir: dir, config: file }, {}), file, 'commonly used'],
      ['short', () => loadConfig({ dataDir: dir }, { VIGIL_ADMIN_PASSWORD: 'x7!k' }), 'env VIGIL_ADMIN_PASSWORD', 'at least 8'],
    ] as const) {
      assert.throws(
        load,
        (e: unknown) =>
          e instanceof InputError &&
          e.code === 'CONFIG' &&
          e.message.startsWith(`${where}: adminPassword is refused: `) &&
          e.message.includes(why) &&
          !/password1|admin-password-1|qwertyuiop|x7!k/.test(e.message.replace('adminPassword', '')),
        what,
      );
    }
    // the flag wins over the environment, and a good one passes
    assert.equal(loadConfig({ dataDir: dir, adminPassword: ADMIN_PASSWORD }, { VIGIL_ADMIN_PASSWORD: 'password1' }).adminPassword, ADMIN_PASSWORD);
    assert.equal(loadConfig({ dataDir: dir }, { VIGIL_ADMIN_PASSWORD: 'mauve kettle orbit' }).adminPassword, 'mauve kettle orbit');
    assert.equal(loadConfig({ dataDir: dir }, {}).adminPassword, undefined, 'none: a generated one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config built in code is checked at first start too: no admin is created with a weak password', async () => {
  const s = await startTestServer('sqlite', {}, { workers: 0 });
  try {
    await assert.rejects(
      bootstrap({ ...s.ctx, config: { ...s.ctx.config, adminPassword: 'letmein1' } }),
      /^InputError: adminPassword: adminPassword is refused: the password is on the list of commonly used passwords$/m,
    );
  } finally {
    await s.cleanup();
  }
});

test('vigil server with a weak VIGIL_ADMIN_PASSWORD does not start: exit 2, one line, nothing created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-adminpw-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'server', '--data-dir', join(dir, 'data'), '--port', '0'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, VIGIL_ADMIN_PASSWORD: 'Password1!', VIGIL_CONFIG: '' },
      timeout: 60_000,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, 'vigil: env VIGIL_ADMIN_PASSWORD: adminPassword is refused: the password is on the list of commonly used passwords\n');
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(dir), [], 'no data directory, no database');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
