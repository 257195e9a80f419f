import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('token bucket: burst, refill at the rate, debt up to maxWait, refusal with retry-after', () => {
  const b = new TokenBucket(100, 200, 0);
  assert.deepEqual(b.take(150, 0, 0), { ok: true, waitMs: 0 });
  assert.equal(b.available(0), 50);
  // 100 more: 50 short = 500 ms at 100/s; allowed with maxWait 1000, refused with 100.
  assert.deepEqual(b.take(100, 0, 100), { ok: false, retryAfterMs: 500 });
  assert.equal(b.available(0), 50, 'a refusal takes nothing');
  assert.deepEqual(b.take(100, 0, 1000), { ok: true, waitMs: 500 });
  assert.equal(b.available(0), -50);
  // One second later: -50 + 100 = 50; never above the burst.
  assert.equal(b.available(1000), 50);
  assert.equal(b.available(60_000), 200);
  // A batch larger than the burst: retry-after is bounded by the burst.
  const r = b.take(10_000, 60_000, 0);
  assert.equal(r.ok, false);
  assert.throws(() => new TokenBucket(0, 1, 0), /positive/);
});
