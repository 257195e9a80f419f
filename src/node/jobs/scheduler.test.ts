// The daily rescan fires under an injected clock, once per slot, and a
// vulnerability DB change rescans what was scanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type TestStore } from '../store/store.test-helpers.js';
import type { ScanService } from './scan-service.js';
import { seedProject, testScanService } from './jobs.test-helpers.js';
import { Scheduler } from './scheduler.js';
import { scheduleKey, validCron } from '../services/projects.js';
import { startTestServer } from '../server/server.test-helpers.js';

/** A fresh SQLite store with a scan service on a settable clock (2026-03-01 12:00 UTC at first); cleaned up after `fn`. */
async function withClockedStore(
  fn: (x: { t: TestStore; scans: ScanService; queue: { stop(): Promise<void> }; clock: () => Date; setNow: (iso: string) => void }) => Promise<void>,
): Promise<void> {
  const t = await openTestStore('sqlite');
  try {
    let now = new Date('2026-03-01T12:00:00Z');
    const clock = () => now;
    const { scans, queue } = await testScanService(t.store, clock);
    await fn({ t, scans, queue, clock, setNow: (iso) => (now = new Date(iso)) });
  } finally {
    await t.cleanup();
  }
}

test('daily rescan fires at its cron time under an injected clock; vulndb change rescans scanned images', async () => {
  await withClockedStore(async ({ t, scans, queue, clock, setNow }) => {
    const db = t.store.db;
    await seedProject(t.store, clock, { cron: '0 3 * * *', refs: ['docker-archive:/a.tar', 'docker-archive:/b.tar'] });
    let stamp: { digest: string; builtAt: string } | undefined;
    const sched = new Scheduler({ store: t.store, scans, clock, vulnDb: () => stamp });
    const count = async () => (await db.selectFrom('scans').select('trigger').execute()).length;

    assert.equal(await sched.tick(), 0, 'nothing due at noon');
    setNow('2026-03-02T02:59:59Z');
    assert.equal(await sched.tick(), 0, 'not yet');
    setNow('2026-03-02T03:00:00Z');
    assert.equal(await sched.tick(), 2, 'fires at 03:00');
    assert.equal(await sched.tick(), 0, 'once per slot');
    setNow('2026-03-02T23:00:00Z');
    assert.equal(await sched.tick(), 0);
    setNow('2026-03-03T03:00:30Z');
    assert.equal(await sched.tick(), 2, 'next day');
    // a second scheduler (another API process) does not fire the same slot again
    const other = new Scheduler({ store: t.store, scans, clock });
    assert.equal(await other.tick(), 0);
    assert.equal(await count(), 4);
    const triggers = await db.selectFrom('scans').select('trigger').execute();
    assert.ok(triggers.every((x) => x.trigger === 'schedule'));

    // vulnerability DB: the first digest is the baseline, a change rescans scanned images only
    await db.updateTable('images').set({ last_scan_id: 'x' }).where('ref', '=', 'docker-archive:/a.tar').execute();
    stamp = { digest: 'd1', builtAt: '2026-03-01T00:00:00.000Z' };
    assert.equal(await sched.tick(), 0);
    stamp = { digest: 'd2', builtAt: '2026-03-02T00:00:00.000Z' };
    assert.equal(await sched.tick(), 1);
    assert.equal(await sched.tick(), 0);
    await queue.stop();
  });
});

test('cron validation', () => {
  assert.equal(validCron('0 3 * * *'), true);
  assert.equal(validCron('not cron'), false);
  assert.equal(validCron('99 3 * * *'), false);
});

test('a schedule fires at its next slot after it was set, never at once for past slots', async () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const s = await startTestServer('sqlite', { localImageDirs: '/' }, { workers: 0, clock: () => now });
  try {
    // a project created long ago with its schedule off, and two images
    const p = await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'old', rescanCron: '' });
    assert.equal(p.status, 201);
    for (const ref of ['docker-archive:/a.tar', 'docker-archive:/b.tar'])
      assert.equal((await s.call('POST', `/api/v1/projects/${p.body.id}/images`, s.adminToken, { ref, scan: false })).status, 201);
    const sched = new Scheduler({ store: s.ctx.store, scans: s.ctx.scans, clock: () => now });
    const scheduled = async () =>
      (await s.ctx.store.db.selectFrom('scans').select('id').where('trigger', '=', 'schedule').where('project_id', '=', p.body.id).execute()).length;
    now = new Date('2026-03-10T12:00:00Z');
    assert.equal((await s.call('PATCH', `/api/v1/projects/${p.body.id}`, s.adminToken, { rescanCron: '*/5 * * * *' })).status, 200);
    await sched.tick();
    assert.equal(await scheduled(), 0, 'no run at once for the slots since the project was created');
    now = new Date('2026-03-10T12:04:59Z');
    await sched.tick();
    assert.equal(await scheduled(), 0);
    now = new Date('2026-03-10T12:05:00Z');
    await sched.tick();
    assert.equal(await scheduled(), 2, 'the first slot after the schedule was set');
    await sched.tick();
    assert.equal(await scheduled(), 2, 'once per slot');
  } finally {
    await s.cleanup();
  }
});

test('a schedule never recorded (set before this version) starts from now', async () => {
  await withClockedStore(async ({ t, scans, queue, clock, setNow }) => {
    const db = t.store.db;
    // created a year before its schedule is first looked at, by a version that did not record when a schedule was set
    const { projectId } = await seedProject(t.store, () => new Date('2025-01-01T00:00:00.000Z'), { cron: '0 3 * * *', refs: ['docker-archive:/a.tar'] });
    await db.deleteFrom('settings').where('key', '=', scheduleKey(projectId)).execute();
    const sched = new Scheduler({ store: t.store, scans, clock, vulnDb: () => ({ digest: 'd1', builtAt: '2026-02-01T00:00:00.000Z' }) });
    assert.equal(await sched.tick(), 0, 'a year of past slots does not fire at once');
    setNow('2026-03-02T03:00:00Z');
    assert.equal(await sched.tick(), 1);
    // the vulnerability DB stamp's updated_at is the time it was recorded, not the stamp
    const row = await db.selectFrom('settings').selectAll().where('key', '=', 'vulndb.stamp').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.value), { digest: 'd1', builtAt: '2026-02-01T00:00:00.000Z' });
    assert.equal(row.updated_at, '2026-03-01T12:00:00.000Z');
    await queue.stop();
  });
});
