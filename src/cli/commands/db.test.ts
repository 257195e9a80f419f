// `vigil db` through the real CLI entry point: exit codes and output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = new URL('../main.ts', import.meta.url).pathname;
const demo = new URL('../../../demo/advisories', import.meta.url).pathname;
const vigil = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('vigil db import / info, and the errors users see', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dbcli-'));
  try {
    const db = join(dir, 'vigil.db');
    let r = vigil(['db', 'info', '--db', db]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^vigil: .*vigil\.db: vulnerability DB not found; run `vigil db update`.*`vigil db import PATH`/);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');

    r = vigil(['db', 'import', demo], { VIGIL_DB: db });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 6 advisories, 5 CVE enrichments/);

    r = vigil(['db', 'info', '--db', db, '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.schemaVersion, 1);
    assert.deepEqual(
      info.sources.map((s: { name: string }) => s.name),
      ['debian', 'ghsa', 'nvd'],
    );
    assert.match(info.contentDigest, /^[0-9a-f]{64}$/, 'the build records a content digest');
    r = vigil(['db', 'info', '--db', db]);
    assert.match(r.stdout, /Schema version\s+1/);
    assert.match(r.stdout, new RegExp(`Content digest\\s+${info.contentDigest}`));
    // The same files imported into another DB: the same content digest.
    const other = join(dir, 'other.db');
    assert.equal(vigil(['db', 'import', '--db', other, demo]).status, 0);
    assert.equal(JSON.parse(vigil(['db', 'info', '--db', other, '--format', 'json']).stdout).contentDigest, info.contentDigest);

    writeFileSync(join(dir, 'bad.json'), '{"id": "X", "affected": 7}');
    r = vigil(['db', 'import', '--db', db, join(dir, 'bad.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.json \(X\): "affected" is not an array/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vigil db update refuses a loopback feed URL unless --outbound-allow (or VIGIL_OUTBOUND_ALLOW) lists it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dbcli-'));
  try {
    const args = ['db', 'update', '--db', join(dir, 'vigil.db'), '--sources', 'debian', '--debian-tracker-url', 'http://127.0.0.1:9/tracker.json'];
    let r = vigil(args, { VIGIL_OUTBOUND_ALLOW: '' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr.split('\n').slice(-2).join('\n'),
      'vigil: http://127.0.0.1:9/tracker.json: connection to 127.0.0.1 refused: loopback address; allow it with --outbound-allow or VIGIL_OUTBOUND_ALLOW\n',
    );
    // allowlisted, the connection is attempted (port 9, discard: nothing listens there)
    for (const [extra, env] of [
      [['--outbound-allow', '127.0.0.1'], {}],
      [[], { VIGIL_OUTBOUND_ALLOW: '127.0.0.0/8' }],
    ] as const) {
      r = vigil([...args, ...extra], env);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /\nvigil: http:\/\/127\.0\.0\.1:9\/tracker\.json: download failed \(ECONNREFUSED\)\n$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
