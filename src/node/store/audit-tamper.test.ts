// The keyed, anchored audit trail against each kind of tampering, on both
// store kinds: a changed record, one deleted in the middle, the newest
// deleted, all deleted, deleted and the plain SHA-256 chain recomputed, a
// checkpoint forged without the signing key; plus the migration's switch
// point (legacy records keep verifying, a downgrade after it does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { auditHash, GENESIS_HASH } from '../../core/auth/audit-chain.js';
import { InputError } from '../../core/errors.js';
import { auditOnly, latestCheckpoint, parseCheckpoint, signCheckpoint, SYSTEM_ACTOR, verifyAudit, writeCheckpoint, type VerifyResult } from './audit-log.js';
import { openTestStore, STORE_KINDS, type TestStore } from './store.test-helpers.js';

const signer = generateKeyPairSync('ed25519').privateKey;
const trusted = [createPublicKey(signer)];

async function fill(t: TestStore, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await auditOnly(t.store, SYSTEM_ACTOR, { event: 'addPolicy', resourceType: 'policy', resourceId: `p${i}` });
}

const verify = (t: TestStore, extra: Partial<Parameters<typeof verifyAudit>[1]> = {}): Promise<VerifyResult> =>
  verifyAudit(t.store.db, { key: t.store.auditKey!, trusted, pageSize: 3, ...extra });

/** What an attacker without the key can do: recompute every link with plain SHA-256 (renumbering from 1). */
async function rechainPlain(t: TestStore): Promise<void> {
  const rows = await t.store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
  await t.store.db.deleteFrom('audit_log').execute();
  let prev = GENESIS_HASH;
  let seq = 1;
  for (const r of rows) {
    const rec = { ...r, seq: seq++, prev_hash: prev };
    rec.hash = auditHash(prev, rec);
    prev = rec.hash;
    await t.store.db.insertInto('audit_log').values(rec).execute();
  }
}

for (const kind of STORE_KINDS) {
  test(`${kind}: keyed audit chain names each kind of tampering`, async (tt) => {
    const t = await openTestStore(kind);
    try {
      const fresh = async (): Promise<void> => {
        await t.store.db.deleteFrom('audit_log').execute();
        await t.store.db.deleteFrom('audit_checkpoints').execute();
        await fill(t, 8);
        await writeCheckpoint(t.store, signer);
      };

      await tt.test('intact trail verifies against its checkpoint', async () => {
        await fresh();
        const v = await verify(t);
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.records, 8);
        assert.equal(v.checkpoint?.seq, 8);
        assert.equal(v.checkpoint?.source, 'database');
        // no checkpoint at all: still verifies the links, but says truncation is not detectable
        await t.store.db.deleteFrom('audit_checkpoints').execute();
        assert.match((await verify(t)).warning ?? '', /no signed checkpoint/);
      });

      // Tampering with the trail's rows, and the first record verify names.
      const tamperings: Array<[string, () => Promise<unknown>, { seq: number; kind: string }]> = [
        [
          'a changed record',
          () => t.store.db.updateTable('audit_log').set({ resource_id: 'evil' }).where('seq', '=', 5).execute(),
          { seq: 5, kind: 'changed' },
        ],
        ['a record deleted in the middle', () => t.store.db.deleteFrom('audit_log').where('seq', '=', 4).execute(), { seq: 4, kind: 'deleted' }],
        ['the newest records deleted', () => t.store.db.deleteFrom('audit_log').where('seq', '>=', 7).execute(), { seq: 7, kind: 'truncated' }],
      ];
      for (const [name, tamper, bad] of tamperings) {
        await tt.test(name, async () => {
          await fresh();
          await tamper();
          const v = await verify(t);
          assert.equal(v.bad?.seq, bad.seq);
          assert.equal(v.bad?.kind, bad.kind);
        });
      }

      await tt.test("all records deleted (the database's checkpoints too, given the operator's copy)", async () => {
        await fresh();
        const kept = (await latestCheckpoint(t.store.db))!;
        await t.store.db.deleteFrom('audit_log').execute();
        let v = await verify(t);
        assert.equal(v.bad?.kind, 'truncated');
        assert.equal(v.bad?.seq, 1);
        await t.store.db.deleteFrom('audit_checkpoints').execute();
        assert.equal((await verify(t)).ok, true); // nothing left to anchor on ...
        v = await verify(t, { external: [{ checkpoint: parseCheckpoint(JSON.stringify(kept), 'kept.json'), source: 'kept.json' }] });
        assert.equal(v.ok, false); // ... but the copy kept outside the database catches it
        assert.equal(v.bad?.kind, 'truncated');
        assert.equal(v.checkpoint?.source, 'kept.json');
      });

      await tt.test('a record deleted and the plain SHA-256 chain recomputed', async () => {
        await fresh();
        await t.store.db.deleteFrom('audit_log').where('seq', '=', 3).execute();
        await rechainPlain(t);
        const v = await verify(t);
        assert.equal(v.bad?.seq, 1);
        assert.equal(v.bad?.kind, 're-chained');
        // moving the switch point in the database does not help: the checkpoint signs it
        await t.store.db.updateTable('audit_chain').set({ hmac_from: 1000 }).execute();
        assert.equal((await verify(t)).bad?.kind, 're-chained');
        await t.store.db.updateTable('audit_chain').set({ hmac_from: 1 }).execute();
      });

      await tt.test('a checkpoint forged without the signing key', async () => {
        await fresh();
        await t.store.db.deleteFrom('audit_log').where('seq', '>=', 6).execute();
        const head = (await t.store.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst())!;
        // signed with the attacker's own key
        const other = generateKeyPairSync('ed25519').privateKey;
        const forged = signCheckpoint({ seq: head.seq, hash: head.hash, hmacFrom: 1, time: '2099-01-01T00:00:00.000Z' }, other);
        await t.store.db
          .insertInto('audit_checkpoints')
          .values({ seq: 99, hash: forged.hash, hmac_from: 1, time: forged.time, key_id: forged.keyId, signature: forged.signature })
          .execute();
        let v = await verify(t);
        assert.equal(v.bad?.kind, 'forged-checkpoint');
        assert.equal(v.bad?.seq, 99);
        // a real checkpoint's signature over edited fields
        await t.store.db.deleteFrom('audit_checkpoints').where('seq', '=', 99).execute();
        await t.store.db.updateTable('audit_checkpoints').set({ seq: head.seq, hash: head.hash }).execute();
        v = await verify(t);
        assert.equal(v.bad?.kind, 'forged-checkpoint');
      });

      await tt.test('migration: legacy records verify up to the switch point, not after it', async () => {
        await t.store.db.deleteFrom('audit_log').execute();
        await t.store.db.deleteFrom('audit_checkpoints').execute();
        // three records as the unkeyed chain wrote them, then the switch at 4
        await fill(t, 3);
        await rechainPlain(t);
        await t.store.db.updateTable('audit_chain').set({ hmac_from: 4 }).execute();
        await fill(t, 3);
        await writeCheckpoint(t.store, signer);
        const v = await verify(t);
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.records, 6);
        // a legacy record changed is still caught
        await t.store.db.updateTable('audit_log').set({ event: 'x' }).where('seq', '=', 2).execute();
        assert.deepEqual((await verify(t)).bad?.seq, 2);
        await t.store.db.updateTable('audit_chain').set({ hmac_from: 1 }).execute();
      });
    } finally {
      await t.cleanup();
    }
  });
}

test('a checkpoint file is checked field by field', () => {
  const good = signCheckpoint({ seq: 3, hash: 'a'.repeat(64), hmacFrom: 1, time: '2026-01-01T00:00:00.000Z' }, signer);
  assert.deepEqual(parseCheckpoint(JSON.stringify(good), 'f'), good);
  for (const bad of [
    '',
    'nope',
    '[]',
    '{"version":2}',
    JSON.stringify({ ...good, seq: -1 }),
    JSON.stringify({ ...good, seq: '3' }),
    JSON.stringify({ ...good, hash: 'zz' }),
    JSON.stringify({ ...good, signature: 5 }),
    'x'.repeat(70000),
  ]) {
    assert.throws(
      () => parseCheckpoint(bad, 'f.json'),
      (e: unknown) => e instanceof InputError && /f\.json/.test(String((e as InputError).message) + JSON.stringify(e)),
    );
  }
});
