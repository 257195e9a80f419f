// The alert list's node, container (id or name) and end-time filters, alone,
// together and across projects, with paging, on both databases; broken
// values are refused. Their query plans, of the store's own statements on
// both databases: list-plans.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from './server.test-helpers.js';

const HOSTS = ['node-a', 'node-b', 'node-c'];
const TYPES = ['system/reverse-shell', 'container/abnormal-process', 'custom/probe'];
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** 36 alerts: 3 hosts x 4 containers (one without a name) x 3 types, one minute apart. */
function batch() {
  const out = [];
  let i = 0;
  for (const host of HOSTS)
    for (let c = 0; c < 4; c++)
      for (const type of TYPES) {
        const id = `${host.slice(-1)}${c}`.padEnd(12, '0') + 'f'.repeat(52);
        out.push({
          id: `al-${i}`,
          type,
          severity: 'high',
          time: new Date(T0 + i++ * 60_000).toISOString(),
          message: `probe ${type}`,
          rule: 'probe',
          host,
          container: c === 3 ? { id } : { id, name: `web-${host}-${c}`, image: 'registry.example.test/web:1' },
        });
      }
  return out;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`alert list filters by node, container and end time (${kind})`, async () => {
    const s = await startTestServer(kind, {}, { workers: 0 });
    try {
      const P = s.defaultProjectId;
      const other = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'other' })).body.id as string;
      const alerts = batch();
      assert.equal((await s.call('POST', `/api/v1/alerts:batch?project=${P}`, s.adminToken, { alerts })).status, 200);
      // The other project: the same host and container name, one group.
      const foreign = { ...alerts[0]!, id: 'al-other', container: { id: 'e'.repeat(64), name: 'web-node-a-0' } };
      assert.equal((await s.call('POST', `/api/v1/alerts:batch?project=${other}`, s.adminToken, { alerts: [foreign] })).status, 200);
      const list = async (q: string, project: string | null = P) => {
        const r = await s.call('GET', `/api/v1/alerts?${project ? `project=${project}&` : ''}limit=500&${q}`, s.adminToken);
        assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
        return r.body.items as { host: string; subject: string; containerName: string; lastSeen: string; projectId: string }[];
      };

      const byNode = await list('node=node-b');
      assert.equal(byNode.length, 12);
      assert.ok(byNode.every((a) => a.host === 'node-b'));
      assert.equal((await list('node=no-such-node')).length, 0);

      // By name: the group carries the name; by id: the same groups.
      const byName = await list('container=web-node-c-1');
      assert.equal(byName.length, 3);
      assert.ok(byName.every((a) => a.containerName === 'web-node-c-1' && a.host === 'node-c'));
      const id = byName[0]!.subject.slice('container:'.length);
      assert.deepEqual((await list(`container=${id}`)).map((a) => a.subject).sort(), byName.map((a) => a.subject).sort());
      // A container without a name is found by its id, and its groups say no name.
      const nameless = await list(`container=${'b3'.padEnd(12, '0')}${'f'.repeat(52)}`);
      assert.equal(nameless.length, 3);
      assert.ok(nameless.every((a) => a.containerName === ''));

      // Until: groups last seen before it (exclusive); with since: a window, which also pages.
      const until = new Date(T0 + 10 * 60_000).toISOString();
      const before = await list(`until=${encodeURIComponent(until)}`);
      assert.equal(before.length, 10);
      assert.ok(before.every((a) => a.lastSeen < until));
      // An offset time means the same instant.
      assert.equal((await list(`until=${encodeURIComponent('2026-03-01T01:10:00+01:00')}`)).length, 10);
      const since = new Date(T0 + 5 * 60_000).toISOString();
      const window = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
      assert.equal((await list(window)).length, 5);
      const p1 = await s.call('GET', `/api/v1/alerts?project=${P}&limit=3&${window}`, s.adminToken);
      const p2 = await s.call('GET', `/api/v1/alerts?project=${P}&limit=3&${window}&cursor=${p1.body.next}`, s.adminToken);
      assert.equal(p1.body.items.length + p2.body.items.length, 5);
      assert.equal(p2.body.next, undefined);

      // Combined: node and end time.
      const combo = await list(`node=node-a&until=${encodeURIComponent(until)}`);
      assert.equal(combo.length, 10);
      assert.equal((await list(`node=node-b&until=${encodeURIComponent(until)}`)).length, 0);

      // Across every project (the administrator without project=): both projects' groups of that node / name.
      const allNode = await list('node=node-a', null);
      assert.equal(allNode.length, 13);
      assert.deepEqual([...new Set(allNode.map((a) => a.projectId))].sort(), [P, other].sort());
      assert.equal((await list('container=web-node-a-0', null)).length, 4);

      // A later alert of the container under a new name renames its groups.
      const renamed = {
        ...alerts[0]!,
        id: 'al-renamed',
        time: new Date(T0 + 3600_000).toISOString(),
        container: { ...alerts[0]!.container, name: 'web-renamed' },
      };
      await s.call('POST', `/api/v1/alerts:batch?project=${P}`, s.adminToken, { alerts: [renamed] });
      assert.equal((await list('container=web-renamed')).length, 1);
      assert.equal((await list('container=web-node-a-0')).length, 2);

      // Broken values: 400 naming the parameter.
      for (const q of ['until=yesterday', 'node=', `container=${'x'.repeat(301)}`, `node=${'n'.repeat(254)}`]) {
        const r = await s.call('GET', `/api/v1/alerts?project=${P}&${q}`, s.adminToken);
        assert.equal(r.status, 400, q);
        assert.match(r.body.message, /until|node|container/, q);
      }
    } finally {
      await s.cleanup();
    }
  });
}
