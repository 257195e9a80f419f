// The server's trust boundaries tried from outside, as an ordinary project
// user would (issue 17, findings 1 to 3): local image references reading the
// server's disk, a registry's stored password sent to a host the user
// controls, and the server used to probe internal addresses (registries,
// token realms, registry: image references, webhooks). Each attack fails,
// and the legitimate case next to it works. Real HTTP listeners on loopback
// play the attacker's host and the internal service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestServer, waitScan, type TestServer } from './server.test-helpers.js';
import { writeDockerArchive } from '../../../test/helpers/image-builder.js';

interface Listener {
  port: number;
  hits: Array<{ url: string; authorization?: string }>;
  /** TCP connections accepted (also those that never became an HTTP request, e.g. a TLS handshake). */
  connections: number;
  close(): Promise<void>;
}

/** An HTTP listener recording what reaches it; `respond` answers (default: a registry that wants Basic auth). */
async function listen(respond?: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Listener> {
  const hits: Listener['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (respond) return respond(req, res);
    if (!req.headers.authorization) return res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"repositories":[]}');
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('local image references (finding 1)', () => {
  let s: TestServer;
  let allowed: string;
  let user: string;
  const outside = mkdtempSync(join(tmpdir(), 'vigil-outside-'));
  before(async () => {
    allowed = mkdtempSync(join(tmpdir(), 'vigil-allowed-'));
    await writeDockerArchive(join(allowed, 'app.tar'), { layers: [{ files: [{ path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }] }] });
    mkdirSync(join(allowed, 'rootfs', 'etc'), { recursive: true });
    symlinkSync('/etc', join(allowed, 'escape'));
    writeFileSync(join(outside, 'secret.tar'), 'x');
    s = await startTestServer('sqlite', { localImageDirs: allowed, jobRetryLimit: 0 }, { workers: 1 });
    user = (await s.user('dev', 'FullAccess', s.defaultProjectId)).token;
  });
  after(async () => {
    await s.cleanup();
    rmSync(allowed, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('outside the allowed directories: refused with the same answer whether the path exists or not', async () => {
    const P = s.defaultProjectId;
    const answers = new Set<string>();
    for (const ref of [
      'rootfs:/etc',
      'rootfs:/',
      'rootfs:/no/such/dir',
      'docker-archive:/etc/passwd',
      `docker-archive:${join(outside, 'secret.tar')}`,
      `docker-archive:${join(outside, 'missing.tar')}`,
      'oci:/var/lib:latest',
      'oci-archive:/nonexistent.tar',
      `rootfs:${allowed}/../../etc`,
      `rootfs:${join(allowed, 'escape')}`,
      `rootfs:${join(allowed, 'escape', 'ssh')}`,
      `rootfs:${join(allowed, 'escape', 'no-such-file')}`,
      'rootfs:relative/path',
    ]) {
      const r = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref, scan: true });
      assert.equal(r.status, 400, `${ref}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'IMAGE_REF_REFUSED', ref);
      answers.add(r.body.message.replace(` (${ref})`, '').replace(ref, 'REF'));
    }
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.match([...answers][0]!, /not inside a directory an administrator allowed/);
    const images = await s.call('GET', `/api/v1/projects/${P}/images`, s.adminToken);
    assert.equal(images.body.items.length, 0);
  });

  test('inside an allowed directory: added and scanned', async () => {
    const P = s.defaultProjectId;
    const r = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref: `docker-archive:${join(allowed, 'app.tar')}`, scan: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const scan = await waitScan(s, P, r.body.scanId);
    assert.equal(scan.status, 'succeeded', scan.error);
    const root = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref: `rootfs:${join(allowed, 'rootfs')}` });
    assert.equal(root.status, 201, JSON.stringify(root.body));
  });

  test('node-local engine references are refused even with local directories allowed: they come through agents', async () => {
    const P = s.defaultProjectId;
    for (const ref of ['docker-daemon:nginx:1.25', `docker-daemon:sha256:${'a'.repeat(64)}`, 'containerd:docker.io/library/nginx:1.25']) {
      const r = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref, scan: true });
      assert.equal(r.status, 400, ref);
    }
    // Stored some other way (not through the API): the worker refuses to open it.
    const { ensureImage } = await import('../services/images.js');
    const im = await ensureImage(
      s.ctx,
      { actor: { userId: '', username: 'old', sourceIp: '', userAgent: '' }, event: 'addImage' },
      P,
      'docker-daemon:nginx:1.25',
      {},
    );
    const scan = await waitScan(s, P, await s.ctx.scans.enqueue(P, im.id, 'manual'));
    assert.equal(scan.status, 'failed');
    assert.match(scan.error, /docker-daemon: images of a node's container engine come through that node's agent/);
  });

  test('a reference stored before the policy changed is refused by the worker too', async () => {
    const P = s.defaultProjectId;
    // Written straight to the store, as an older server would have accepted it.
    const { ensureImage } = await import('../services/images.js');
    const im = await ensureImage(s.ctx, { actor: { userId: '', username: 'old', sourceIp: '', userAgent: '' }, event: 'addImage' }, P, 'rootfs:/etc', {});
    const scanId = await s.ctx.scans.enqueue(P, im.id, 'manual');
    const scan = await waitScan(s, P, scanId);
    assert.equal(scan.status, 'failed');
    assert.match(scan.error, /the path is not inside a directory an administrator allowed/);
  });
});

test('local image references are refused when no directory is allowed (the default)', async () => {
  const s = await startTestServer('sqlite', { localImageDirs: '' }, { workers: 0 });
  try {
    const r = await s.call('POST', `/api/v1/projects/${s.defaultProjectId}/images`, s.adminToken, { ref: `docker-archive:${tmpdir()}/x.tar` });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'IMAGE_REF_REFUSED');
    assert.match(r.body.message, /local image references are not enabled on this server/);
  } finally {
    await s.cleanup();
  }
});

describe('registry credentials and outbound requests (findings 2 and 3)', () => {
  let s: TestServer;
  let user: string;
  let registry: Listener;
  let attacker: Listener;
  before(async () => {
    registry = await listen();
    attacker = await listen();
    // The operator allowlisted the internal registry's address and port range of loopback for this test.
    s = await startTestServer('sqlite', { outboundAllow: '127.0.0.1', jobRetryLimit: 0 }, { workers: 1 });
    user = (await s.user('dev', 'FullAccess', s.defaultProjectId)).token;
  });
  after(async () => {
    await s.cleanup();
    await registry.close();
    await attacker.close();
  });
  /** An insecure (plain HTTP) loopback registry with the Basic credentials svc:registry-password, added by the admin. */
  const addRegistryWithCredentials = (name: string, port: number) =>
    s.call('POST', `/api/v1/projects/${s.defaultProjectId}/registries`, s.adminToken, {
      name,
      url: `http://127.0.0.1:${port}`,
      username: 'svc',
      password: 'registry-password',
      insecure: true,
    });

  test('changing the URL clears the stored credentials: the next sync sends none to the new host', async () => {
    const P = s.defaultProjectId;
    const reg = await addRegistryWithCredentials('corp', registry.port);
    assert.equal(reg.status, 201);
    const ok = await s.call('POST', `/api/v1/projects/${P}/registries/${reg.body.id}/sync`, user);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(registry.hits.some((h) => h.authorization === `Basic ${Buffer.from('svc:registry-password').toString('base64')}`));

    const patch = await s.call('PATCH', `/api/v1/projects/${P}/registries/${reg.body.id}`, user, { url: `http://127.0.0.1:${attacker.port}` });
    assert.equal(patch.status, 200);
    const read = await s.call('GET', `/api/v1/projects/${P}/registries/${reg.body.id}`, user);
    assert.equal(read.body.hasPassword, false);
    assert.equal(read.body.username, '');
    await s.call('POST', `/api/v1/projects/${P}/registries/${reg.body.id}/sync`, user);
    assert.ok(attacker.hits.length > 0, 'the sync went to the new URL');
    assert.deepEqual(
      attacker.hits.filter((h) => h.authorization),
      [],
    );
    // Changing it back does not bring the password back either.
    await s.call('PATCH', `/api/v1/projects/${P}/registries/${reg.body.id}`, user, { url: `http://127.0.0.1:${registry.port}` });
    assert.equal((await s.call('GET', `/api/v1/projects/${P}/registries/${reg.body.id}`, user)).body.hasPassword, false);
    // Credentials given again in the same request are kept; a change of name only keeps them too.
    await s.call('PATCH', `/api/v1/projects/${P}/registries/${reg.body.id}`, s.adminToken, {
      url: `http://127.0.0.1:${registry.port}/`,
      username: 'svc',
      password: 'registry-password',
    });
    await s.call('PATCH', `/api/v1/projects/${P}/registries/${reg.body.id}`, user, { name: 'corp2' });
    assert.equal((await s.call('GET', `/api/v1/projects/${P}/registries/${reg.body.id}`, user)).body.hasPassword, true);
  });

  test("a scan of an image whose host is not its registry's gets no credentials", async () => {
    const P = s.defaultProjectId;
    const reg = await addRegistryWithCredentials('creds', registry.port);
    // An image row linked to the registry but naming the attacker's host (as after a URL change).
    const img = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref: `registry:127.0.0.1:${attacker.port}/app:1` });
    assert.equal(img.status, 201);
    await s.ctx.store.db.updateTable('images').set({ registry_id: reg.body.id }).where('id', '=', img.body.id).execute();
    attacker.hits.length = 0;
    const before = attacker.connections;
    const scanId = await s.ctx.scans.enqueue(P, img.body.id, 'manual');
    const scan = await waitScan(s, P, scanId);
    assert.equal(scan.status, 'failed');
    // The worker did connect (HTTPS: the registry's `insecure` came with its credentials, and neither applies).
    assert.ok(attacker.connections > before);
    assert.deepEqual(
      attacker.hits.filter((h) => h.authorization),
      [],
    );
  });

  test('a Bearer realm on another host does not get the credentials', async () => {
    const P = s.defaultProjectId;
    const realm = await listen((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}'));
    const bearer = await listen((req, res) => {
      if (req.headers.authorization === 'Bearer t') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"repositories":[]}');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${realm.port}/token",service="reg"` }).end();
    });
    try {
      const reg = await addRegistryWithCredentials('bearer', bearer.port);
      const sync = await s.call('POST', `/api/v1/projects/${P}/registries/${reg.body.id}/sync`, user);
      assert.equal(sync.status, 502);
      assert.match(sync.body.message, /token realm http:\/\/localhost:\d+ is not on the registry's domain/);
      assert.deepEqual(realm.hits, []);
    } finally {
      await realm.close();
      await bearer.close();
    }
  });
});

describe('the server as a port scanner (finding 3)', () => {
  let s: TestServer;
  let user: string;
  let internal: Listener;
  before(async () => {
    internal = await listen((_q, r) =>
      r.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"X","message":"internal-secret-text"}]}'),
    );
    s = await startTestServer('sqlite', { jobRetryLimit: 0 }, { workers: 1 });
    user = (await s.user('dev', 'FullAccess', s.defaultProjectId)).token;
  });
  after(async () => {
    await s.cleanup();
    await internal.close();
  });

  test('registry URLs on loopback, private and metadata addresses: refused before connecting, open and closed ports alike', async () => {
    const P = s.defaultProjectId;
    const messages: string[] = [];
    for (const url of [
      `http://127.0.0.1:${internal.port}`,
      'http://127.0.0.1:1',
      'http://localhost:22',
      'http://169.254.169.254',
      'http://10.0.0.1:5000',
      'http://[::1]:8080',
      'http://[::ffff:127.0.0.1]:80',
      'http://0x7f000001:80',
      'http://2130706433',
    ]) {
      const reg = await s.call('POST', `/api/v1/projects/${P}/registries`, user, { name: `r${messages.length}`, url, insecure: true });
      if (reg.status === 400) {
        // Not a host name Vigil accepts at all (numeric host forms).
        messages.push('bad url');
        continue;
      }
      assert.equal(reg.status, 201, `${url}: ${JSON.stringify(reg.body)}`);
      const sync = await s.call('POST', `/api/v1/projects/${P}/registries/${reg.body.id}/sync`, user);
      assert.equal(sync.status, 502, url);
      assert.match(sync.body.message, /refused: (loopback|link-local|private)/, url);
      assert.ok(!sync.body.message.includes('internal-secret-text'));
      messages.push(sync.body.message.replace(/:\d+/g, ':PORT'));
    }
    assert.deepEqual(internal.hits, []);
    // An open port and a closed one give the same answer.
    assert.equal(messages[0], messages[1]);
  });

  test('registry: image references probing internal ports fail the same way, without a connection', async () => {
    const P = s.defaultProjectId;
    const r = await s.call('POST', `/api/v1/projects/${P}/images`, user, { ref: `registry:127.0.0.1:${internal.port}/x:1`, scan: true });
    assert.equal(r.status, 201);
    const scan = await waitScan(s, P, r.body.scanId);
    assert.equal(scan.status, 'failed');
    assert.match(scan.error, /refused: loopback address/);
    assert.deepEqual(internal.hits, []);
  });

  test('allowlisted, the registry is reached but its error text is not echoed', async () => {
    const t = await startTestServer('sqlite', { outboundAllow: '127.0.0.0/8' }, { workers: 0 });
    try {
      const P = t.defaultProjectId;
      const reg = await t.call('POST', `/api/v1/projects/${P}/registries`, t.adminToken, {
        name: 'x',
        url: `http://127.0.0.1:${internal.port}`,
        insecure: true,
      });
      const sync = await t.call('POST', `/api/v1/projects/${P}/registries/${reg.body.id}/sync`, t.adminToken);
      assert.equal(sync.status, 502);
      assert.match(sync.body.message, /answered 404/);
      assert.ok(!sync.body.message.includes('internal-secret-text'), sync.body.message);
      assert.ok(internal.hits.length > 0);
    } finally {
      await t.cleanup();
    }
  });

  test('webhook notifiers to internal addresses are not delivered', async () => {
    internal.hits.length = 0;
    const errors: string[] = [];
    const n = await s.call('POST', '/api/v1/notifiers', s.adminToken, { name: 'w', kind: 'webhook', url: `http://127.0.0.1:${internal.port}/hook` });
    assert.equal(n.status, 201);
    const orig = (s.ctx.notifier as any).o.onError;
    (s.ctx.notifier as any).o.onError = (_t: string, e: Error) => errors.push(e.message);
    try {
      s.ctx.notifier.invalidate();
      const alert = {
        id: 'a1',
        type: 'system/reverse-shell',
        severity: 'critical' as const,
        time: new Date().toISOString(),
        host: 'h',
        message: 'm',
        rule: 'r',
      };
      await s.ctx.notifier.alerts(s.defaultProjectId, [alert]);
      await s.ctx.notifier.flush();
    } finally {
      (s.ctx.notifier as any).o.onError = orig;
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /refused: loopback address/);
    assert.deepEqual(internal.hits, []);
  });
});
