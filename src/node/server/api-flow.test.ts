// End-to-end API behaviour on SQLite and PostgreSQL: the seed's audit events
// after their operations, project isolation, tokens, secrets at rest,
// validation order, limits, pagination, alert grouping, a real scan of a
// docker-archive image, and tamper detection through the API and the CLI.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer, waitScan, type TestServer } from './server.test-helpers.js';
import { shellAlert } from '../../core/alerts/alerts.test-helpers.js';

const root = join(import.meta.dirname, '..', '..', '..');

function buildDemoImage(dir: string): string {
  const out = join(dir, 'demo-image.tar');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-demo-image.mjs'), out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return out;
}

const alert = (i: number, over: Record<string, unknown> = {}) => shellAlert(`al-${i}`, i, { container: { id: 'a'.repeat(64) }, ...over });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`API flow on ${kind}`, () => {
    let s: TestServer;
    let A = '';
    let B = '';
    before(async () => {
      s = await startTestServer(kind);
      A = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'alpha' })).body.id;
      B = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'beta' })).body.id;
    });
    after(async () => {
      await s?.cleanup();
    });

    test('seed operations leave their audit events; a real image is scanned', async () => {
      const t = s.adminToken;
      const img = await s.call('POST', `/api/v1/projects/${A}/images`, t, { ref: `docker-archive:${buildDemoImage(s.dataDir)}` });
      assert.equal(img.status, 201);
      const scan = await s.call('POST', `/api/v1/projects/${A}/images/${img.body.id}/scan`, t);
      assert.equal(scan.status, 202);
      const done = await waitScan(s, A, scan.body.scanId);
      assert.equal(done.status, 'succeeded', done.error);
      const pk = await s.call('GET', `/api/v1/projects/${A}/images/${img.body.id}/packages?limit=500`, t);
      assert.ok(pk.body.items.length > 3, 'the demo image has packages');
      const image = await s.call('GET', `/api/v1/projects/${A}/images/${img.body.id}`, t);
      assert.equal(image.body.osFamily, 'debian');
      assert.equal(image.body.lastScanId, scan.body.scanId);

      const reg = await s.call('POST', `/api/v1/projects/${A}/registries`, t, {
        name: 'r',
        url: 'http://127.0.0.1:1',
        username: 'u',
        password: 'registry-secret',
      });
      assert.equal(reg.status, 201);
      const sync = await s.call('POST', `/api/v1/projects/${A}/registries/${reg.body.id}/sync`, t);
      assert.equal(sync.status, 502);
      const pol = await s.call('POST', `/api/v1/projects/${A}/policies`, t, {
        name: 'web',
        kind: 'file-protection',
        mode: 'enforce',
        document: { fileProtection: { paths: ['/etc', '/usr/bin'] } },
      });
      assert.equal(pol.status, 201, JSON.stringify(pol.body));
      const badPol = await s.call('POST', `/api/v1/projects/${A}/policies`, t, {
        name: 'bad',
        kind: 'file-protection',
        document: { fileProtection: { paths: ['relative'] } },
      });
      assert.equal(badPol.status, 400);
      assert.equal((await s.call('PATCH', `/api/v1/projects/${A}/policies/${pol.body.id}`, t, { mode: 'alert' })).status, 200);
      assert.equal((await s.call('POST', `/api/v1/projects/${A}/policies/${pol.body.id}/images`, t, { imageIds: [img.body.id] })).status, 200);
      assert.equal((await s.call('DELETE', `/api/v1/projects/${A}/policies/${pol.body.id}`, t)).status, 200);
      const ig = await s.call('POST', `/api/v1/projects/${A}/vuln-ignores`, t, { vulnId: 'CVE-2024-0001', reason: 'not reachable' });
      assert.equal((await s.call('DELETE', `/api/v1/projects/${A}/vuln-ignores/${ig.body.id}`, t)).status, 200);
      const iig = await s.call('POST', `/api/v1/projects/${A}/images/${img.body.id}/vuln-ignores`, t, { vulnId: 'CVE-2024-0002' });
      assert.equal((await s.call('DELETE', `/api/v1/projects/${A}/images/${img.body.id}/vuln-ignores/${iig.body.id}`, t)).status, 200);
      const cl = await s.call('POST', `/api/v1/projects/${A}/clusters`, t, { name: 'prod' });
      assert.equal((await s.call('POST', `/api/v1/projects/${A}/clusters/${cl.body.id}/protect`, t)).body.protected, true);
      assert.equal((await s.call('POST', `/api/v1/projects/${A}/clusters/${cl.body.id}/unprotect`, t)).body.protected, false);
      const at = await s.call('POST', `/api/v1/projects/${A}/clusters/${cl.body.id}/agent-tokens`, t, {});
      assert.match(at.body.token, /^vgr_/);

      const events = new Set<string>();
      let after = 0;
      for (;;) {
        const page = await s.call('GET', `/api/v1/audit?limit=1000&after=${after}`, t);
        if (!page.body.items.length) break;
        for (const r of page.body.items) events.add(r.event);
        after = page.body.next;
      }
      for (const e of [
        'openClusterProtect',
        'closeClusterProtect',
        'addPolicy',
        'modifyPolicy',
        'deletePolicy',
        'imageApplyPolicy',
        'ignoreVul',
        'cancelIgnoreVul',
        'ignoreImageVul',
        'cancelIgnoreImageVul',
        'registerCgsAgency',
        'scanPrivateImage',
        'syncSwrPrivateImage',
        'addUser',
        'addProject',
        'addImage',
        'createAgentToken',
        'login',
      ]) {
        assert.ok(events.has(e), `audit trail lacks ${e}`);
      }
      const failedSync = await s.call('GET', '/api/v1/audit?event=syncSwrPrivateImage', t);
      assert.equal(failedSync.body.items[0].result, 'failure');
      // the registry password is neither returned nor stored in clear, nor in the audit summary
      const regRead = await s.call('GET', `/api/v1/projects/${A}/registries/${reg.body.id}`, t);
      assert.equal(regRead.body.hasPassword, true);
      assert.ok(!JSON.stringify(regRead.body).includes('registry-secret'));
      const raw = await s.ctx.store.db.selectFrom('registries').select('password_enc').executeTakeFirstOrThrow();
      assert.ok(raw.password_enc.startsWith('v1:') && !raw.password_enc.includes('registry-secret'));
      assert.equal(s.ctx.secrets.open(raw.password_enc), 'registry-secret');
      const regAudit = await s.call('GET', '/api/v1/audit?event=registerCgsAgency', t);
      assert.ok(!JSON.stringify(regAudit.body).includes('registry-secret'));
    });

    test('a user bound to project A sees nothing of project B', async () => {
      const u = await s.user('only-a', 'FullAccess', A);
      await s.call('POST', `/api/v1/alerts:batch?project=${A}`, s.adminToken, { alerts: [alert(1)] });
      await s.call('POST', `/api/v1/alerts:batch?project=${B}`, s.adminToken, { alerts: [alert(2, { host: 'b-host', container: undefined })] });
      const bImage = await s.call('POST', `/api/v1/projects/${B}/images`, s.adminToken, { ref: 'registry:example.test/b/app:1' });
      const projects = await s.call('GET', '/api/v1/projects', u.token);
      assert.deepEqual(
        projects.body.items.map((p: { id: string }) => p.id),
        [A],
      );
      const alerts = await s.call('GET', '/api/v1/alerts', u.token);
      assert.ok(alerts.body.items.length >= 1);
      assert.ok(alerts.body.items.every((a: { projectId: string }) => a.projectId === A));
      assert.equal((await s.call('GET', `/api/v1/alerts?project=${B}`, u.token)).status, 403);
      assert.equal((await s.call('GET', `/api/v1/projects/${B}/images`, u.token)).status, 403);
      // B's image id through A's URL: not found, not leaked
      assert.equal((await s.call('GET', `/api/v1/projects/${A}/images/${bImage.body.id}`, u.token)).status, 404);
      assert.equal((await s.call('DELETE', `/api/v1/projects/${A}/images/${bImage.body.id}`, u.token)).status, 404);
      assert.equal((await s.call('GET', `/api/v1/projects/${B}/images/${bImage.body.id}`, s.adminToken)).status, 200);
    });

    test('alerts group by type and subject; status changes; filters', async () => {
      const r = await s.call('POST', `/api/v1/alerts:batch?project=${A}`, s.adminToken, {
        alerts: [
          alert(10),
          alert(11),
          alert(12, { type: 'container/abnormal-process', severity: 'medium' }),
          alert(13, { type: 'custom/my-rule', severity: 'low' }),
        ],
      });
      assert.deepEqual(r.body, { received: 4, groups: 3 });
      const list = await s.call('GET', `/api/v1/alerts?project=${A}&type=system/reverse-shell`, s.adminToken);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].count, 3);
      assert.equal(list.body.items[0].firstSeen, alert(1).time);
      const id = list.body.items[0].id;
      assert.equal((await s.call('PATCH', `/api/v1/projects/${A}/alerts/${id}`, s.adminToken, { status: 'handled' })).status, 200);
      assert.equal((await s.call('GET', `/api/v1/alerts?project=${A}&status=handled`, s.adminToken)).body.items.length, 1);
      const bad = await s.call('POST', `/api/v1/alerts:batch?project=${A}`, s.adminToken, { alerts: [alert(1, { type: 'nope/unknown' })] });
      assert.equal(bad.status, 400);
      const badSev = await s.call('POST', `/api/v1/alerts:batch?project=${A}`, s.adminToken, { alerts: [alert(1, { severity: 'apocalyptic' })] });
      assert.equal(badSev.status, 400);
    });

    test('authentication before validation; limits; tokens', async () => {
      assert.equal((await s.call('POST', '/api/v1/projects', undefined, { bogus: 1 })).status, 401);
      assert.equal((await s.call('POST', '/api/v1/projects', s.adminToken, { bogus: 1 })).status, 400);
      assert.equal((await s.call('GET', '/api/v1/projects?limit=100000', s.adminToken)).status, 400);
      assert.equal((await s.call('GET', '/api/v1/projects?cursor=garbage', s.adminToken)).status, 400);
      const big = await s.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
        payload: `{"name":"${'x'.repeat(9 * 1024 * 1024)}"}`,
      });
      assert.equal(big.statusCode, 413);
      const notJson = await s.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
        payload: '{"name":',
      });
      assert.equal(notJson.statusCode, 400);
      const tok = await s.call('POST', '/api/v1/tokens', s.adminToken, { name: 'ci', expiresInDays: 1 });
      assert.match(tok.body.token, /^vga_/);
      assert.equal((await s.call('GET', '/api/v1/auth/me', tok.body.token)).body.tokenKind, 'api');
      const listed = await s.call('GET', '/api/v1/tokens', s.adminToken);
      assert.ok(!JSON.stringify(listed.body).includes(tok.body.token));
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${tok.body.id}`, s.adminToken)).status, 200);
      assert.equal((await s.call('GET', '/api/v1/auth/me', tok.body.token)).status, 401);
      assert.equal((await s.call('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: 'wrong' })).status, 401);
      assert.equal((await s.call('GET', '/metrics')).status, 401);
      const m = await s.call('GET', '/metrics', s.adminToken);
      assert.match(String(m.body), /vigil_http_requests_total\{/);
      const docs = await s.call('GET', '/api/docs/json');
      assert.equal(docs.status, 200);
      assert.ok(docs.body.paths['/api/v1/alerts:batch'] || docs.body.paths['/api/v1/alerts::batch']);
      assert.ok(Object.keys(docs.body.paths).length > 30);
    });

    test('cursor pagination with sorting visits every row once', async () => {
      for (let i = 0; i < 13; i++)
        await s.call('POST', `/api/v1/projects/${B}/images`, s.adminToken, { ref: `registry:example.test/page/app:${String(i).padStart(2, '0')}` });
      for (const sort of ['ref', '-ref', 'id', '-createdAt']) {
        const seen: string[] = [];
        let cursor = '';
        do {
          const r = await s.call(
            'GET',
            `/api/v1/projects/${B}/images?repository=page/app&limit=4&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
            s.adminToken,
          );
          assert.equal(r.status, 200, JSON.stringify(r.body));
          seen.push(...r.body.items.map((x: { ref: string }) => x.ref));
          cursor = r.body.next ?? '';
        } while (cursor);
        assert.equal(seen.length, 13, sort);
        const sorted = [...seen].sort();
        assert.deepEqual(seen, sort === 'ref' || sort === 'id' ? sorted : sorted.reverse(), sort);
      }
      assert.equal((await s.call('GET', `/api/v1/projects/${B}/images?sort=password`, s.adminToken)).status, 400);
    });

    test('tampering with a record fails verification, naming the record (API and CLI)', async () => {
      const ok = await s.call('GET', '/api/v1/audit/verify', s.adminToken);
      assert.equal(ok.body.ok, true);
      const csv = await s.call('GET', '/api/v1/audit/export?format=csv', s.adminToken);
      assert.match(String(csv.body), /^seq,time,user_id/);
      const cli = (args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'audit', ...args, '--db', s.store.url], {
          encoding: 'utf8',
          cwd: root,
        });
      const good = cli(['verify', '--data-dir', s.dataDir]);
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /audit trail OK/);
      await s.ctx.store.db.updateTable('audit_log').set({ username: 'mallory' }).where('seq', '=', 3).execute();
      const bad = await s.call('GET', '/api/v1/audit/verify', s.adminToken);
      assert.deepEqual(bad.body.bad?.seq, 3);
      const r = cli(['verify', '--data-dir', s.dataDir]);
      assert.equal(r.status, 1);
      assert.match(r.stdout, /BROKEN at record 3/);
      const exp = cli(['export', '--format', 'jsonl']);
      assert.equal(exp.status, 0);
      assert.ok(exp.stdout.split('\n').filter(Boolean).length > 10);
    });
  });
}

test('login is rate limited', async () => {
  const s = await startTestServer('sqlite', { loginRateLimit: 3 });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await s.call('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: 'x' })).status);
    assert.deepEqual(codes.slice(0, 2), [401, 401]);
    assert.equal(codes[4], 429);
  } finally {
    await s.cleanup();
  }
});
