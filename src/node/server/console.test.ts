// The console's static files and the overview aggregate, against a real
// app on SQLite and PostgreSQL: index.html at / and at client routes (no
// cache), hashed assets (immutable), the API and unknown URLs unchanged,
// hostile asset names refused; overview counts, with sections the caller
// may not read left out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { shellAlert } from '../../core/alerts/alerts.test-helpers.js';
import { startTestServer, type TestServer } from './server.test-helpers.js';

const consoleDir = mkdtempSync(join(tmpdir(), 'vigil-console-'));
mkdirSync(join(consoleDir, 'assets'));
writeFileSync(
  join(consoleDir, 'index.html'),
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>',
);
writeFileSync(join(consoleDir, 'assets', 'index-abc123.js'), 'console.log("vigil")');
// The build's precompressed copies (web/vite.config.mjs) of a larger chunk.
const big = `export const rows = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `row-${i}` })))};\n`;
writeFileSync(join(consoleDir, 'assets', 'page-def456.js'), big);
writeFileSync(join(consoleDir, 'assets', 'page-def456.js.br'), brotliCompressSync(big));
writeFileSync(join(consoleDir, 'assets', 'page-def456.js.gz'), gzipSync(big));
writeFileSync(join(consoleDir, 'secret.txt'), 'not an asset');

const now = Date.now();
const alert = (i: number, over: Record<string, unknown> = {}) =>
  shellAlert(`ov-${i}`, i, { time: new Date(now - i * 3600_000).toISOString(), container: { id: 'a'.repeat(64) }, ...over });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`console on ${kind}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind, { consoleDir }, { workers: 0 });
    });
    after(async () => {
      await s.cleanup();
    });

    test('index.html at / and at every client route, not cached; assets immutable; API unchanged', async () => {
      for (const url of ['/', '/overview', '/images/01ABC?project=x', '/alerts/x/y', '/login?next=%2Fimages']) {
        const r = await s.app.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 200, url);
        assert.match(String(r.headers['content-type']), /text\/html/, url);
        assert.equal(r.headers['cache-control'], 'no-cache', url);
        assert.match(r.body, /<div id="root">/);
        const csp = String(r.headers['content-security-policy']);
        assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts');
        assert.match(csp, /connect-src 'self'/);
      }
      const js = await s.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
      // Unknown URLs and the API keep their behaviour: 401 before anything else without a token.
      assert.equal((await s.app.inject({ method: 'GET', url: '/nope' })).statusCode, 401);
      assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/images' })).statusCode, 401);
      assert.equal((await s.app.inject({ method: 'GET', url: '/api/v1/projects' })).statusCode, 401);
    });

    test('assets go brotli or gzip compressed to browsers that accept it, as built; plain otherwise', async () => {
      const url = '/assets/page-def456.js';
      const get = (enc?: string) => s.app.inject({ method: 'GET', url, headers: enc ? { 'accept-encoding': enc } : {} });
      const br = await get('gzip, deflate, br');
      assert.equal(br.statusCode, 200);
      assert.equal(br.headers['content-encoding'], 'br');
      assert.match(String(br.headers['content-type']), /javascript/);
      assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(br.headers.vary), /accept-encoding/i);
      assert.equal(brotliDecompressSync(br.rawPayload).toString('utf8'), big);
      assert.ok(br.rawPayload.length < big.length / 3, `brotli body ${br.rawPayload.length} bytes of ${big.length}`);
      const gz = await get('gzip');
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(gunzipSync(gz.rawPayload).toString('utf8'), big);
      const plain = await get();
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.body, big);
      // No compressed copy: the file as it is, whatever the browser accepts.
      const small = await s.app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
      assert.equal(small.headers['content-encoding'], undefined);
      assert.equal(small.body, 'console.log("vigil")');
    });

    test('asset names outside the build are refused', async () => {
      for (const url of ['/assets/missing-1.js', '/assets/..%2Fsecret.txt', '/assets/%2e%2e/secret.txt', '/assets/.hidden', '/assets/a/b.js']) {
        const r = await s.app.inject({ method: 'GET', url });
        assert.ok(r.statusCode === 404 || r.statusCode === 401, `${url}: ${r.statusCode}`);
        assert.doesNotMatch(r.body, /not an asset/, url);
      }
    });

    test('overview: images by highest severity, top images and packages, alerts by day and type, clusters, nodes', async () => {
      const P = s.defaultProjectId;
      const mk = async (ref: string, c: Partial<Record<'critical' | 'high' | 'medium' | 'low', number>>, scanned = true) => {
        const r = await s.call('POST', `/api/v1/projects/${P}/images`, s.adminToken, { ref });
        assert.equal(r.status, 201);
        await s.ctx.store.db
          .updateTable('images')
          .set({ ...c, last_scan_id: scanned ? 'scan-x' : null })
          .where('id', '=', r.body.id)
          .execute();
        return r.body.id as string;
      };
      const crit = await mk('registry:example.test/a:1', { critical: 2, high: 1 });
      const high = await mk('registry:example.test/b:1', { high: 3 });
      await mk('registry:example.test/c:1', {});
      await mk('registry:example.test/d:1', {}, false);
      for (const [i, pkg, img] of [
        [1, 'openssl', crit],
        [2, 'openssl', high],
        [3, 'zlib', crit],
      ] as const) {
        await s.ctx.store.db
          .insertInto('findings')
          .values({
            id: `f${i}`,
            image_id: img,
            scan_id: 'scan-x',
            kind: 'vuln',
            ref_id: `CVE-2026-000${i}`,
            package: pkg,
            installed_version: '1',
            fixed_version: '2',
            severity: 'high',
            title: '',
            data: '{}',
          })
          .execute();
      }
      await s.call('POST', `/api/v1/alerts:batch?project=${P}`, s.adminToken, {
        alerts: [alert(1), alert(2), alert(3, { type: 'container/abnormal-process', severity: 'medium' })],
      });
      const c = await s.call('POST', `/api/v1/projects/${P}/clusters`, s.adminToken, { name: 'prod' });
      await s.call('POST', `/api/v1/projects/${P}/clusters`, s.adminToken, { name: 'dev' });
      await s.call('POST', `/api/v1/projects/${P}/clusters/${c.body.id}/protect`, s.adminToken);
      await s.call('PUT', `/api/v1/projects/${P}/nodes/node-1`, s.adminToken, { status: 'online' });
      await s.call('PUT', `/api/v1/projects/${P}/nodes/node-2`, s.adminToken, { status: 'offline' });

      const r = await s.call('GET', `/api/v1/projects/${P}/overview`, s.adminToken);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.images, { total: 4, unscanned: 1, critical: 1, high: 1, medium: 0, low: 0, clean: 1 });
      assert.deepEqual(
        r.body.topImages.map((x: { id: string }) => x.id),
        [crit, high],
      );
      assert.deepEqual(r.body.topPackages, [
        { package: 'openssl', findings: 2, images: 2 },
        { package: 'zlib', findings: 1, images: 1 },
      ]);
      assert.equal(r.body.alerts.open, 2);
      assert.deepEqual(r.body.alerts.byType.map((x: { type: string; groups: number }) => [x.type, x.groups]).sort(), [
        ['container/abnormal-process', 1],
        ['system/reverse-shell', 1],
      ]);
      assert.equal(
        r.body.alerts.byDay.reduce((n: number, x: { groups: number }) => n + x.groups, 0),
        2,
      );
      assert.deepEqual(r.body.clusters, { total: 2, protected: 1 });
      assert.deepEqual(r.body.nodes, { online: 1, offline: 1, degraded: 0 });

      // Only image:read: the alert, cluster and node sections are not computed.
      const u = await s.user(`imgonly-${kind}`, 'Custom', P, ['image:read']);
      const lim = await s.call('GET', `/api/v1/projects/${P}/overview`, u.token);
      assert.equal(lim.status, 200);
      assert.equal(lim.body.images.total, 4);
      assert.equal(lim.body.alerts, null);
      assert.equal(lim.body.clusters, null);
      assert.equal(lim.body.nodes, null);
      const none = await s.user(`alertonly-${kind}`, 'Custom', P, ['alert:read']);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/overview`, none.token)).status, 403);
      assert.equal((await s.call('GET', `/api/v1/projects/${P}/overview`)).status, 401);
    });
  });
}

after(() => rmSync(consoleDir, { recursive: true, force: true }));
