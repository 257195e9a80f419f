import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareApk, validApk } from './apk.js';

// Vectors from apk-tools' test/version.data (one comparison per line).
const lines = readFileSync(new URL('./testdata/apk-version.data', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'));

test('apk: apk-tools version.data vectors', () => {
  assert.ok(lines.length > 300);
  for (const line of lines) {
    const [a, op, b] = line.split('#')[0]!.trim().split(/\s+/) as [string, string, string];
    const want = op === '<' ? -1 : op === '>' ? 1 : 0;
    assert.equal(compareApk(a, b), want, line);
    assert.equal(compareApk(b, a), 0 - want || 0, `reversed: ${line}`);
  }
});

test('apk: revisions and suffixes used by Alpine secdb', () => {
  assert.equal(compareApk('3.1.4-r0', '3.1.4-r1'), -1);
  assert.equal(compareApk('3.1.4-r5', '3.1.4-r1'), 1);
  assert.equal(compareApk('1.36.1-r15', '1.36.1-r20'), -1);
  assert.equal(compareApk('2.9.14-r0', '2.10.0-r0'), -1);
  assert.equal(compareApk('1.2_rc1-r0', '1.2-r0'), -1);
  assert.equal(compareApk('1.2_p1-r0', '1.2-r0'), 1);
});

test('apk: validity', () => {
  assert.ok(validApk('1.2.3-r4'));
  assert.ok(validApk('1.0_alpha2'));
  assert.ok(!validApk('abc'));
  assert.ok(!validApk(''));
  assert.ok(!validApk('1.0-x'));
});
