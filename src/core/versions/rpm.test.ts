import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareRpm, rpmvercmp } from './rpm.js';

// Vectors from rpm's tests/rpmvercmp.at (including the tilde and caret cases).
const vectors = readFileSync(new URL('./testdata/rpmvercmp.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.trim().split(/\s+/) as [string, string, string]);

test('rpm: rpmvercmp.at vectors', () => {
  assert.ok(vectors.length > 80);
  for (const [a, b, r] of vectors) assert.equal(rpmvercmp(a, b), Number(r), `${a} vs ${b}`);
});

test('rpm: epoch, version, release', () => {
  assert.equal(compareRpm('1:1.0-1', '2.0-1'), 1);
  assert.equal(compareRpm('0:1.0-1', '1.0-1'), 0);
  assert.equal(compareRpm('3.0.7-18.el9_2', '3.0.7-24.el9'), -1);
  assert.equal(compareRpm('1:3.0.7-27.el9', '1:3.0.7-24.el9'), 1);
  assert.equal(compareRpm('2.34-60.el9', '2.34-100.el9'), -1);
  assert.equal(compareRpm('7.76.1-26.el9_3.2', '7.76.1-26.el9_3.3'), -1);
  assert.equal(compareRpm('1.0~rc1-1', '1.0-1'), -1);
});
