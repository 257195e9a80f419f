// Job-queue conformance: the in-process queue and pg-boss pass the same tests.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { InProcessQueue } from './in-process-queue.js';
import { PgBossQueue } from './pg-boss-queue.js';
import type { JobQueue } from './queue.js';
import { TEST_PG_URL } from '../store/store.test-helpers.js';

const opts = { retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 30 };

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const kinds: Array<{ name: string; make(): Promise<{ q: JobQueue; cleanup(): Promise<void> }> }> = [
  { name: 'in-process', make: async () => ({ q: new InProcessQueue(async () => {}), cleanup: async () => {} }) },
  {
    name: 'pg-boss',
    make: async () => {
      const schema = `qb_${randomBytes(5).toString('hex')}`;
      const q = new PgBossQueue({ connectionString: TEST_PG_URL, schema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
      return {
        q,
        cleanup: async () => {
          const c = new pg.Client({ connectionString: TEST_PG_URL });
          await c.connect();
          await c.query(`drop schema if exists ${schema} cascade`);
          await c.end();
        },
      };
    },
  },
];

for (const k of kinds) {
  describe(`job queue conformance: ${k.name}`, () => {
    let q: JobQueue;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ q, cleanup } = await k.make());
      await q.start();
    });
    after(async () => {
      await q.stop();
      await cleanup();
    });

    test('jobs are delivered with their data', async () => {
      await q.createQueue('deliver', opts);
      const got: number[] = [];
      await q.work<{ n: number }>(
        'deliver',
        async (d) => {
          got.push(d.n);
        },
        2,
      );
      for (let i = 0; i < 5; i++) await q.send('deliver', { n: i });
      await until(() => got.length === 5);
      assert.deepEqual(got.sort(), [0, 1, 2, 3, 4]);
    });

    test('a failing job is retried up to the limit, with its retry count', async () => {
      await q.createQueue('retry', opts);
      const tries: number[] = [];
      await q.work<{ x: string }>('retry', async (_d, job) => {
        tries.push(job.retryCount);
        if (tries.length < 3) throw new Error('transient');
      });
      await q.send('retry', { x: 'y' });
      await until(() => tries.length === 3);
      assert.deepEqual(tries, [0, 1, 2]);
      // no fourth attempt after success
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(tries.length, 3);
    });
  });
}

test('in-process queue: retries wait for the injected delay with exponential backoff', async () => {
  const delays: number[] = [];
  const q = new InProcessQueue(async (ms) => {
    delays.push(ms);
  });
  await q.createQueue('x', { retryLimit: 3, retryDelaySeconds: 2, expireInSeconds: 1 });
  let n = 0;
  await q.work('x', async () => {
    n++;
    throw new Error('always');
  });
  await q.send('x', {});
  await q.idle();
  assert.equal(n, 4);
  assert.deepEqual(delays, [2000, 4000, 8000]);
  await q.stop();
});
