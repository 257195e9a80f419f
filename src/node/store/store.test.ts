// The store conformance suite: the same tests on SQLite and PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestStore, STORE_KINDS, type TestStore } from './store.test-helpers.js';
import { migrate, openStore, parseDbUrl } from './store.js';
import { appendAudit, exportAudit, verifyAudit, SYSTEM_ACTOR, auditOnly } from './audit-log.js';
import { ingestAlerts, listAlerts } from './alert-groups.js';
import { StoreLayerCache } from './layer-cache.js';
import { newId } from './ids.js';
import type { Alert } from '../../core/alerts/types.js';
import { InputError } from '../../core/errors.js';
import { shellAlert } from '../../core/alerts/alerts.test-helpers.js';

const now = () => new Date().toISOString();

const alert = (i: number, over: Partial<Alert> = {}): Alert => shellAlert(`a${i}`, i, over);

for (const kind of STORE_KINDS) {
  describe(`store conformance: ${kind}`, () => {
    let t: TestStore;
    before(async () => {
      t = await openTestStore(kind);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('an all-projects alert list with a filter on a store without projects is empty', async () => {
      assert.deepEqual(await listAlerts(t.store, { projects: 'all', status: 'open', limit: 10 }), { items: [] });
      assert.deepEqual(await listAlerts(t.store, { projects: 'all', limit: 10 }), { items: [], next: undefined });
    });

    test('migrations are recorded and idempotent', async () => {
      assert.deepEqual(await migrate(t.store), []);
      const rows = await sql<{ id: string }>`select id from vigil_migrations`.execute(t.store.db);
      assert.ok(rows.rows.some((r) => r.id === '0001-initial'));
    });

    test('unique constraints and foreign keys hold', async () => {
      const id = newId();
      await t.store.db.insertInto('projects').values({ id, name: 'p1', description: '', rescan_cron: '0 3 * * *', created_at: now() }).execute();
      await assert.rejects(
        t.store.db.insertInto('projects').values({ id: newId(), name: 'p1', description: '', rescan_cron: '0 3 * * *', created_at: now() }).execute(),
      );
      await assert.rejects(
        t.store.db
          .insertInto('images')
          .values({ id: newId(), project_id: 'nope', ref: 'x', created_at: now(), updated_at: now() } as never)
          .execute(),
      );
      // a transaction that fails leaves nothing behind
      await assert.rejects(
        t.store.db.transaction().execute(async (trx) => {
          await trx.insertInto('projects').values({ id: newId(), name: 'p2', description: '', rescan_cron: '', created_at: now() }).execute();
          throw new Error('boom');
        }),
      );
      assert.equal((await t.store.db.selectFrom('projects').select('id').where('name', '=', 'p2').execute()).length, 0);
    });

    test('audit chain: concurrent appends never fork, tampering is found and named', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          auditOnly(t.store, SYSTEM_ACTOR, { event: 'addPolicy', resourceType: 'policy', resourceId: `p${i}`, summary: { name: `n${i}`, password: 'x' } }),
        ),
      );
      await t.store.db
        .transaction()
        .execute((trx) => appendAudit(trx, t.store, SYSTEM_ACTOR, { event: 'deletePolicy', resourceType: 'policy', resourceId: 'p0' }));
      const v = await verifyAudit(t.store.db, { key: t.store.auditKey!, trusted: [], pageSize: 7 });
      assert.equal(v.ok, true);
      assert.equal(v.records, 21);
      const rows = await t.store.db.selectFrom('audit_log').select(['seq', 'summary']).orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => r.seq),
        Array.from({ length: 21 }, (_, i) => i + 1),
      );
      assert.ok(rows[0]!.summary.includes('"password":"***"'));
      let jsonl = '';
      for await (const c of exportAudit(t.store.db, 'jsonl', 5)) jsonl += c;
      assert.equal(jsonl.trim().split('\n').length, 21);
      let csv = '';
      for await (const c of exportAudit(t.store.db, 'csv')) csv += c;
      assert.equal(csv.trim().split('\n').length, 22);
      await t.store.db.updateTable('audit_log').set({ resource_id: 'evil' }).where('seq', '=', 5).execute();
      const bad = await verifyAudit(t.store.db, { key: t.store.auditKey!, trusted: [] });
      assert.equal(bad.ok, false);
      assert.equal(bad.bad?.seq, 5);
      await t.store.db.deleteFrom('audit_log').execute();
    });

    test('alerts group by type and subject with count and first/last seen; keyset pages', async () => {
      const pid = newId();
      await t.store.db.insertInto('projects').values({ id: pid, name: 'alerts', description: '', rescan_cron: '', created_at: now() }).execute();
      const r = await ingestAlerts(t.store, pid, [
        alert(3),
        alert(1),
        alert(2, { severity: 'high' }),
        alert(4, { type: 'container/abnormal-process', severity: 'medium' }),
      ]);
      assert.deepEqual(r, { received: 4, groups: 2 });
      await ingestAlerts(t.store, pid, [alert(9, { message: 'latest', rule: 'Reverse shell v2' }), alert(0, { rule: 'older rule' })]);
      const rows = await t.store.db.selectFrom('alerts').selectAll().where('project_id', '=', pid).where('type', '=', 'system/reverse-shell').execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.count, 5);
      assert.equal(rows[0]!.first_seen, alert(0).time);
      assert.equal(rows[0]!.last_seen, alert(9).time);
      assert.equal(rows[0]!.message, 'latest');
      assert.equal(rows[0]!.rule, 'Reverse shell v2', 'the newest alert names the rule, whichever batch it came in');
      // many groups: page through them
      await ingestAlerts(
        t.store,
        pid,
        Array.from({ length: 25 }, (_, i) => alert(10 + (i % 5), { host: `h${i}`, container: undefined })),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listAlerts(t.store, { projects: [pid], limit: 7, cursor });
        seen.push(...page.items.map((x) => x.id));
        cursor = page.next;
      } while (cursor);
      assert.equal(seen.length, 27);
      assert.equal(new Set(seen).size, 27);
      const medium = await listAlerts(t.store, { projects: [pid], severity: 'medium', limit: 50 });
      assert.equal(medium.items.length, 1);
      assert.equal((await listAlerts(t.store, { projects: [], limit: 5 })).items.length, 0);
    });

    test('alert lists over several projects merge per-project pages in one newest-first order', async () => {
      const pids = [newId(), newId(), newId()];
      for (const [i, id] of pids.entries())
        await t.store.db
          .insertInto('projects')
          .values({ id, name: `merge-${i}`, description: '', rescan_cron: '', created_at: now() })
          .execute();
      // 60 groups per project; times collide across projects so the id breaks ties.
      for (const [pi, pid] of pids.entries()) {
        await ingestAlerts(
          t.store,
          pid,
          Array.from({ length: 60 }, (_, i) =>
            alert(i % 20, {
              id: `m${pi}-${i}`,
              host: `h${i}`,
              container: undefined,
              type: i % 3 ? 'system/reverse-shell' : 'container/abnormal-process',
              severity: i % 2 ? 'high' : 'low',
            }),
          ),
        );
      }
      const expected = await t.store.db
        .selectFrom('alerts')
        .select(['id', 'last_seen'])
        .where('project_id', 'in', pids)
        .where('type', '=', 'system/reverse-shell')
        .orderBy('last_seen', 'desc')
        .orderBy('id', 'desc')
        .execute();
      assert.equal(expected.length, 120);
      const walk = async (projects: 'all' | string[], type?: string) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listAlerts(t.store, { projects, type, limit: 13, cursor });
          assert.ok(page.items.length <= 13);
          seen.push(...page.items.map((x) => x.id));
          cursor = page.next;
        } while (cursor);
        return seen;
      };
      assert.deepEqual(
        await walk(pids, 'system/reverse-shell'),
        expected.map((r) => r.id),
        'three projects, merged',
      );
      const everywhere = await t.store.db
        .selectFrom('alerts')
        .select('id')
        .where('type', '=', 'system/reverse-shell')
        .orderBy('last_seen', 'desc')
        .orderBy('id', 'desc')
        .execute();
      assert.deepEqual(
        await walk('all', 'system/reverse-shell'),
        everywhere.map((r) => r.id),
        'all projects with a filter, merged per project',
      );
      const first = await listAlerts(t.store, { projects: pids.slice(0, 2), limit: 500 });
      assert.equal(first.items.length, 120);
      assert.equal(first.next, undefined);
      assert.ok(first.items.every((x, i) => i === 0 || x.last_seen <= first.items[i - 1]!.last_seen));
      await assert.rejects(
        listAlerts(t.store, { projects: pids, limit: 5, cursor: 'not-a-cursor' }),
        (e: unknown) => e instanceof InputError && e.code === 'BAD_CURSOR',
      );
    });

    test('layer cache round-trips JSON and counts hits', async () => {
      const c = new StoreLayerCache(t.store.db);
      assert.equal(await c.get('sha256:aa|os-release@1'), undefined);
      await c.set('sha256:aa|os-release@1', { packages: [{ name: 'x' }] });
      await c.set('sha256:aa|os-release@1', { packages: [{ name: 'y' }] });
      assert.deepEqual(await c.get('sha256:aa|os-release@1'), { packages: [{ name: 'y' }] });
      assert.equal(c.hits, 1);
      assert.equal(c.misses, 1);
    });
  });
}

test('bad database URLs are input errors naming the URL without its password', async () => {
  assert.throws(() => parseDbUrl('mysql://x'), InputError);
  assert.throws(() => parseDbUrl('sqlite:'), InputError);
  assert.throws(
    () => parseDbUrl('postgres://u:pw@h/db?schema=a;drop'),
    (e: unknown) => e instanceof InputError && !e.message.includes('pw'),
  );
  await assert.rejects(
    openStore('postgres://u:secretpw@127.0.0.1:1/none'),
    (e: unknown) => e instanceof InputError && e.code === 'DB_OPEN' && !e.message.includes('secretpw'),
  );
});
