import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from './messages.js';
import { zh } from './messages.zh.js';
import { format } from './format.js';

test('the Chinese catalog has exactly the English keys, none empty', () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const [k, v] of Object.entries(zh)) assert.ok(v.trim().length > 0, `zh ${k} is empty`);
});

test('Chinese messages are Chinese (except names that stay as they are)', () => {
  const same = new Set(['app.name', 'lang.en', 'lang.zh', 'images.cvss', 'settings.syslog', 'settings.udp', 'settings.tcp']);
  for (const [k, v] of Object.entries(zh)) {
    if (same.has(k)) continue;
    assert.match(v, /[\u4e00-\u9fff]/, `zh ${k} has no Chinese: ${v}`);
  }
});

test('placeholders are the same in both languages', () => {
  const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(en) as (keyof typeof en)[]) assert.deepEqual(names(zh[k]), names(en[k]), k);
});

test('format fills placeholders and leaves unknown ones', () => {
  assert.equal(format('{n} of {total}', { n: 2, total: 5 }), '2 of 5');
  assert.equal(format('{n} {x}', { n: 1 }), '1 {x}');
});
