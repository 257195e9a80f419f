import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox, loadSecretKey, parseKey } from './secret-box.js';
import { InputError } from '../../core/errors.js';

test('AES-256-GCM round trip; tampered, truncated or foreign ciphertexts are input errors', () => {
  const box = new SecretBox(Buffer.alloc(32, 3));
  const sealed = box.seal('hunter2');
  assert.match(sealed, /^v1:/);
  assert.notEqual(box.seal('hunter2'), sealed, 'random IV');
  assert.equal(box.open(sealed), 'hunter2');
  assert.equal(box.open(box.seal('')), '');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  raw[raw.length - 1]! ^= 1;
  assert.throws(
    () => box.open(`v1:${raw.toString('base64')}`),
    (e: unknown) => e instanceof InputError && e.code === 'SECRET_KEY_MISMATCH',
  );
  assert.throws(
    () => box.open('v1:AAAA'),
    (e: unknown) => e instanceof InputError && e.code === 'SECRET_FORMAT',
  );
  assert.throws(() => box.open('plain'), InputError);
  assert.throws(() => new SecretBox(Buffer.alloc(31)), InputError);
  assert.throws(() => new SecretBox(Buffer.alloc(32, 4)).open(sealed), InputError);
});

test('keys: hex or base64 from config, else generated once with mode 0600', () => {
  assert.equal(parseKey('ab'.repeat(32)).length, 32);
  assert.equal(parseKey(Buffer.alloc(32, 9).toString('base64')).length, 32);
  assert.throws(() => parseKey('short'), InputError);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-key-'));
  try {
    const k1 = loadSecretKey(undefined, join(dir, 'data'));
    const k2 = loadSecretKey(undefined, join(dir, 'data'));
    assert.deepEqual(k1, k2);
    assert.equal(statSync(join(dir, 'data', 'secret.key')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dir, 'data', 'secret.key'), 'utf8').trim().length, 64);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
