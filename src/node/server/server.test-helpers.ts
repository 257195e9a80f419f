// Test helper: a server context + Fastify app (driven with inject, no
// socket) on a fresh SQLite or PostgreSQL store, with the admin bootstrapped
// and helpers to create users with role bindings and log them in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { openTestStore, type TestStore } from '../store/store.test-helpers.js';
import { loadConfig, type ServerConfig } from './config.js';
import { createContext } from './start.js';
import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import type { ServerContext } from './context.js';
import type { ScanFn } from '../jobs/scan-service.js';

export const ADMIN_PASSWORD = 'ochre-lantern-47';
/** The password of the users `user()` creates (passes the password rules). */
export const USER_PASSWORD = 'tq9-helper-secret';

export interface TestServer {
  kind: 'sqlite' | 'postgres';
  ctx: ServerContext;
  app: FastifyInstance;
  adminToken: string;
  defaultProjectId: string;
  dataDir: string;
  store: TestStore;
  /** JSON request with a bearer token; returns status and parsed body. */
  call(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  login(username: string, password: string): Promise<string>;
  /** Creates a user with one binding and returns a session token. */
  user(name: string, role: string, projectId: string | null, actions?: string[]): Promise<{ id: string; token: string }>;
  cleanup(): Promise<void>;
}

export async function startTestServer(
  kind: 'sqlite' | 'postgres',
  over: Partial<ServerConfig> = {},
  opts: { scanFn?: ScanFn; clock?: () => Date; workers?: number; schemaSerializer?: boolean } = {},
): Promise<TestServer> {
  const store = await openTestStore(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-server-'));
  const config: ServerConfig = {
    ...loadConfig({ db: store.url, dataDir }, {}),
    adminPassword: ADMIN_PASSWORD,
    loginRateLimit: 10_000,
    apiRateLimit: 0,
    jobPollSeconds: 1,
    jobMaintenanceSeconds: 1,
    jobRetryDelaySeconds: 1,
    // Tests scan images they build in the temp directory: local references are allowed there (and only there).
    localImageDirs: tmpdir(),
    ...over,
  };
  const ctx = await createContext(config, { log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger, scanFn: opts.scanFn, clock: opts.clock });
  await ctx.queue.start();
  await ctx.scans.init();
  if (opts.workers !== 0) await ctx.scans.startWorkers(opts.workers ?? 2);
  const boot = await bootstrap(ctx);
  const app = await buildApp(ctx, opts.schemaSerializer === false ? { schemaSerializer: false } : {});
  const call: TestServer['call'] = async (method, url, token, body) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed: unknown = res.body;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      // not JSON (metrics, CSV)
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  };
  const login = async (username: string, password: string) => {
    const r = await call('POST', '/api/v1/auth/login', undefined, { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const adminToken = await login('admin', ADMIN_PASSWORD);
  const t: TestServer = {
    kind,
    ctx,
    app,
    adminToken,
    defaultProjectId: boot.defaultProjectId,
    dataDir,
    store,
    call,
    login,
    async user(name, role, projectId, actions) {
      const u = await call('POST', '/api/v1/users', t.adminToken, { username: name, password: USER_PASSWORD });
      if (u.status !== 201) throw new Error(`create user ${name}: ${u.status} ${JSON.stringify(u.body)}`);
      const b = await call('POST', `/api/v1/users/${u.body.id}/bindings`, t.adminToken, { role, projectId, ...(actions ? { actions } : {}) });
      if (b.status !== 201) throw new Error(`bind ${name}: ${b.status} ${JSON.stringify(b.body)}`);
      return { id: u.body.id, token: await login(name, USER_PASSWORD) };
    },
    async cleanup() {
      await app.close();
      await ctx.queue.stop();
      await ctx.notifier.flush();
      await ctx.store.close();
      await store.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Polls a scan until it succeeds or fails (up to 60 s); returns it. */
export async function waitScan(s: TestServer, projectId: string, scanId: string): Promise<any> {
  for (let i = 0; i < 1200; i++) {
    const r = await s.call('GET', `/api/v1/projects/${projectId}/scans/${scanId}`, s.adminToken);
    if (r.body.status === 'succeeded' || r.body.status === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('scan did not finish');
}
