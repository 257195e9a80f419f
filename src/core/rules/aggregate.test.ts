import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregateWindow } from './aggregate.js';

test('aggregate window: threshold within the window, sliding, bounded keys', () => {
  const w = new AggregateWindow(1000, 3, 4);
  assert.equal(w.hit('a', 0), 0);
  assert.equal(w.hit('a', 500), 0);
  assert.equal(w.hit('a', 1200), 0); // 0 is out of the window of 1200
  assert.equal(w.hit('a', 1400), 3); // 500, 1200, 1400
  assert.equal(w.size, 0);
  for (const t of [0, 100, 2000, 2100]) assert.equal(w.hit('b', t), 0); // ring wraps
  assert.equal(w.hit('b', 2200), 3);
  for (let i = 0; i < 10; i++) w.hit(`k${i}`, 5000);
  assert.ok(w.size <= 4);
  w.flush(100_000);
  assert.equal(w.size, 0);
});
