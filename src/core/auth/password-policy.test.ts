import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordProblem } from './password-policy.js';

test('refused: short, common, common with digits or symbols, patterns, the user name or the service', () => {
  for (const [pw, re] of [
    ['short1!', /at least 8/],
    ['password', /commonly used/],
    ['PASSWORD', /commonly used/],
    ['password1', /commonly used/],
    ['Password123!', /commonly used/],
    ['2024qwerty', /commonly used/],
    ['baseball', /commonly used/],
    ['aaaaaaaa', /repetitive or sequential/],
    ['abcabcabcabc', /repetitive or sequential/],
    ['12345678', /commonly used|repetitive or sequential/],
    ['98765432', /repetitive or sequential/],
    ['lmnopqrs', /repetitive or sequential/],
    ['poiuytre', /repetitive or sequential/],
    ['alice-is-here', /user name/],
    ['my-vigil-login', /name of the service/],
    ['x'.repeat(257), /at most 256/],
  ] as const) {
    assert.match(passwordProblem(pw, { username: 'alice' }) ?? 'accepted', re, pw);
  }
});

test('accepted: long enough and not on the list, any characters (no composition rules)', () => {
  for (const pw of ['correct horse battery staple', 'tq9-helper-secret', 'Zw8#kL2!pQ', '密码是一个很长的句子', 'a'.repeat(3) + 'bcXyz19']) {
    assert.equal(passwordProblem(pw, { username: 'alice' }), undefined, pw);
  }
});
