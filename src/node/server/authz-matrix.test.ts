// The authorization matrix: every route of the app x every role x own/other
// project, on SQLite and PostgreSQL. The expected decision comes from an
// oracle written independently of the policy code (HTTP method for
// read-only, the project in the URL for isolation), so a route added without
// an action, with a wrong scope, or with a mutating action behind GET fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, USER_PASSWORD, type TestServer } from './server.test-helpers.js';
import { CONSOLE_ROUTES } from './console.js';
import { routeTable, DOCS_PREFIX, type RouteInfo } from './app.js';
import { actionInfo } from '../../core/auth/actions.js';

const MISSING = '0000000000ZZZZZZZZZZZZZZZZ';
const PUBLIC = new Set(['GET /healthz', 'POST /api/v1/auth/login']);
// The web console's files (index.html for its client routes, hashed assets): public, GET only, not API routes.
const CONSOLE_URLS = new Set(['/', '/assets/*', '/favicon.svg', ...CONSOLE_ROUTES.flatMap((r) => [`/${r}`, `/${r}/*`])]);
const isConsoleRoute = (r: { method: string; url: string; action?: string }) => r.method === 'GET' && r.action === 'public:console' && CONSOLE_URLS.has(r.url);

type Who = 'anonymous' | 'admin' | 'fullA' | 'readA' | 'readAll' | 'customA';
const CUSTOM_ACTIONS = ['image:scan', 'alert:read'];

function concrete(r: RouteInfo, project: string): string {
  // Deleting a real project would cascade away the bindings under test; its scope is global anyway.
  const pid = r.method === 'DELETE' && r.url === '/api/v1/projects/:projectId' ? MISSING : project;
  let url = r.url
    .replace(':projectId', pid)
    .replace(':hostname', 'node-1')
    .replace(':key', 'loginBanner')
    .replace(/\*$/, 'index.css')
    .replace(/:[A-Za-z]+Id/g, MISSING)
    .replace('::', ':');
  if (r.scope === 'project' && !r.url.includes(':projectId')) url += `?project=${project}`;
  return url;
}

/** Independent expectation: may `who` pass authorization on this route for this project? */
function oracle(who: Who, r: RouteInfo, project: 'A' | 'B'): boolean {
  if (r.scope === 'public') return true;
  if (who === 'anonymous') return false;
  if (who === 'admin') return true;
  const info = actionInfo(r.action!)!;
  const own = project === 'A';
  const read = r.method === 'GET' || r.action === 'session:self';
  // The caller's own account (identity, logout, own API tokens) is open to every role (issue 17).
  if (r.scope === 'self' && ['session:self', 'token:create', 'token:read', 'token:delete'].includes(r.action!)) return true;
  switch (who) {
    case 'fullA':
      return !info.admin && (r.scope === 'self' || (r.scope === 'project' && own));
    case 'readA':
      return read && !info.admin && (r.scope === 'self' || (r.scope === 'project' && own));
    case 'readAll':
      return read && !info.admin;
    case 'customA':
      return CUSTOM_ACTIONS.includes(r.action!) && r.scope === 'project' && own;
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`authorization matrix on ${kind}`, () => {
    let s: TestServer;
    const tokens: Partial<Record<Who, string>> = {};
    const projects: Record<'A' | 'B', string> = { A: '', B: '' };
    before(async () => {
      s = await startTestServer(kind);
      for (const p of ['A', 'B'] as const) {
        const r = await s.call('POST', '/api/v1/projects', s.adminToken, { name: `project-${p}` });
        projects[p] = r.body.id;
      }
      tokens.admin = s.adminToken;
      tokens.fullA = (await s.user('fulla', 'FullAccess', projects.A)).token;
      tokens.readA = (await s.user('reada', 'ReadOnlyAccess', projects.A)).token;
      tokens.readAll = (await s.user('readall', 'ReadOnlyAccess', null)).token;
      tokens.customA = (await s.user('customa', 'Custom', projects.A, CUSTOM_ACTIONS)).token;
    });
    after(async () => {
      await s?.cleanup();
    });

    test('every route declares a known action and a scope; only health, login and docs are public', () => {
      const routes = routeTable(s.app);
      assert.ok(routes.length > 60, `only ${routes.length} routes`);
      for (const r of routes) {
        const id = `${r.method} ${r.url}`;
        assert.ok(r.action, `${id} declares no action`);
        assert.ok(r.scope, `${id} declares no scope`);
        if (r.scope === 'public') {
          assert.ok(PUBLIC.has(id) || r.url.startsWith(DOCS_PREFIX) || isConsoleRoute(r), `${id} is public but should not be`);
        } else {
          assert.ok(actionInfo(r.action), `${id}: unknown action ${r.action}`);
        }
        // Every state change names its audit event.
        if (r.method !== 'GET' && r.scope !== 'public' && r.action !== 'session:self') assert.ok(r.event, `${id} changes state without an audit event`);
      }
    });

    test('the OpenAPI document lists every route', async () => {
      const docs = (await s.call('GET', '/api/docs/json')).body;
      assert.equal(docs.openapi, '3.0.3');
      const missing = routeTable(s.app)
        .filter((r) => !r.url.startsWith(DOCS_PREFIX) && !isConsoleRoute(r))
        .map((r) => ({
          r,
          path: r.url
            .replace('::', '\u0000')
            .replace(/:([A-Za-z]+)/g, '{$1}')
            .replace('\u0000', ':'),
        }))
        .filter(({ r, path }) => !docs.paths?.[path]?.[r.method.toLowerCase()])
        .map(({ r, path }) => `${r.method} ${path}`);
      assert.deepEqual(missing, []);
    });

    test('every route x role x own/other project', async () => {
      const failures: string[] = [];
      let checked = 0;
      for (const r of routeTable(s.app)) {
        if (r.url === '/api/v1/auth/logout') continue; // would end the session under test; tested below
        if (r.url.startsWith(DOCS_PREFIX) && r.url !== `${DOCS_PREFIX}/json`) continue;
        for (const who of ['anonymous', 'admin', 'fullA', 'readA', 'readAll', 'customA'] as Who[]) {
          for (const p of ['A', 'B'] as const) {
            const url = concrete(r, projects[p]);
            const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined;
            const res = await s.call(r.method, url, tokens[who as Exclude<Who, 'anonymous'>], body);
            const expected = oracle(who, r, p);
            const passed = res.status !== 401 && res.status !== 403;
            checked++;
            if (passed !== expected)
              failures.push(`${who} ${r.method} ${url} (${r.action}/${r.scope}) -> ${res.status}, expected ${expected ? 'allow' : 'deny'}`);
            if (!expected && who === 'anonymous' && res.status !== 401) failures.push(`anonymous ${r.method} ${url} -> ${res.status}, expected 401`);
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(checked > 700);
    });

    test('unknown URLs: 401 anonymous, 404 authenticated; logout ends the session', async () => {
      assert.equal((await s.call('GET', '/api/v1/nothing-here')).status, 401);
      assert.equal((await s.call('GET', '/api/v1/nothing-here', s.adminToken)).status, 404);
      const t = await s.login('reada', USER_PASSWORD);
      assert.equal((await s.call('POST', '/api/v1/auth/logout', t)).status, 200);
      assert.equal((await s.call('GET', '/api/v1/auth/me', t)).status, 401);
    });
  });
}
