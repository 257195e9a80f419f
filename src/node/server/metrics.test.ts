// The server's Prometheus text: named histograms (cumulative buckets, sum,
// count, labelled series) and the event-loop watch, which must show a real
// stall of the process as a second whose longest delay is over it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from './metrics.js';

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no ${series} in\n${text}`);
  return Number(line.slice(series.length + 1));
};

test('metrics: a named histogram renders cumulative buckets, +Inf, sum and count, per label set', async () => {
  const m = new Metrics();
  for (const s of [0.0005, 0.004, 0.004, 0.12, 7, 42]) m.observe('vigil_x_seconds', 'X.', s);
  m.observe('vigil_y_seconds', 'Y.', 0.3, { stage: 'a"b' });
  m.observe('vigil_n', 'N.', 17, undefined, [1, 10, 100]);
  const t = await m.render();
  assert.match(t, /^# HELP vigil_x_seconds X\.\n# TYPE vigil_x_seconds histogram$/m);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="0.001"}'), 1);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="0.005"}'), 3);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="0.1"}'), 3);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="0.15"}'), 4);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="10"}'), 5);
  assert.equal(sample(t, 'vigil_x_seconds_bucket{le="+Inf"}'), 6, 'over the last bound: only in +Inf');
  assert.equal(sample(t, 'vigil_x_seconds_count'), 6);
  assert.ok(Math.abs(sample(t, 'vigil_x_seconds_sum') - 49.1285) < 1e-9);
  assert.equal(sample(t, 'vigil_y_seconds_bucket{stage="a\\"b",le="0.3"}'), 1, 'labels escaped, le last');
  assert.equal(sample(t, 'vigil_y_seconds_count{stage="a\\"b"}'), 1);
  assert.equal(sample(t, 'vigil_n_bucket{le="10"}'), 0);
  assert.equal(sample(t, 'vigil_n_bucket{le="100"}'), 1, 'its own buckets');
});

test('metrics: the event-loop watch records a stall of the loop in the second it happened', { timeout: 20_000 }, async () => {
  const m = new Metrics();
  const stop = m.watchEventLoop(200);
  try {
    await new Promise((r) => setTimeout(r, 450));
    // A synchronous stall of 300 ms: the loop cannot run the monitor's timer meanwhile.
    const end = performance.now() + 300;
    while (performance.now() < end);
    await new Promise((r) => setTimeout(r, 450));
    const t = await m.render();
    const n = sample(t, 'vigil_event_loop_delay_seconds_count');
    assert.ok(n >= 2, `intervals observed: ${n}`);
    const over = n - sample(t, 'vigil_event_loop_delay_seconds_bucket{le="0.2"}');
    assert.ok(over >= 1, `an interval with a delay over 200 ms:\n${t}`);
    assert.ok(sample(t, 'vigil_event_loop_delay_seconds_sum') >= 0.25, 'the stall is in the sum');
  } finally {
    stop();
  }
});
