// The daily rescan fires under an injected clock, once per slot, and a
// vulnerability DB change rescans what was scanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore } from '../store/store.test-helpers.js';
import { InProcessQueue } from './in-process-queue.js';
import { ScanService } from './scan-service.js';
import { Scheduler } from './scheduler.js';
import { validCron } from '../services/projects.js';
import { SecretBox } from '../crypto/secret-box.js';
import { newId } from '../store/ids.js';

test('daily rescan fires at its cron time under an injected clock; vulndb change rescans scanned images', async () => {
  const t = await openTestStore('sqlite');
  try {
    let now = new Date('2026-03-01T12:00:00Z');
    const clock = () => now;
    const queue = new InProcessQueue(async () => {});
    const scans = new ScanService({ store: t.store, queue, secrets: new SecretBox(Buffer.alloc(32, 1)), clock, queueOptions: { retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60 } });
    await scans.init();
    const db = t.store.db;
    const pid = newId();
    await db.insertInto('projects').values({ id: pid, name: 'p', description: '', rescan_cron: '0 3 * * *', created_at: now.toISOString() }).execute();
    for (const ref of ['docker-archive:/a.tar', 'docker-archive:/b.tar']) {
      await db.insertInto('images').values({ id: newId(), project_id: pid, registry_id: null, ref, registry: '', repository: ref, tag: '', digest: '', os_family: '', os_version: '', last_scan_id: null, last_scan_at: null, critical: 0, high: 0, medium: 0, low: 0, unknown: 0, created_at: now.toISOString(), updated_at: now.toISOString() }).execute();
    }
    let stamp: string | undefined;
    const sched = new Scheduler({ store: t.store, scans, clock, vulnDbStamp: () => stamp });
    const count = async () => (await db.selectFrom('scans').select('trigger').execute()).length;

    assert.equal(await sched.tick(), 0, 'nothing due at noon');
    now = new Date('2026-03-02T02:59:59Z');
    assert.equal(await sched.tick(), 0, 'not yet');
    now = new Date('2026-03-02T03:00:00Z');
    assert.equal(await sched.tick(), 2, 'fires at 03:00');
    assert.equal(await sched.tick(), 0, 'once per slot');
    now = new Date('2026-03-02T23:00:00Z');
    assert.equal(await sched.tick(), 0);
    now = new Date('2026-03-03T03:00:30Z');
    assert.equal(await sched.tick(), 2, 'next day');
    // a second scheduler (another API process) does not fire the same slot again
    const other = new Scheduler({ store: t.store, scans, clock });
    assert.equal(await other.tick(), 0);
    assert.equal(await count(), 4);
    const triggers = await db.selectFrom('scans').select('trigger').execute();
    assert.ok(triggers.every((x) => x.trigger === 'schedule'));

    // vulnerability DB: first stamp is the baseline, a change rescans scanned images only
    await db.updateTable('images').set({ last_scan_id: 'x' }).where('ref', '=', 'docker-archive:/a.tar').execute();
    stamp = 'v1';
    assert.equal(await sched.tick(), 0);
    stamp = 'v2';
    assert.equal(await sched.tick(), 1);
    assert.equal(await sched.tick(), 0);
    await queue.stop();
  } finally {
    await t.cleanup();
  }
});

test('cron validation', () => {
  assert.equal(validCron('0 3 * * *'), true);
  assert.equal(validCron('not cron'), false);
  assert.equal(validCron('99 3 * * *'), false);
});
