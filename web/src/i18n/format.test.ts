import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupedInteger, relativeTime, type RelativeUnit } from './format.js';

const VALUES = [-123456, -1234, -61, -59, -25, -3, -2, -1, -0, 0, 1, 2, 3, 24, 59, 1000, 98765];

test('relativeTime writes what Intl.RelativeTimeFormat (numeric: auto) writes, in English and Chinese', () => {
  for (const [lang, locale] of [
    ['en', 'en'],
    ['zh', 'zh-CN'],
  ] as const) {
    const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    for (const unit of ['second', 'minute', 'hour', 'day'] as RelativeUnit[])
      for (const v of VALUES) assert.equal(relativeTime(lang, v, unit), rtf.format(v, unit), `${lang} ${v} ${unit}`);
  }
});

test('groupedInteger writes integers as Intl.NumberFormat does in English and Chinese, and leaves other numbers to it', () => {
  for (const locale of ['en', 'zh-CN']) {
    const nf = new Intl.NumberFormat(locale);
    for (const n of [0, 7, -7, 999, 1000, -1000, 123456, 1234567, 9007199254740991]) assert.equal(groupedInteger(n), nf.format(n), `${locale} ${n}`);
  }
  assert.equal(groupedInteger(1.5), undefined);
  assert.equal(groupedInteger(Number.NaN), undefined);
});
