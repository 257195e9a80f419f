import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonPointer, resolveJsonPointer } from './json-pointer.js';

// The examples of RFC 6901 section 5.
const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };

test('RFC 6901 examples', () => {
  const r = (p: string) => resolveJsonPointer(doc, parseJsonPointer(p)!);
  assert.deepEqual(r(''), doc);
  assert.deepEqual(r('/foo'), ['bar', 'baz']);
  assert.equal(r('/foo/0'), 'bar');
  assert.equal(r('/'), 0);
  assert.equal(r('/a~1b'), 1);
  assert.equal(r('/c%d'), 2);
  assert.equal(r('/e^f'), 3);
  assert.equal(r('/g|h'), 4);
  assert.equal(r('/i\\j'), 5);
  assert.equal(r('/k"l'), 6);
  assert.equal(r('/ '), 7);
  assert.equal(r('/m~0n'), 8);
});

test('missing paths and invalid pointers', () => {
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/foo/2')!), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/foo/01')!), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/foo/-')!), undefined);
  assert.equal(resolveJsonPointer(doc, parseJsonPointer('/nope/x')!), undefined);
  assert.equal(resolveJsonPointer({ a: 'str' }, parseJsonPointer('/a/length')!), undefined);
  assert.equal(resolveJsonPointer({}, parseJsonPointer('/constructor')!), undefined);
  assert.equal(parseJsonPointer('foo'), undefined);
  assert.equal(parseJsonPointer('/a~2'), undefined);
  assert.equal(parseJsonPointer('/a~'), undefined);
  assert.deepEqual(parseJsonPointer('/~01'), ['~1']);
});
