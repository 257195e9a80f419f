// One vulnerability DB per deployment, identified by content: two replicas
// (two schedulers on one PostgreSQL store, each with its own DB file) agree
// when their files have the same content whatever their mtimes, and when the
// contents differ the newest DB wins once; the replica still serving the
// older one reports it is behind and triggers no rescan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore } from '../store/store.test-helpers.js';
import { DbWriter } from '../vulndb/db.js';
import { buildDb, debianOsv } from '../vulndb/db.test-helpers.js';
import { importPaths } from '../vulndb/import.js';
import { dbInfo } from '../vulndb/info.js';
import { InProcessQueue } from './in-process-queue.js';
import { seedProject, testScanService } from './jobs.test-helpers.js';
import { Scheduler } from './scheduler.js';
import { VulnDbIdentityReader, vulnDbStatus } from './vulndb-identity.js';

const osv = (id: string, name: string, fixed: string) => debianOsv(id, name, fixed);

test('the DB file records a content digest: same advisories, same digest; other advisories, another', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-digest-'));
  try {
    await buildDb(dir, join(dir, 'a.db'), [osv('DSA-1-1', 'zlib', '1.2')], '2026-03-01T00:00:00.000Z');
    await buildDb(dir, join(dir, 'b.db'), [osv('DSA-1-1', 'zlib', '1.2')], '2026-03-02T00:00:00.000Z');
    await buildDb(dir, join(dir, 'c.db'), [osv('DSA-1-1', 'zlib', '1.3')], '2026-03-01T00:00:00.000Z');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => dbInfo(join(dir, `${n}.db`)));
    assert.match(a!.contentDigest, /^[0-9a-f]{64}$/);
    assert.equal(a!.contentDigest, b!.contentDigest, 'built at other times from the same advisories');
    assert.notEqual(a!.contentDigest, c!.contentDigest, 'a changed fixed version');
    // an import on top of a DB changes the digest; the same file copied keeps it
    const extra = mkdtempSync(join(dir, 'extra-'));
    writeFileSync(join(extra, 'r.json'), osv('DSA-2-1', 'openssl', '3.1'));
    const w = DbWriter.open(join(dir, 'a.db'));
    await importPaths(w, [extra]);
    w.commit();
    assert.notEqual(dbInfo(join(dir, 'a.db')).contentDigest, b!.contentDigest);
    copyFileSync(join(dir, 'b.db'), join(dir, 'b2.db'));
    assert.equal(dbInfo(join(dir, 'b2.db')).contentDigest, b!.contentDigest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two replicas: same content with different mtimes never loops; different content: the newest wins once, the older replica says it is behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-vulndb-replicas-'));
  const t = await openTestStore('postgres');
  const queue = new InProcessQueue(async () => {});
  try {
    const now = new Date('2026-03-01T12:00:00Z');
    const { scans } = await testScanService(t.store, () => now, { queue });
    const db = t.store.db;
    await seedProject(t.store, () => now, { refs: ['docker-archive:/a.tar', 'docker-archive:/b.tar'], scanned: true });
    const fileA = join(dir, 'a', 'vigil.db');
    const fileB = join(dir, 'b', 'vigil.db');
    await buildDb(dir, fileA, [osv('DSA-1-1', 'zlib', '1.2')], '2026-03-01T00:00:00.000Z');
    mkdirSync(join(dir, 'b'));
    copyFileSync(fileA, fileB);
    utimesSync(fileB, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const readerA = new VulnDbIdentityReader(fileA);
    const readerB = new VulnDbIdentityReader(fileB);
    // No vulnDbPath: a change rescans every scanned image (2), which makes rounds easy to count.
    const a = new Scheduler({ store: t.store, scans, clock: () => now, vulnDb: () => readerA.current() });
    const b = new Scheduler({ store: t.store, scans, clock: () => now, vulnDb: () => readerB.current() });
    const rescans = async () => (await db.selectFrom('scans').select('id').where('trigger', '=', 'vulndb').execute()).length;

    for (let i = 0; i < 6; i++) {
      await a.tick();
      await b.tick();
    }
    assert.equal(await rescans(), 0, 'same content, different mtimes: no change');
    const stA = await vulnDbStatus(t.store, readerA);
    const stB = await vulnDbStatus(t.store, readerB);
    assert.equal(stA.served!.digest, stB.served!.digest);
    assert.deepEqual([stA.stale, stB.stale], [false, false]);

    // B gets a newer DB (e.g. `vigil db update` ran where B reads it); A still serves the old one.
    await buildDb(dir, fileB, [osv('DSA-1-1', 'zlib', '1.2'), osv('DSA-2-1', 'openssl', '3.1')], '2026-03-02T00:00:00.000Z');
    for (let i = 0; i < 6; i++) {
      await a.tick();
      await b.tick();
    }
    assert.equal(await rescans(), 2, 'one rescan round for the newer DB, not one every tick');
    const behind = await vulnDbStatus(t.store, readerA);
    assert.equal(behind.stale, true, 'A serves an older digest than the deployment');
    assert.equal(behind.deployment!.digest, (await readerB.current())!.digest);
    assert.equal((await vulnDbStatus(t.store, readerB)).stale, false);

    // A picks the new file up (a copy: same content, its own mtime): no second round, and A is current.
    copyFileSync(fileB, fileA);
    for (let i = 0; i < 3; i++) {
      await a.tick();
      await b.tick();
    }
    assert.equal(await rescans(), 2);
    assert.equal((await vulnDbStatus(t.store, readerA)).stale, false);

    // Two different DBs built at the same time: the tie is broken by digest, one round, no flip-flop.
    await buildDb(dir, fileA, [osv('DSA-3-1', 'curl', '8.0')], '2026-03-03T00:00:00.000Z');
    await buildDb(dir, fileB, [osv('DSA-4-1', 'bash', '5.2')], '2026-03-03T00:00:00.000Z');
    for (let i = 0; i < 6; i++) {
      await a.tick();
      await b.tick();
    }
    const after = await rescans();
    assert.ok(after === 4 || after === 6, `at most one round per newer DB (got ${after - 2} rescans)`);
    for (let i = 0; i < 4; i++) {
      await a.tick();
      await b.tick();
    }
    assert.equal(await rescans(), after, 'settled: no more rounds');
    const st = [await vulnDbStatus(t.store, readerA), await vulnDbStatus(t.store, readerB)];
    assert.deepEqual(st.map((x) => x.stale).sort(), [false, true], 'exactly one of them is behind');
  } finally {
    await queue.stop();
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
