import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregateWindow } from './aggregate.js';

test('aggregate window: threshold within the window, sliding, bounded keys', () => {
  const w = new AggregateWindow(1000, 3, 4);
  assert.equal(w.hit('a', 0), 0);
  assert.equal(w.hit('a', 500), 0);
  assert.equal(w.hit('a', 1200), 0); // 0 is out of the window of 1200
  assert.equal(w.hit('a', 1400), 3); // 500, 1200, 1400
  assert.deepEqual(w.burst('a'), { from: 500, last: 1400, count: 3 });
  for (const t of [0, 100, 2000, 2100]) assert.equal(w.hit('b', t), 0); // ring wraps
  assert.equal(w.hit('b', 2200), 3);
  for (let i = 0; i < 10; i++) w.hit(`k${i}`, 5000);
  assert.ok(w.size <= 4);
  w.flush(100_000);
  assert.equal(w.size, 0);
});

test('aggregate window: one burst fires once, counted, until a quiet window ends it', () => {
  const w = new AggregateWindow(1000, 5);
  // 185 matches 10 ms apart (an open_by_handle_at brute force): one firing.
  let fired = 0;
  for (let i = 0; i < 185; i++) if (w.hit('k', i * 10)) fired++;
  assert.equal(fired, 1);
  assert.deepEqual(w.burst('k'), { from: 0, last: 1840, count: 185 });
  // Still in the burst while the gaps stay within the window.
  assert.equal(w.hit('k', 2800), 0);
  assert.equal(w.burst('k')?.count, 186);
  // After a quiet window, a new burst fires again.
  let again = 0;
  for (let i = 0; i < 5; i++) if (w.hit('k', 5000 + i)) again++;
  assert.equal(again, 1);
  assert.equal(w.burst('k')?.count, 5);
  w.flush(5004 + 1001);
  assert.equal(w.burst('k'), undefined);
});
