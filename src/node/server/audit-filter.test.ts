// The audit API filters by actor and time range on the server (the console's
// Audit page sends them), and refuses a malformed time with a 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './server.test-helpers.js';

test('audit query filters by user, since and until', async () => {
  const s = await startTestServer('sqlite', {}, { workers: 0 });
  try {
    const before = new Date().toISOString();
    const token = await s.login('admin', 'ochre-lantern-47');
    await s.call('POST', '/api/v1/auth/logout', token);
    const all = await s.call('GET', '/api/v1/audit?limit=1000', s.adminToken);
    assert.equal(all.status, 200);
    const byAdmin = await s.call('GET', '/api/v1/audit?user=admin&limit=1000', s.adminToken);
    assert.ok(byAdmin.body.items.length > 0, JSON.stringify(byAdmin.body));
    assert.ok(byAdmin.body.items.every((r: { username: string }) => r.username === 'admin'));
    const nobody = await s.call('GET', '/api/v1/audit?user=no-such-user', s.adminToken);
    assert.equal(nobody.body.items.length, 0);
    // since: only the records of this test's actions; until the same instant: only the older ones
    const since = await s.call('GET', `/api/v1/audit?since=${encodeURIComponent(before)}&limit=1000`, s.adminToken);
    const until = await s.call('GET', `/api/v1/audit?until=${encodeURIComponent(before)}&limit=1000`, s.adminToken);
    assert.ok(since.body.items.some((r: { event: string }) => r.event === 'logout'));
    assert.ok(since.body.items.every((r: { time: string }) => r.time >= before));
    assert.ok(until.body.items.every((r: { time: string }) => r.time < before));
    assert.equal(since.body.items.length + until.body.items.length, all.body.items.length);
    const future = await s.call('GET', '/api/v1/audit?since=2999-01-01T00:00:00Z', s.adminToken);
    assert.equal(future.body.items.length, 0);
    const bad = await s.call('GET', '/api/v1/audit?since=yesterday', s.adminToken);
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
  } finally {
    await s.cleanup();
  }
});
