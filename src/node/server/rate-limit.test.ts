// Login and API rate limits hold across API replicas on PostgreSQL (the
// counters live in the shared database), per client address; the client
// address comes from X-Forwarded-For only when the peer is a configured
// trusted proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { createContext } from './start.js';
import { buildApp } from './app.js';
import { loadConfig, trustedProxyList } from './config.js';
import type { ServerContext } from './context.js';
import { InputError } from '../../core/errors.js';

interface Replica {
  ctx: ServerContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A second API replica on the first one's database. */
async function secondReplica(s: TestServer): Promise<Replica> {
  const ctx = await createContext({ ...s.ctx.config }, { log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger });
  const app = await buildApp(ctx);
  return {
    ctx,
    app,
    close: async () => {
      await app.close();
      await ctx.store.close();
    },
  };
}

function login(app: FastifyInstance, password: string, remoteAddress = '127.0.0.1', forwardedFor?: string): Promise<number> {
  return app
    .inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      payload: JSON.stringify({ username: 'admin', password }),
    })
    .then((r) => r.statusCode);
}

test('postgres: the login limit holds across two API replicas', async () => {
  const s = await startTestServer('postgres', { loginRateLimit: 10 }, { workers: 0 });
  const b = await secondReplica(s);
  try {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push(await login(i % 2 ? b.app : s.app, 'wrong-password', '192.0.2.10'));
    assert.deepEqual(codes, Array(10).fill(401), 'ten failed attempts, five on each replica');
    assert.equal(await login(s.app, 'wrong-password', '192.0.2.10'), 429);
    assert.equal(await login(b.app, 'ochre-lantern-47', '192.0.2.10'), 429, 'the other replica refuses too');
    assert.equal(await login(b.app, 'ochre-lantern-47', '192.0.2.11'), 200, 'another client has its own limit');
  } finally {
    await b.close();
    await s.cleanup();
  }
});

test('postgres: the API limit holds across replicas; /healthz is not counted', async () => {
  const s = await startTestServer('postgres', { apiRateLimit: 6 }, { workers: 0 });
  const b = await secondReplica(s);
  try {
    const get = (app: FastifyInstance, url = '/api/v1/projects') =>
      app.inject({ method: 'GET', url, remoteAddress: '198.51.100.7', headers: { authorization: `Bearer ${s.adminToken}` } }).then((r) => r.statusCode);
    for (let i = 0; i < 10; i++) assert.equal(await get(i % 2 ? b.app : s.app, '/healthz'), 200);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push(await get(i % 2 ? b.app : s.app));
    assert.deepEqual(codes, Array(6).fill(200));
    assert.equal(await get(s.app), 429);
    assert.equal(await get(b.app), 429);
    const rows = await s.ctx.store.db.selectFrom('rate_limits').selectAll().execute();
    assert.ok(
      rows.some((r) => r.key === 'api|198.51.100.7' && Number(r.count) === 8),
      JSON.stringify(rows),
    );
  } finally {
    await b.close();
    await s.cleanup();
  }
});

test('X-Forwarded-For is honoured only from configured trusted proxies', async () => {
  const s = await startTestServer('postgres', { loginRateLimit: 3, trustedProxies: '10.0.0.0/8, 192.0.2.1' }, { workers: 0 });
  try {
    // Behind the proxy: each forwarded client has its own limit.
    for (let i = 0; i < 3; i++) assert.equal(await login(s.app, 'wrong', '10.1.2.3', '203.0.113.5'), 401);
    assert.equal(await login(s.app, 'wrong', '10.1.2.3', '203.0.113.5'), 429);
    assert.equal(await login(s.app, 'wrong', '192.0.2.1', '203.0.113.6'), 401, 'another client behind the other proxy');
    // A direct client that sends its own X-Forwarded-For does not get a fresh limit per header value.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push(await login(s.app, 'wrong', '198.51.100.20', `203.0.113.${100 + i}`));
    assert.deepEqual(codes, [401, 401, 401, 429]);
    const audit = await s.call('GET', '/api/v1/audit?event=login', s.adminToken);
    const ips = new Set(audit.body.items.map((a: { sourceIp: string }) => a.sourceIp));
    assert.ok(ips.has('203.0.113.5') && ips.has('198.51.100.20') && !ips.has('203.0.113.100'), [...ips].join(','));
  } finally {
    await s.cleanup();
  }
});

test('sqlite: the limits keep working in the single process', async () => {
  const s = await startTestServer('sqlite', { loginRateLimit: 2 }, { workers: 0 });
  try {
    assert.deepEqual([await login(s.app, 'x', '192.0.2.50'), await login(s.app, 'x', '192.0.2.50'), await login(s.app, 'x', '192.0.2.50')], [401, 401, 429]);
  } finally {
    await s.cleanup();
  }
});

test('trustedProxies: addresses and CIDR ranges; anything else is a config error naming the entry', () => {
  assert.deepEqual(trustedProxyList(' 10.0.0.0/8,::1, 192.0.2.1 '), ['10.0.0.0/8', '::1', '192.0.2.1']);
  assert.deepEqual(trustedProxyList(''), []);
  for (const bad of ['10.0.0.0/33', 'proxy.example', '10.0.0.1/8/1', '::1/129', '1.2.3.4/-1']) {
    assert.throws(
      () => trustedProxyList(bad),
      (e: unknown) => e instanceof InputError && e.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
  assert.throws(() => loadConfig({}, { VIGIL_TRUSTED_PROXIES: 'nope' }), InputError);
  assert.equal(loadConfig({}, { VIGIL_TRUSTED_PROXIES: '10.0.0.0/8' }).trustedProxies, '10.0.0.0/8');
});
