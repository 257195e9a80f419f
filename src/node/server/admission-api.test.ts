// The admission API on SQLite and PostgreSQL: image-admission policies
// validated with the full model (the shipped examples accepted as they are),
// image facts from stored scans (fixable counts, ignores), and the "what
// would happen" endpoint for workloads and images.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { insertImage } from '../services/images.js';
import { newId } from '../store/ids.js';

const example = (n: string) => parse(readFileSync(new URL(`../../../examples/admission/${n}`, import.meta.url), 'utf8'));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`admission API on ${kind}`, () => {
    let s: TestServer;
    let P = '';
    before(async () => {
      s = await startTestServer(kind, {}, { workers: 0 });
      P = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'adm' })).body.id;
      // A scanned image with 2 critical (1 fixable) and 1 high finding, and an unscanned one.
      const db = s.ctx.store.db;
      const scanned = await db.transaction().execute((trx) => insertImage(s.ctx, trx, P, 'registry:registry.example.com/app:1.0'));
      await db.transaction().execute((trx) => insertImage(s.ctx, trx, P, 'registry:registry.example.com/new:2'));
      const scanId = newId();
      const at = s.ctx.clock().toISOString();
      await db
        .insertInto('scans')
        .values({
          id: scanId,
          project_id: P,
          image_id: scanned,
          status: 'succeeded',
          progress: 100,
          error: '',
          attempts: 1,
          trigger: 'manual',
          worker: 't',
          created_at: at,
          started_at: at,
          finished_at: at,
        })
        .execute();
      await db
        .updateTable('images')
        .set({ last_scan_id: scanId, last_scan_at: at, digest: `sha256:${'d'.repeat(64)}` })
        .where('id', '=', scanned)
        .execute();
      const f = (ref: string, severity: string, fixed: string) => ({
        id: newId(),
        image_id: scanned,
        scan_id: scanId,
        kind: 'vuln',
        ref_id: ref,
        package: 'openssl',
        installed_version: '1',
        fixed_version: fixed,
        severity,
        title: '',
        data: '{}',
      });
      await db
        .insertInto('findings')
        .values([f('CVE-1', 'critical', '1.1'), f('CVE-2', 'critical', ''), f('CVE-3', 'high', '2'), f('CVE-4', 'low', '2')])
        .execute();
    });
    after(async () => {
      await s?.cleanup();
    });

    test('policies: the examples are accepted as they are; bad documents name the field', async () => {
      const t = s.adminToken;
      const danger = example('block-dangerous-settings.yaml');
      const r1 = await s.call('POST', `/api/v1/projects/${P}/policies`, t, { name: danger.name, kind: 'image-admission', document: danger });
      assert.equal(r1.status, 201, JSON.stringify(r1.body));
      for (const p of example('block-critical-vulns.yaml').policies) {
        const r = await s.call('POST', `/api/v1/projects/${P}/policies`, t, { name: p.name, kind: 'image-admission', document: p });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      const list = await s.call('GET', `/api/v1/projects/${P}/admission/policies`, t);
      assert.deepEqual(
        list.body.policies.map((p: any) => [p.name, p.mode]),
        [
          ['block-critical-vulns', 'enforce'],
          ['block-dangerous-settings', 'enforce'],
          ['warn-high-vulns', 'warn'],
        ],
      );
      const bad = await s.call('POST', `/api/v1/projects/${P}/policies`, t, {
        name: 'x',
        kind: 'image-admission',
        mode: 'warn',
        document: { rules: { container: { privilegd: true } } },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message ?? JSON.stringify(bad.body), /document\.rules\.container\.privilegd: unknown field/);
      const runtimeWarn = await s.call('POST', `/api/v1/projects/${P}/policies`, t, {
        name: 'y',
        kind: 'file-protection',
        mode: 'warn',
        document: { fileProtection: { paths: ['/etc'] } },
      });
      assert.equal(runtimeWarn.status, 400);
    });

    test('image facts: by tag and digest, fixable counts, ignores respected; unknown image is null', async () => {
      const t = s.adminToken;
      const r = await s.call('GET', `/api/v1/projects/${P}/admission/image-facts?image=registry.example.com/app:1.0`, t);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.facts.vulnerabilities, { critical: 2, high: 1, criticalFixable: 1, highFixable: 1 });
      const byDigest = await s.call(
        'GET',
        `/api/v1/projects/${P}/admission/image-facts?image=${encodeURIComponent(`registry.example.com/app@sha256:${'d'.repeat(64)}`)}`,
        t,
      );
      assert.equal(byDigest.body.facts.scanned, true);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/admission/image-facts?image=registry.example.com/new:2`, t)).body.facts.scanned, false);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/admission/image-facts?image=nginx:1`, t)).body.facts, null);
      const badRef = await s.call('GET', `/api/v1/projects/${P}/admission/image-facts?image=${encodeURIComponent('Bad Ref')}`, t);
      assert.equal(badRef.status, 400);
      assert.match(badRef.body.message, /image: bad repository name/);
      const ig = await s.call('POST', `/api/v1/projects/${P}/vuln-ignores`, t, { vulnId: 'CVE-1', reason: 'not reachable' });
      assert.ok(ig.status < 300, JSON.stringify(ig.body));
      const after = await s.call('GET', `/api/v1/projects/${P}/admission/image-facts?image=registry.example.com/app:1.0`, t);
      assert.deepEqual(after.body.facts.vulnerabilities, { critical: 1, high: 1, criticalFixable: 0, highFixable: 1 });
      await s.call('DELETE', `/api/v1/projects/${P}/vuln-ignores/${ig.body.id}`, t);
    });

    test('what would happen: workloads and images against the stored or draft policies', async () => {
      const t = s.adminToken;
      const pod = (over: Record<string, unknown> = {}, image = 'registry.example.com/new:2') => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, securityContext: over }] } } },
      });
      const unscanned = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, { object: pod() });
      assert.equal(unscanned.status, 200, JSON.stringify(unscanned.body));
      assert.equal(unscanned.body.allowed, false);
      assert.deepEqual(
        unscanned.body.denied.map((r: any) => r.rule),
        ['scan.required'],
      );
      const priv = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, { object: pod({ privileged: true }, 'registry.example.com/app:1.0') });
      assert.deepEqual(priv.body.denied.map((r: any) => `${r.policy}/${r.rule}`).sort(), [
        'block-critical-vulns/vulnerabilities.critical',
        'block-dangerous-settings/container.privileged',
      ]);
      const img = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, {
        image: 'registry.example.com/app:1.0',
        policies: [{ name: 'd', mode: 'warn', rules: { vulnerabilities: { maxHigh: 0 } } }],
      });
      assert.equal(img.body.allowed, true);
      assert.deepEqual(
        img.body.warnings.map((r: any) => r.rule),
        ['vulnerabilities.high'],
      );
      const both = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, { image: 'a:1', object: pod() });
      assert.equal(both.status, 400);
      const notWorkload = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, { object: { kind: 'Service', metadata: { name: 's' } } });
      assert.equal(notWorkload.status, 400);
      const badDraft = await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, t, {
        image: 'a:1',
        policies: [{ name: 'd', rules: { malware: 'yes' } }],
      });
      assert.equal(badDraft.status, 400);
      assert.match(badDraft.body.message, /policies: policies\[0\]\.rules\.malware: must be true or false/);
      const reader = await s.user(`reader-${kind}`, 'ReadOnlyAccess', P);
      assert.equal((await s.call('POST', `/api/v1/projects/${P}/admission/evaluate`, reader.token, { image: 'a:1' })).status, 403);
    });
  });
}
