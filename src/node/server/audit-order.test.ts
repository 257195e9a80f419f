// Audit trail details that multi-replica use showed: logout is recorded, and
// record times never go back along the sequence (a writer that took its time
// before waiting for the chain lock, or a replica whose clock is behind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './server.test-helpers.js';
import { openTestStore, STORE_KINDS } from '../store/store.test-helpers.js';
import { appendAudit, SYSTEM_ACTOR, verifyAudit } from '../store/audit-log.js';

test('logout writes an audit record and ends the session', async () => {
  const s = await startTestServer('sqlite', {}, { workers: 0 });
  try {
    const token = await s.login('admin', 'ochre-lantern-47');
    const out = await s.call('POST', '/api/v1/auth/logout', token);
    assert.equal(out.status, 200);
    assert.equal((await s.call('GET', '/api/v1/auth/me', token)).status, 401);
    const audit = await s.call('GET', '/api/v1/audit?event=logout', s.adminToken);
    assert.equal(audit.body.items.length, 1, JSON.stringify(audit.body));
    assert.equal(audit.body.items[0].username, 'admin');
    assert.equal(audit.body.items[0].result, 'success');
    assert.equal((await s.call('GET', '/api/v1/audit/verify', s.adminToken)).body.ok, true);
  } finally {
    await s.cleanup();
  }
});

for (const kind of STORE_KINDS) {
  test(`${kind}: audit record times follow sequence order`, async () => {
    const t = await openTestStore(kind);
    try {
      const append = (at: string) =>
        t.store.db
          .transaction()
          .execute((trx) => appendAudit(trx, t.store, SYSTEM_ACTOR, { event: 'modifySetting', resourceType: 'setting', resourceId: at }, new Date(at)));
      await append('2026-03-01T12:00:05.000Z');
      // taken earlier (before the lock wait, or on a clock 5 s behind)
      await append('2026-03-01T12:00:00.000Z');
      await append('2026-03-01T12:00:07.000Z');
      const rows = await t.store.db.selectFrom('audit_log').select(['seq', 'time']).orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => r.time),
        ['2026-03-01T12:00:05.000Z', '2026-03-01T12:00:05.000Z', '2026-03-01T12:00:07.000Z'],
      );
      assert.equal((await verifyAudit(t.store.db, { key: t.store.auditKey!, trusted: [] })).ok, true);
    } finally {
      await t.cleanup();
    }
  });
}
