// The outbound guard: the refused ranges (with IPv6 forms of IPv4
// addresses), the allowlist, resolve-then-connect against real sockets on
// loopback (a name that resolves to loopback is refused, a rebinding answer
// cannot reach the socket), and the callers that use it: the registry client
// (registry, redirects, token realm) and webhook and syslog delivery.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { InputError } from '../../core/errors.js';
import { OutboundGuard, embeddedV4, parseAllowList } from './outbound.js';
import { listRepositories } from '../image/registry/index.js';
import { realmMayGetCredentials } from '../image/registry/client.js';
import { sendWebhook } from '../notify/webhook.js';
import { sendSyslog } from '../notify/syslog.js';

const refused = (code: string, re?: RegExp) => (e: unknown) => {
  if (!(e instanceof InputError)) throw e;
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  assert.ok(!e.message.includes('\n'));
  return true;
};

describe('refused ranges', () => {
  const g = new OutboundGuard();
  for (const [addr, why] of [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.100.100.200', 'shared'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['fc00::1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'loopback'],
  ] as const) {
    test(`${addr} is refused (${why})`, () => {
      assert.match(g.refusal(addr) ?? 'allowed', new RegExp(why));
    });
  }
  for (const addr of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
    test(`${addr} is allowed`, () => assert.equal(g.refusal(addr), undefined));
  }
  test('embedded IPv4 forms', () => {
    assert.equal(embeddedV4('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(embeddedV4('::ffff:a00:1'), '10.0.0.1');
    assert.equal(embeddedV4('2606:4700::1111'), undefined);
  });
  test('the allowlist lets listed addresses and ranges through, and only them', () => {
    const a = new OutboundGuard({ allow: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8'] });
    assert.equal(a.refusal('127.0.0.1'), undefined);
    assert.equal(a.refusal('::ffff:127.0.0.1'), undefined);
    assert.equal(a.refusal('10.9.9.9'), undefined);
    assert.equal(a.refusal('fd12::1'), undefined);
    assert.match(a.refusal('127.0.0.2')!, /loopback/);
    assert.match(a.refusal('169.254.169.254')!, /link-local/);
  });
  test('a bad allowlist entry is a one-line error naming it', () => {
    assert.throws(() => parseAllowList('10.0.0.0/8, example.com'), refused('CONFIG', /outboundAllow: not an IP address or CIDR range: "example.com"/));
    assert.throws(() => parseAllowList('10.0.0.0/33'), refused('CONFIG', /10.0.0.0\/33/));
    assert.deepEqual(parseAllowList(' 10.0.0.0/8 ,, ::1 '), ['10.0.0.0/8', '::1']);
  });
});

describe('resolve-then-connect against real sockets', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((q, r) => {
      hits.push(`${q.method} ${q.url} ${q.headers.authorization ?? ''}`);
      if (q.url === '/v2/') {
        r.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="x"` }).end();
        return;
      }
      if (q.url === '/redirect') {
        r.writeHead(302, { location: `http://127.0.0.1:${port}/v2/` }).end();
        return;
      }
      r.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"internal"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('a registry on loopback is refused before any connection; allowlisted, it is reached', async () => {
    hits.length = 0;
    const guard = new OutboundGuard();
    await assert.rejects(
      listRepositories(`127.0.0.1:${port}`, { insecure: true, env: {}, outbound: guard }),
      refused('OUTBOUND_REFUSED', new RegExp(`127.0.0.1 refused: loopback address`)),
    );
    assert.deepEqual(hits, []);
    // The same with a name that resolves to loopback (resolved by the guard, not the socket).
    const named = new OutboundGuard({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    await assert.rejects(
      listRepositories(`registry.example.com:${port}`, { insecure: true, env: {}, outbound: named }),
      refused('OUTBOUND_REFUSED', /registry\.example\.com \(127\.0\.0\.1\) refused: loopback/),
    );
    assert.deepEqual(hits, []);
    // Allowed: the request reaches the server (which then wants a token).
    await assert.rejects(listRepositories(`127.0.0.1:${port}`, { insecure: true, env: {}, outbound: new OutboundGuard({ allow: ['127.0.0.1'] }) }));
    assert.ok(hits.length > 0);
  });

  test('a name whose answers mix a public and an internal address is refused (rebinding)', async () => {
    hits.length = 0;
    const g = new OutboundGuard({
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    await assert.rejects(g.resolve('rebind.example.com', 'test'), refused('OUTBOUND_REFUSED', /rebind\.example\.com \(127\.0\.0\.1\)/));
    // The socket connects to what the guard resolved: a second, different answer is never asked for.
    let calls = 0;
    const flip = new OutboundGuard({
      allow: ['127.0.0.1'],
      resolve: async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '169.254.169.254', family: 4 }]),
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: 'flip.example.com', port, path: '/x', lookup: flip.lookupFor('test') }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.equal(calls, 1);
  });

  test('webhooks: loopback and metadata addresses refused without a connection or retries; allowlisted, delivered', async () => {
    hits.length = 0;
    const guard = new OutboundGuard();
    const r = await sendWebhook({ url: `http://127.0.0.1:${port}/hook`, secret: '' }, 'alert', {}, { outbound: guard, delay: async () => {} });
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 1);
    assert.match(r.error!, /refused: loopback address/);
    const meta = await sendWebhook({ url: 'http://169.254.169.254/latest/meta-data/', secret: '' }, 'alert', {}, { outbound: guard, delay: async () => {} });
    assert.match(meta.error!, /link-local/);
    const v6 = await sendWebhook({ url: `http://[::ffff:127.0.0.1]:${port}/hook`, secret: '' }, 'alert', {}, { outbound: guard, delay: async () => {} });
    assert.match(v6.error!, /loopback/);
    assert.deepEqual(hits, []);
    const ok = await sendWebhook({ url: `http://127.0.0.1:${port}/hook`, secret: '' }, 'alert', {}, { outbound: new OutboundGuard({ allow: ['127.0.0.1'] }) });
    assert.equal(ok.ok, true);
    assert.deepEqual(hits, ['POST /hook ']);
  });

  test('webhooks do not follow redirects to internal addresses', async () => {
    hits.length = 0;
    const r = await sendWebhook(
      { url: `http://127.0.0.1:${port}/redirect`, secret: '' },
      'alert',
      {},
      { outbound: new OutboundGuard({ allow: ['127.0.0.1'] }) },
    );
    assert.equal(r.status, 302);
    assert.equal(r.ok, false);
    assert.deepEqual(hits, ['POST /redirect ']);
  });

  test('syslog over TCP and UDP: refused on loopback, delivered when allowlisted', async () => {
    const got: string[] = [];
    const tcp = net.createServer((s) => s.on('data', (d) => got.push(d.toString())));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const tport = (tcp.address() as AddressInfo).port;
    try {
      await assert.rejects(sendSyslog({ host: '127.0.0.1', port: tport, protocol: 'tcp' }, 'x', 1000, new OutboundGuard()), refused('OUTBOUND_REFUSED'));
      await assert.rejects(sendSyslog({ host: 'localhost', port: tport, protocol: 'udp' }, 'x', 1000, new OutboundGuard()), refused('OUTBOUND_REFUSED'));
      await sendSyslog({ host: '127.0.0.1', port: tport, protocol: 'tcp' }, 'hello', 1000, new OutboundGuard({ allow: ['127.0.0.0/8'] }));
      for (let i = 0; i < 50 && !got.length; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(got, ['5 hello']);
    } finally {
      tcp.close();
    }
  });
});

describe('token realms that may receive credentials', () => {
  test('same host, same registrable domain, or listed', () => {
    assert.equal(realmMayGetCredentials('auth.docker.io', ['docker.io', 'registry-1.docker.io'], []), true);
    assert.equal(realmMayGetCredentials('ghcr.io', ['ghcr.io'], []), true);
    assert.equal(realmMayGetCredentials('127.0.0.1', ['127.0.0.1'], []), true);
    assert.equal(realmMayGetCredentials('login.example.net', ['registry.example.com'], ['login.example.net']), true);
  });
  test('another domain, another tenant of a shared suffix, or another IP is refused', () => {
    assert.equal(realmMayGetCredentials('attacker.example', ['registry.example.com'], []), false);
    assert.equal(realmMayGetCredentials('evil.co.uk', ['registry.example.co.uk'], []), false);
    assert.equal(realmMayGetCredentials('attacker.github.io', ['team.github.io'], []), false);
    assert.equal(realmMayGetCredentials('127.0.0.2', ['127.0.0.1'], []), false);
    assert.equal(realmMayGetCredentials('localhost', ['127.0.0.1'], []), false);
  });
});
