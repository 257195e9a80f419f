// The audit export streams what the query's filters select (the Audit page
// exports its current view), in both formats, on both databases; bounded by
// `limit`; refused to a caller without audit:read and on a malformed filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './server.test-helpers.js';

const jsonl = (body: unknown) =>
  String(body)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { seq: number; event: string; username: string; time: string; project_id: string | null });

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`audit export applies the query's filters (${kind})`, async () => {
    const s = await startTestServer(kind, {}, { workers: 0 });
    try {
      const p = await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'exported' });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const before = new Date().toISOString();
      const ro = await s.user('auditor-less', 'ReadOnlyAccess', p.body.id);
      for (let i = 0; i < 3; i++) await s.call('POST', '/api/v1/auth/logout', await s.login('admin', 'ochre-lantern-47'));

      // Unfiltered: every record, the same as the query lists.
      const all = jsonl((await s.call('GET', '/api/v1/audit/export', s.adminToken)).body);
      const listed = await s.call('GET', '/api/v1/audit?limit=1000', s.adminToken);
      assert.deepEqual(
        all.map((r) => r.seq),
        listed.body.items.map((r: { seq: number }) => r.seq),
      );

      // By event and user: only the logouts, each of them.
      const logouts = await s.call('GET', '/api/v1/audit/export?event=logout&user=admin', s.adminToken);
      assert.equal(logouts.status, 200);
      assert.match(String(logouts.headers['content-type']), /ndjson/);
      const rows = jsonl(logouts.body);
      assert.equal(rows.length, all.filter((r) => r.event === 'logout' && r.username === 'admin').length);
      assert.ok(rows.length >= 3 && rows.every((r) => r.event === 'logout' && r.username === 'admin'));

      // By time: since and until split the trail at one instant.
      const since = jsonl((await s.call('GET', `/api/v1/audit/export?since=${encodeURIComponent(before)}`, s.adminToken)).body);
      const until = jsonl((await s.call('GET', `/api/v1/audit/export?until=${encodeURIComponent(before)}`, s.adminToken)).body);
      assert.ok(since.length > 0 && until.length > 0);
      assert.ok(since.every((r) => r.time >= before) && until.every((r) => r.time < before));
      assert.equal(since.length + until.length, all.length);

      // By project, as CSV: the header and one line per record of that project.
      const csv = await s.call('GET', `/api/v1/audit/export?format=csv&project=${p.body.id}`, s.adminToken);
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      const lines = String(csv.body).trim().split('\n');
      assert.match(lines[0]!, /^seq,time,/);
      const inProject = all.filter((r) => r.project_id === p.body.id);
      assert.ok(inProject.length > 0);
      assert.equal(lines.length - 1, inProject.length);

      // Bounded: limit= writes at most that many, the oldest first.
      const two = jsonl((await s.call('GET', '/api/v1/audit/export?limit=2', s.adminToken)).body);
      assert.deepEqual(
        two.map((r) => r.seq),
        all.slice(0, 2).map((r) => r.seq),
      );

      // Broken input: a clear 400, not a partial download.
      const bad = await s.call('GET', '/api/v1/audit/export?since=yesterday', s.adminToken);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.match(bad.body.message, /since/);
      assert.equal((await s.call('GET', '/api/v1/audit/export?limit=0', s.adminToken)).status, 400);
      assert.equal((await s.call('GET', '/api/v1/audit/export?format=xml', s.adminToken)).status, 400);
      // Only callers with audit:read.
      assert.equal((await s.call('GET', `/api/v1/audit/export?project=${p.body.id}`, ro.token)).status, 403);
    } finally {
      await s.cleanup();
    }
  });
}
