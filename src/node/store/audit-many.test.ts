// Several audit records appended in one transaction (the agent link's group
// commit: one per node) chain exactly as one-at-a-time appends do, on both
// store kinds, and interleave with single appends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendAuditMany, auditOnly, SYSTEM_ACTOR, verifyAudit } from './audit-log.js';
import { openTestStore, STORE_KINDS } from './store.test-helpers.js';

const node = (name: string) => ({ userId: '', username: `node:${name}`, sourceIp: '10.0.0.1', userAgent: 'vigil-agent' });

for (const kind of STORE_KINDS) {
  test(`${kind}: appendAuditMany chains its records in order, one after another, verifiable`, async () => {
    const t = await openTestStore(kind);
    try {
      await auditOnly(t.store, SYSTEM_ACTOR, { event: 'addPolicy', resourceType: 'policy', resourceId: 'p1' });
      const rows = await t.store.db.transaction().execute((trx) =>
        appendAuditMany(
          trx,
          t.store,
          ['a', 'b', 'c'].map((n) => ({
            actor: node(n),
            entry: { event: 'ingestAlerts', resourceType: 'alerts', resourceId: '', summary: { count: 1, nodeId: n } },
          })),
        ),
      );
      assert.deepEqual(
        rows.map((r) => [r.seq, r.username]),
        [
          [2, 'node:a'],
          [3, 'node:b'],
          [4, 'node:c'],
        ],
      );
      assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
      assert.equal(rows[2]!.prev_hash, rows[1]!.hash);
      await auditOnly(t.store, SYSTEM_ACTOR, { event: 'deletePolicy', resourceType: 'policy', resourceId: 'p1' });
      const stored = await t.store.db.selectFrom('audit_log').select(['seq', 'username', 'prev_hash', 'hash']).orderBy('seq').execute();
      assert.deepEqual(
        stored.map((r) => r.username),
        ['system', 'node:a', 'node:b', 'node:c', 'system'],
      );
      assert.equal(stored[1]!.prev_hash, stored[0]!.hash, 'the batch continues the chain');
      assert.equal(stored[4]!.prev_hash, stored[3]!.hash, 'a single append continues after the batch');
      const v = await verifyAudit(t.store.db, { key: t.store.auditKey!, trusted: [], pageSize: 2 });
      assert.equal(v.ok, true, JSON.stringify(v));
      assert.deepEqual(await t.store.db.transaction().execute((trx) => appendAuditMany(trx, t.store, [])), [], 'nothing to append: nothing written');
    } finally {
      await t.cleanup();
    }
  });
}
