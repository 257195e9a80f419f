import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { LineSplitter } from './line-splitter.js';

test('splits across chunk boundaries with byte offsets', () => {
  const s = new LineSplitter(100);
  const input = Buffer.from('héllo\nworld\r\n\nlast');
  const got = [];
  for (let i = 0; i < input.length; i += 3) got.push(...s.push(input.subarray(i, i + 3)));
  assert.deepEqual(
    got.map((l) => l.text),
    ['héllo', 'world', ''],
  );
  assert.deepEqual(
    got.map((l) => l.end),
    [7, 14, 15],
  );
  assert.equal(s.offset, 15);
  assert.equal(s.pending, 4);
  const last = s.flush()!;
  assert.equal(last.text, 'last');
  assert.equal(last.lineNo, 4);
  assert.equal(s.offset, input.length);
});

test('over-long lines are skipped without being buffered', () => {
  const s = new LineSplitter(10, 100, 5);
  const lines = [...s.push(Buffer.from('short\n')), ...s.push(Buffer.from('x'.repeat(50))), ...s.push(Buffer.from('y'.repeat(50) + '\nok\n'))];
  assert.deepEqual(
    lines.map((l) => [l.lineNo, l.text, l.bytes]),
    [
      [6, 'short', 5],
      [7, undefined, 100],
      [8, 'ok', 2],
    ],
  );
  assert.equal(lines[2]!.end, 100 + 6 + 101 + 3);
});
