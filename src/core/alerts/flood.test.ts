import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from './types.js';
import { FloodAggregator } from './flood.js';

const alert = (i: number, over: Partial<Alert> = {}): Alert => ({
  id: `a${i}`,
  type: 'system/reverse-shell',
  severity: 'high',
  time: new Date(i).toISOString(),
  message: `m${i}`,
  rule: 'r',
  host: 'n1',
  process: { pid: i, name: 'bash', exepath: '/bin/bash' },
  ...over,
});

test('flood aggregation: the first alerts of a window pass, the rest become one alert with count and window', () => {
  let n = 0;
  const f = new FloodAggregator(() => `agg${++n}`, { windowMs: 1000, passThrough: 3, maxKeys: 2 });
  const out = [];
  for (let i = 0; i < 100; i++) out.push(f.offer(alert(i), i));
  assert.deepEqual(
    out.filter(Boolean).map((a) => a!.id),
    ['a0', 'a1', 'a2'],
  );
  // Another subject is not held back by this flood.
  assert.equal(f.offer(alert(1, { host: 'n2' }), 100)?.id, 'a1');
  assert.deepEqual(f.flush(500), [], 'the window is still open');
  const [s, ...rest] = f.flush(1000);
  assert.equal(rest.length, 0);
  assert.equal(s!.id, 'agg1');
  assert.equal(s!.fields!['vigil.aggregated.count'], 97);
  assert.equal(s!.fields!['vigil.aggregated.from'], new Date(0).toISOString());
  assert.match(s!.message, /^97 more identical alerts in 1 s \(flood, aggregated\): m99$/);
  assert.equal(f.aggregated, 97);
  // After the window, the same alert passes again.
  assert.equal(f.offer(alert(2000), 2000)?.id, 'a2000');
  // Past maxKeys distinct keys nothing is held (no unbounded memory).
  for (let i = 0; i < 10; i++) assert.ok(f.offer(alert(i, { host: `x${i}` }), 2000));
  // At shutdown every held window is summarised.
  for (let i = 0; i < 10; i++) f.offer(alert(3000 + i), 2100);
  assert.equal(f.flush(2200, true)[0]!.fields!['vigil.aggregated.count'], 8);
});
