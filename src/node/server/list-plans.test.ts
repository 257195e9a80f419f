// The console's list pages at scale depend on index ranges: these tests run
// each list request the console makes (images: first page, severity,
// fixable / not fixable, name search, sorted by critical, a later page;
// alerts: first page, type, severity, status + time range, node, container
// by name and by id, end time) through the real route and service, capture
// the statements the store ran (query-plans.test-helpers.ts), and ask the
// database for the plan of exactly those statements, on SQLite and on
// PostgreSQL: no full scan of the listed table, and the page order served by
// an index (no sort of the filtered rows) except where a filter's two index
// branches are merged (container by id or name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from './server.test-helpers.js';
import { captureQueries, explainPlan } from '../store/query-plans.test-helpers.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const CONTAINER_ID = 'c'.repeat(64);

interface PlanCase {
  name: string;
  path: (p: string) => string;
  /** The listed table: its statement is the one explained. */
  table: 'images' | 'alerts';
  /** The indexes the plan must use (the ones made for this filter and order; `a|b`: either). */
  uses: string[];
  /** The filter merges two index ranges (an ORDER BY over the merged rows is expected). */
  merged?: boolean;
  /**
   * SQLite may sort the filter's index range instead of walking the page
   * order's index (images with a critical finding: a range of
   * images_project_critical, sorted by id; at 10k images ~5k rows, 22 ms on
   * the bench): the plan must still be an index range.
   */
  sqliteSortsRange?: boolean;
  /** No seeded row matches (no finding has a fix: there is no scanner here). */
  empty?: boolean;
}

const CASES: PlanCase[] = [
  { name: 'images, first page', uses: ['images_project_id'], table: 'images', path: (p) => `/api/v1/projects/${p}/images?limit=20` },
  {
    name: 'images, severity >= critical',
    table: 'images',
    uses: ['images_project_critical|images_project_id'],
    sqliteSortsRange: true,
    path: (p) => `/api/v1/projects/${p}/images?limit=20&minSeverity=critical`,
  },
  {
    name: 'images, fixable',
    uses: ['images_project_id', 'findings_image_kind_package'],
    table: 'images',
    empty: true,
    path: (p) => `/api/v1/projects/${p}/images?limit=20&fixable=true`,
  },
  {
    name: 'images, not fixable',
    uses: ['images_project_id', 'findings_image_kind_package'],
    table: 'images',
    path: (p) => `/api/v1/projects/${p}/images?limit=20&fixable=false`,
  },
  { name: 'images, name search', uses: ['images_project_id'], table: 'images', path: (p) => `/api/v1/projects/${p}/images?limit=20&name=app-1` },
  {
    name: 'images, sorted by critical',
    uses: ['images_project_critical'],
    table: 'images',
    path: (p) => `/api/v1/projects/${p}/images?limit=20&sort=-critical`,
  },
  { name: 'alerts, first page', uses: ['alerts_project_seen'], table: 'alerts', path: (p) => `/api/v1/alerts?project=${p}&limit=50` },
  { name: 'alerts, type', uses: ['alerts_project_type_seen'], table: 'alerts', path: (p) => `/api/v1/alerts?project=${p}&limit=50&type=system/reverse-shell` },
  { name: 'alerts, severity', uses: ['alerts_project_sev_seen'], table: 'alerts', path: (p) => `/api/v1/alerts?project=${p}&limit=50&severity=critical` },
  {
    name: 'alerts, open + high + since',
    uses: ['alerts_project_status_sev_seen'],
    table: 'alerts',
    path: (p) => `/api/v1/alerts?project=${p}&limit=50&status=open&severity=high&since=${new Date(T0 + 600_000).toISOString()}`,
  },
  { name: 'alerts, node', uses: ['alerts_project_host_seen'], table: 'alerts', path: (p) => `/api/v1/alerts?project=${p}&limit=50&node=node-1` },
  {
    name: 'alerts, container by name',
    uses: ['alerts_subject', 'alerts_container_name'],
    table: 'alerts',
    merged: true,
    path: (p) => `/api/v1/alerts?project=${p}&limit=50&container=web-1`,
  },
  {
    name: 'alerts, container by id',
    uses: ['alerts_subject', 'alerts_container_name'],
    table: 'alerts',
    merged: true,
    path: (p) => `/api/v1/alerts?project=${p}&limit=50&container=${CONTAINER_ID}`,
  },
  {
    name: 'alerts, until',
    uses: ['alerts_project_seen'],
    table: 'alerts',
    path: (p) => `/api/v1/alerts?project=${p}&limit=50&until=${new Date(T0 + 600_000).toISOString()}`,
  },
];

async function seed(s: TestServer, p: string): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const r = await s.call('POST', `/api/v1/projects/${p}/images`, s.adminToken, { ref: `registry:registry.example.test/team/app-${i}:1.${i}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  // Counts a scan would have written (no scanner in this test).
  await s.ctx.store.db.updateTable('images').set({ critical: 2, high: 1 }).where('ref', 'like', '%app-1:%').execute();
  const alerts = Array.from({ length: 24 }, (_, i) => ({
    id: `al-${i}`,
    type: i % 2 ? 'system/reverse-shell' : 'container/abnormal-process',
    severity: i % 3 ? 'high' : 'critical',
    time: new Date(T0 + i * 60_000).toISOString(),
    message: `probe ${i}`,
    rule: `probe-${i % 4}`,
    host: `node-${i % 3}`,
    container: { id: i % 2 ? CONTAINER_ID : `${i}`.padStart(64, 'd'), name: `web-${i % 2}`, image: 'registry.example.test/web:1' },
  }));
  const r = await s.call('POST', `/api/v1/alerts:batch?project=${p}`, s.adminToken, { alerts });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`the list pages' own queries are index ranges in index order (${kind})`, async () => {
    const s = await startTestServer(kind, {}, { workers: 0 });
    try {
      const P = s.defaultProjectId;
      await seed(s, P);
      const store = s.ctx.store;
      // PostgreSQL plans from the seeded rows' statistics, as autovacuum would keep them.
      if (kind === 'postgres') await sql`analyze images, findings, alerts`.execute(store.db);
      for (const c of CASES) {
        const cap = captureQueries(store);
        let body: { items: unknown[] };
        try {
          const r = await s.call('GET', c.path(P), s.adminToken);
          assert.equal(r.status, 200, `${c.name}: ${JSON.stringify(r.body)}`);
          body = r.body;
        } finally {
          cap.stop();
        }
        assert.equal(body.items.length > 0, !c.empty, `${c.name}: the seeded data answers`);
        const from = new RegExp(`^select [\\s\\S]* from "?${c.table}"?\\b`, 'i');
        const mine = cap.queries.filter((q) => from.test(q.sql));
        assert.ok(mine.length > 0, `${c.name}: no statement on ${c.table} among ${cap.queries.map((q) => q.sql.slice(0, 60)).join(' | ')}`);
        const q = mine[mine.length - 1]!;
        const plan = await explainPlan(store, q, { sorts: c.merged });
        const where = `${c.name} (${kind})\n${q.sql}\n${plan}`;
        for (const u of c.uses) assert.match(plan, new RegExp(`\\b(${u})\\b`), where);
        if (kind === 'sqlite') {
          assert.doesNotMatch(plan, /\bSCAN (images|alerts|findings|scans)\b/, where);
          assert.match(plan, new RegExp(`SEARCH ${c.table} USING (COVERING )?INDEX ${c.table}_`), where);
          if (!c.merged && !c.sqliteSortsRange) assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/, where);
        } else {
          assert.doesNotMatch(plan, /Seq Scan/, where);
          assert.match(plan, new RegExp(`Index (Only )?Scan (Backward )?using ${c.table}_\\w+ on ${c.table}`), where);
          if (!c.merged) assert.doesNotMatch(plan, /\bSort\b/, where);
        }
      }
    } finally {
      await s.cleanup();
    }
  });
}
