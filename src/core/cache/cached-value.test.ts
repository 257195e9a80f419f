import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedValue } from './cached-value.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

test('cached value: concurrent callers share one read; the value is kept for the TTL, then read again', async () => {
  let now = 0;
  const reads: Array<ReturnType<typeof deferred<number>>> = [];
  const c = new CachedValue<number>({
    ttlMs: 100,
    now: () => now,
    load: () => {
      const d = deferred<number>();
      reads.push(d);
      return d.promise;
    },
  });
  const callers = Array.from({ length: 500 }, () => c.get());
  assert.equal(reads.length, 1, 'one read for 500 callers');
  reads[0]!.resolve(7);
  assert.deepEqual(new Set(await Promise.all(callers)), new Set([7]));
  now = 99;
  assert.equal(await c.get(), 7);
  assert.equal(reads.length, 1, 'inside the TTL: no read');
  now = 100;
  const again = c.get();
  assert.equal(reads.length, 2, 'past the TTL: read again');
  reads[1]!.resolve(8);
  assert.equal(await again, 8);
});

test('cached value: a read under way when invalidated answers its callers but is not kept', async () => {
  const reads: Array<ReturnType<typeof deferred<string>>> = [];
  const c = new CachedValue<string>({
    ttlMs: 60_000,
    load: () => {
      const d = deferred<string>();
      reads.push(d);
      return d.promise;
    },
  });
  const before = c.get();
  c.invalidate();
  const after = c.get();
  assert.equal(reads.length, 2, 'a caller after the change does not share the older read');
  reads[0]!.resolve('old');
  reads[1]!.resolve('new');
  assert.equal(await before, 'old');
  assert.equal(await after, 'new');
  assert.equal(await c.get(), 'new', 'the read that predates the change was not kept');
  assert.equal(reads.length, 2);
});

test('cached value: a failed read is shared and not kept; with staleOnError the last value answers instead', async () => {
  let now = 0;
  let fail = false;
  let n = 0;
  const load = async (): Promise<number> => {
    n++;
    if (fail) throw new Error('source away');
    return n;
  };
  const strict = new CachedValue<number>({ ttlMs: 10, now: () => now, load });
  const stale = new CachedValue<number>({ ttlMs: 10, now: () => now, load, staleOnError: true });
  assert.equal(await strict.get(), 1);
  assert.equal(await stale.get(), 2);
  now = 10;
  fail = true;
  await assert.rejects(strict.get(), /source away/);
  assert.equal(await stale.get(), 2, 'the last value while the source is away');
  fail = false;
  assert.equal(await strict.get(), 5, 'a failure is not kept: the next call reads again');
  const fresh = new CachedValue<number>({ ttlMs: 10, load: () => Promise.reject(new Error('never read')), staleOnError: true });
  await assert.rejects(fresh.get(), /never read/, 'no last value: the error');
});
