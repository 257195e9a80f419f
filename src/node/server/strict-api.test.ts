// Strict requests and honest answers (issue 17, items 6 to 8 and the lesser
// findings): no type coercion in bodies, booleans as booleans, references
// validated when added, webhook URL secrets never shown or audited, 429 named
// as such, the database file owner-only, a scan requested with an image
// recorded as scanPrivateImage, refused writes in the trail, and re-sent
// alert batches counted once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { shellAlert } from '../../core/alerts/alerts.test-helpers.js';
import { redactUrl } from '../services/settings.js';

const alert = (i: number) => shellAlert(`idem-${i}`, i);

describe('strict API', () => {
  let s: TestServer;
  let P: string;
  before(async () => {
    s = await startTestServer('sqlite', { loginRateLimit: 3, outboundAllow: '127.0.0.1' }, { workers: 0 });
    P = s.defaultProjectId;
  });
  after(() => s.cleanup());

  const trail = async (event: string) => (await s.call('GET', `/api/v1/audit?event=${event}&limit=100`, s.adminToken)).body.items as any[];

  test('wrong JSON types are refused, not coerced; query strings are still read as numbers and booleans', async () => {
    for (const [url, body] of [
      ['/api/v1/projects', { name: 123 }],
      ['/api/v1/projects', { name: true }],
      [`/api/v1/projects/${P}/registries`, { name: 'r', url: 'https://example.com', insecure: 'true' }],
      [`/api/v1/projects/${P}/images`, { ref: 'registry:example.com/a:1', scan: 1 }],
      [`/api/v1/projects/${P}/images`, { ref: ['registry:example.com/a:1'] }],
      ['/api/v1/tokens', { name: 'x', expiresInDays: '30' }],
    ] as const) {
      const r = await s.call('POST', url, s.adminToken, body);
      assert.equal(r.status, 400, `${url} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'VALIDATION');
    }
    assert.equal((await s.call('GET', '/api/v1/projects', s.adminToken)).body.items.length, 1);
    const listed = await s.call('GET', `/api/v1/projects/${P}/images?limit=5&scanned=false`, s.adminToken);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
  });

  test('flags come back as booleans', async () => {
    const reg = await s.call('POST', `/api/v1/projects/${P}/registries`, s.adminToken, { name: 'flags', url: 'https://example.com', insecure: true });
    const read = await s.call('GET', `/api/v1/projects/${P}/registries/${reg.body.id}`, s.adminToken);
    assert.equal(read.body.insecure, true);
    const users = await s.call('GET', '/api/v1/users', s.adminToken);
    assert.equal(users.body.items[0].disabled, false);
  });

  test('an invalid image reference is a 400 with the reason when added, not a scan failing four times', async () => {
    for (const ref of ['registry:UPPER.example.com/App:1', 'registry:example.com/a:b:c:d', 'registry:example.com', 'registry:exa mple.com/a']) {
      const r = await s.call('POST', `/api/v1/projects/${P}/images`, s.adminToken, { ref, scan: true });
      assert.equal(r.status, 400, `${ref}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'REGISTRY_BAD_REFERENCE', ref);
    }
    assert.equal((await s.call('GET', `/api/v1/projects/${P}/scans`, s.adminToken)).body.items.length, 0);
  });

  test('adding an image with scan=true records scanPrivateImage beside addImage', async () => {
    const r = await s.call('POST', `/api/v1/projects/${P}/images`, s.adminToken, { ref: 'registry:example.com/team/app:1', scan: true });
    assert.equal(r.status, 201);
    const scans = await trail('scanPrivateImage');
    assert.equal(scans.length, 1);
    assert.equal(scans[0].resourceId, r.body.id);
    assert.equal(scans[0].summary.scanId, r.body.scanId);
    assert.equal((await trail('addImage')).filter((x) => x.resourceId === r.body.id).length, 1);
  });

  test('refused writes (400) are in the trail with their result, once', async () => {
    await s.call('POST', '/api/v1/projects', s.adminToken, { name: 123 });
    const refused = (await trail('addProject')).filter((x) => x.result === 'failure');
    assert.ok(refused.length >= 1);
    assert.equal(refused[0].summary.status, 400);
    assert.equal(refused[0].summary.error, 'VALIDATION');
    // A service's own refusal (inside its transaction) gives one record, not two.
    const u = await s.call('POST', '/api/v1/users', s.adminToken, { username: 'dora', password: 'mauve kettle orbit' });
    const before = (await trail('addRoleBinding')).length;
    const bad = await s.call('POST', `/api/v1/users/${u.body.id}/bindings`, s.adminToken, { role: 'Custom', actions: ['no:such'] });
    assert.equal(bad.status, 400);
    const after = await trail('addRoleBinding');
    assert.equal(after.length, before + 1);
    assert.equal(after[0].result, 'failure');
    // A weak password refused inside the service: one record.
    const weakBefore = (await trail('addUser')).length;
    assert.equal((await s.call('POST', '/api/v1/users', s.adminToken, { username: 'eve', password: 'password1' })).status, 400);
    assert.equal((await trail('addUser')).length, weakBefore + 1);
  });

  test('webhook URLs: the secret in the URL is neither returned nor audited, and deliveries still use it', async () => {
    const got: string[] = [];
    const hook = http.createServer((q, r) => {
      got.push(q.url!);
      q.resume();
      r.end();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const port = (hook.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${port}/services/T0001/B0002/s3cr3tT0kenValue?sig=topsecret`;
      const n = await s.call('POST', '/api/v1/notifiers', s.adminToken, { name: 'chat', kind: 'webhook', url, secret: 'hmac-key-1' });
      assert.equal(n.status, 201);
      const listed = JSON.stringify((await s.call('GET', '/api/v1/notifiers', s.adminToken)).body);
      for (const secret of ['s3cr3tT0kenValue', 'topsecret', 'hmac-key-1', 'T0001']) {
        assert.ok(!listed.includes(secret), `${secret} in ${listed}`);
        assert.ok(!JSON.stringify(await trail('addNotifier')).includes(secret), `${secret} in the trail`);
      }
      assert.match(listed, new RegExp(`http://127\\.0\\.0\\.1:${port}/services/\\*\\*\\*/\\*\\*\\*/\\*\\*\\*\\?\\*\\*\\*`));
      const raw = await s.ctx.store.db.selectFrom('notifiers').select('config').executeTakeFirstOrThrow();
      assert.ok(!raw.config.includes('s3cr3tT0kenValue'), 'stored sealed');
      s.ctx.notifier.invalidate();
      await s.ctx.notifier.alerts(P, [alert(99) as any]);
      await s.ctx.notifier.flush();
      assert.deepEqual(got, ['/services/T0001/B0002/s3cr3tT0kenValue?sig=topsecret']);
    } finally {
      hook.close();
    }
    assert.equal(redactUrl('https://user:pw@hooks.example.com/'), 'https://hooks.example.com/');
    assert.equal(redactUrl('not a url'), '***');
  });

  test('re-sent alert batches are acknowledged and counted once', async () => {
    const first = await s.call('POST', `/api/v1/alerts:batch?project=${P}`, s.adminToken, { alerts: [alert(1), alert(2)] });
    assert.deepEqual(first.body, { received: 2, groups: 1 });
    const again = await s.call('POST', `/api/v1/alerts:batch?project=${P}`, s.adminToken, { alerts: [alert(1), alert(2), alert(3)] });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { received: 1, groups: 1 });
    const groups = (await s.call('GET', `/api/v1/alerts?project=${P}`, s.adminToken)).body.items;
    const g = groups.find((x: any) => x.type === 'system/reverse-shell' && x.host === 'node-1');
    assert.equal(g.count, 3);
  });

  test('the database file and key files are owner-only', () => {
    for (const f of ['secret.key', 'audit-signing.key']) {
      const p = join(s.dataDir, f);
      assert.equal(statSync(p).mode & 0o777, 0o600, f);
    }
    const dbPath = s.store.url.replace(/^sqlite:/, '');
    assert.equal(statSync(dbPath).mode & 0o777, 0o600, dbPath);
    assert.equal(statSync(`${dbPath}-wal`).mode & 0o777, 0o600);
  });

  test('a 429 says RATE_LIMITED', async () => {
    let last: any;
    for (let i = 0; i < 5; i++) last = await s.call('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: 'wrong-password' });
    assert.equal(last.status, 429);
    assert.equal(last.body.error, 'RATE_LIMITED');
  });
});
