// The agent's NodeImages report with each image's names (a node image row
// follows them): read back with the names, an older agent's report without
// them, and broken names refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readNodeImages } from './node-image.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('node images: IDs with their names; older reports without; broken names refused', () => {
  const r = readNodeImages(JSON.stringify({ images: [A, B], names: { [A]: ['local/app:2', 'aaa/app:0'], [B]: [] } }));
  assert.deepEqual(r.images, [A, B]);
  assert.deepEqual(
    [...r.names!],
    [
      [A, ['local/app:2', 'aaa/app:0']],
      [B, []],
    ],
  );
  assert.deepEqual(readNodeImages(JSON.stringify({ images: [A] })), { images: [A] });
  const refused = (v: unknown, re: RegExp) =>
    assert.throws(
      () => readNodeImages(JSON.stringify(v), 'node images of node n1'),
      (e: Error & { where?: string }) => re.test(e.message) && e.where === 'node images of node n1',
    );
  refused({ images: [A], names: [] }, /names must be an object/);
  refused({ images: [A], names: { [B]: ['x:1'] } }, /is not one of the images/);
  refused({ images: [A], names: { [A]: 'x:1' } }, /must be a list of at most 100/);
  refused({ images: [A], names: { [A]: Array.from({ length: 101 }, (_, i) => `x:${i}`) } }, /at most 100/);
  refused({ images: [A], names: { [A]: [''] } }, /names\[sha256:a+\]\[0\] must be a name/);
  refused({ images: [A], names: { [A]: [7] } }, /must be a name/);
  refused({ images: [A], names: { [A]: ['x'.repeat(1001)] } }, /must be a name/);
});
