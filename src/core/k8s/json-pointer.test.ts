import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPointer, resolveJsonPointer } from './json-pointer.js';

// The examples of RFC 6901 section 5.
const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };

test('RFC 6901 examples', () => {
  const r = (p: string) => resolveJsonPointer(doc, parseJsonPointer(p)!);
  const cases: Array<[string, unknown]> = [
    ['', doc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ];
  for (const [pointer, want] of cases) assert.deepEqual(r(pointer), want, pointer);
});

test('missing paths and invalid pointers', () => {
  for (const pointer of ['/foo/2', '/foo/01', '/foo/-', '/nope/x']) assert.equal(resolveJsonPointer(doc, parseJsonPointer(pointer)!), undefined, pointer);
  assert.equal(resolveJsonPointer({ a: 'str' }, parseJsonPointer('/a/length')!), undefined);
  assert.equal(resolveJsonPointer({}, parseJsonPointer('/constructor')!), undefined);
  for (const bad of ['foo', '/a~2', '/a~']) assert.equal(parseJsonPointer(bad), undefined, bad);
  assert.deepEqual(parseJsonPointer('/~01'), ['~1']);
});
