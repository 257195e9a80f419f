// The agent link server against real gRPC clients over TLS, on SQLite and
// PostgreSQL: enrollment refusals (unknown, expired, reused token), Connect
// without or with a foreign certificate, malformed and oversized messages,
// and idempotent alert IDs (a replayed batch is stored once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startTestServer } from '../server/server.test-helpers.js';
import { loadOrCreatePki } from './pki.js';
import { startAgentLink } from './link-server.js';
import { enrollOrLoad } from './link-client.js';
import { openLink } from './link.test-helpers.js';
import { agentLinkProto } from './proto.js';
import { newKeyPair } from './pki.js';

const kinds = ['sqlite', 'postgres'] as const;

const connect = openLink;

/** An alert of node n1 (a key file changed). */
const keyAlert = (id: string, n: number) => ({
  id,
  type: 'system/key-file-change',
  severity: 'high',
  time: '2026-01-01T00:00:00.000Z',
  message: `m${n}`,
  rule: 'r',
  host: 'n1',
});

/** Node n1 enrolled with the token. */
const enrollN1 = (server: string, caHash: string, dataDir: string, token: string) =>
  enrollOrLoad({ server, nodeName: 'n1', version: '0.1.0', kernel: '6.1', caHash, dataDir, token });

/** A test server with its agent link on an ephemeral port. */
async function startLink(kind: 'sqlite' | 'postgres', o: { certSeconds?: number } = {}) {
  const t = await startTestServer(kind, {}, { workers: 0 });
  const pki = await loadOrCreatePki(t.dataDir);
  t.ctx.agentCaHash = pki.caHash;
  const link = await startAgentLink(t.ctx, pki, { host: '127.0.0.1', port: 0, offlineSeconds: 60, ...o });
  return { t, pki, link };
}

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An n1 agent of a new cluster, enrolled, its stream open and its first command received. */
async function enrolledStream(started: Awaited<ReturnType<typeof startLink>>, dataDir: string) {
  const { t, pki, link } = started;
  const p = t.defaultProjectId;
  const cl = await t.call('POST', `/api/v1/projects/${p}/clusters`, t.adminToken, { name: 'prod' });
  const tok = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
  const stream = openLink(link.address, await enrollN1(link.address, pki.caHash, dataDir, tok.body.token));
  await waitFor(() => stream.got.find((m) => m.command));
  return stream;
}

/** The count of a histogram of the server's /metrics. */
const metricCount = async (t: Awaited<ReturnType<typeof startLink>>['t'], h: string) =>
  Number(new RegExp(`^${h}_count (\\d+)$`, 'm').exec(await t.ctx.metrics.render())?.[1] ?? 0);

for (const kind of kinds) {
  test(`agent link (${kind}): enrollment refusals, certificate checks, bad messages, idempotent alert IDs`, { timeout: 60_000 }, async () => {
    const { t, pki, link } = await startLink(kind);
    const target = link.address;
    const dirs: string[] = [];
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'vigil-link-'));
      dirs.push(d);
      return d;
    };
    try {
      const p = t.defaultProjectId;
      const cl = await t.call('POST', `/api/v1/projects/${p}/clusters`, t.adminToken, { name: 'prod' });
      const tok = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
      assert.equal(tok.body.caHash, pki.caHash);
      const base = { server: target, nodeName: 'n1', version: '0.1.0', kernel: '6.1', caHash: pki.caHash };

      await assert.rejects(enrollOrLoad({ ...base, dataDir: dir(), token: 'vgr_unknown' }), /enroll: unknown agent token/);
      // An expired token (its expiry moved into the past).
      const old = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
      await t.ctx.store.db.updateTable('agent_tokens').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', old.body.id).execute();
      await assert.rejects(enrollOrLoad({ ...base, dataDir: dir(), token: old.body.token }), /enroll: agent token expired at 2000-01-01/);

      const id = await enrollOrLoad({ ...base, dataDir: dir(), token: tok.body.token });
      assert.equal(id.projectId, p);
      await assert.rejects(enrollOrLoad({ ...base, nodeName: 'n2', dataDir: dir(), token: tok.body.token }), /enroll: agent token already used/);

      // No client certificate, and one from another CA: refused.
      const anon = connect(target, { caPem: pki.caPem });
      anon.send({ heartbeat: { queueDepth: 0, dropped: 0, lostEvents: 0, sensors: '' } });
      assert.equal((await anon.ended)?.code, grpc.status.UNAUTHENTICATED);
      anon.c.close();
      const other = await loadOrCreatePki(dir());
      const { newKeyPair } = await import('./pki.js');
      const k = await newKeyPair();
      const foreign = connect(target, {
        caPem: pki.caPem,
        keyPem: k.privatePem,
        certPem: await other.issueClient(k.publicPem, { id: id.nodeId, clusterId: id.clusterId, projectId: p }),
      });
      foreign.send({ heartbeat: { queueDepth: 0, dropped: 0, lostEvents: 0, sensors: '' } });
      const fe = await foreign.ended;
      assert.ok(fe && fe.code !== grpc.status.OK, 'a certificate from another CA is refused');
      foreign.c.close();

      const a = connect(target, id);
      const alert = (n: number) => keyAlert(`al-${n}`, n);
      a.send({ status: { version: '0.1.0', kernel: '6.1.0-test', sensors: 'procfs' } });
      a.send({ alerts: { alerts: [1, 2, 3].map((n) => ({ id: `al-${n}`, json: JSON.stringify(alert(n)) })) } });
      a.send({ alerts: { alerts: [2, 3, 4].map((n) => ({ id: `al-${n}`, json: JSON.stringify(alert(n)) })) } });
      a.send({
        alerts: {
          alerts: [
            { id: 'bad-1', json: '{not json' },
            { id: 'bad-2', json: JSON.stringify({ ...alert(9), id: 'other' }) },
            { id: 'bad-3', json: JSON.stringify({ ...alert(9), id: 'bad-3', type: 'nope/x' }) },
          ],
        },
      });
      a.send({ alerts: { alerts: Array.from({ length: 1001 }, (_, i) => ({ id: `big-${i}`, json: '{}' })) } });
      const acks = await waitFor(() => {
        const ids = a.got.flatMap((m) => m.ack?.ids ?? []);
        return ids.length >= 6 && a.got.filter((m) => m.reject).length >= 2 ? ids : undefined;
      });
      assert.deepEqual(acks.sort(), ['al-1', 'al-2', 'al-2', 'al-3', 'al-3', 'al-4']);
      const rejects = a.got.filter((m) => m.reject).map((m) => m.reject!);
      assert.deepEqual(rejects[0]!.ids, ['bad-1', 'bad-2', 'bad-3']);
      assert.match(rejects[1]!.reason, /more than 1000 alerts/);
      // The alert path is timed: four alert messages handled, the two with good alerts committed and acknowledged.
      const timed = await t.ctx.metrics.render();
      assert.match(timed, /^vigil_agent_stream_wait_seconds_count 4$/m);
      for (const h of ['vigil_agent_commit_wait_seconds', 'vigil_agent_ack_seconds']) assert.match(timed, new RegExp(`^${h}_count 2$`, 'm'), h);
      assert.match(timed, /^vigil_agent_commit_seconds_count [12]$/m);
      assert.match(timed, /^vigil_agent_commit_alerts_sum 6$/m, 'the alerts of the commits: 3 + 3');
      const list = await t.call('GET', `/api/v1/alerts?project=${p}`, t.adminToken);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].count, 4, 'each alert ID stored once');
      // Audited: the enrollment, and each batch that stored something (the replayed IDs counted apart).
      const enrolled = (await t.call('GET', '/api/v1/audit?event=enrollNode', t.adminToken)).body.items;
      assert.equal(enrolled.length, 1);
      assert.equal(enrolled[0].username, 'node:n1');
      assert.equal(enrolled[0].resourceId, id.nodeId);
      const batches = (await t.call('GET', '/api/v1/audit?event=ingestAlerts', t.adminToken)).body.items;
      assert.deepEqual(batches.map((b: { summary: { count: number; replayed: number } }) => [b.summary.count, b.summary.replayed]).sort(), [
        [1, 2],
        [3, 0],
      ]);
      assert.ok(batches.every((b: { username: string; projectId: string }) => b.username === 'node:n1' && b.projectId === p));
      assert.equal((await t.call('GET', '/api/v1/audit/verify', t.adminToken)).body.ok, true, 'the trail verifies');
      // Pruning forgets IDs older than the window only.
      const { pruneAgentAlertIds } = await import('../services/agents.js');
      assert.equal(await pruneAgentAlertIds(t.ctx, '2000-01-01T00:00:00.000Z'), 0);
      await t.ctx.store.db.updateTable('agent_alert_ids').set({ received_at: '2001-01-01T00:00:00.000Z' }).where('alert_id', '=', 'al-1').execute();
      assert.equal(await pruneAgentAlertIds(t.ctx, '2002-01-01T00:00:00.000Z'), 1);
      const nodes = await t.call('GET', `/api/v1/projects/${p}/nodes`, t.adminToken);
      const n1 = nodes.body.items.find((n: { hostname: string }) => n.hostname === 'n1');
      assert.equal(n1.status, 'online');
      assert.equal(n1.kernel, '6.1.0-test');
      assert.equal(n1.clusterId, cl.body.id);
      // Heartbeats carry the agent's health into the node's API entry; what the node sends is checked.
      const sensors = [
        { name: 'ebpf', state: 'running', detail: 'bpftrace', events: 120, lost: 3 },
        { name: 'auth-log', state: 'failed', detail: 'x'.repeat(400), events: 0, lost: 0 },
        { name: 'bogus', state: 'exploded', detail: '', events: 1, lost: 0 },
      ];
      a.send({ heartbeat: { queueDepth: 17, dropped: 2, lostEvents: 3, sensors: JSON.stringify(sensors) } });
      const health = await waitFor(async () => {
        const r = await t.call('GET', `/api/v1/projects/${p}/nodes`, t.adminToken);
        const n = r.body.items.find((x: { hostname: string }) => x.hostname === 'n1');
        return n.queueDepth === 17 ? n : undefined;
      });
      assert.equal(health.queueDropped, 2);
      assert.equal(health.lostEvents, 3);
      assert.deepEqual(
        health.sensorHealth.map((x: { name: string; state: string; detail: string }) => [x.name, x.state, x.detail.length]),
        [
          ['ebpf', 'running', 8],
          ['auth-log', 'failed', 300],
        ],
        'an unknown state is left out, long details are cut',
      );
      a.send({ heartbeat: { queueDepth: 0, dropped: 0, lostEvents: 0, sensors: '{"not": "a list"' } });
      await waitFor(async () => {
        const r = await t.call('GET', `/api/v1/projects/${p}/nodes`, t.adminToken);
        const n = r.body.items.find((x: { hostname: string }) => x.hostname === 'n1');
        return n.queueDepth === 0 && n.sensorHealth.length === 0 ? true : undefined;
      });
      a.s.end();
      await a.ended;
      a.c.close();
      const after = await (async () => {
        for (let i = 0; i < 100; i++) {
          const r = await t.call('GET', `/api/v1/projects/${p}/nodes`, t.adminToken);
          const n = r.body.items.find((x: { hostname: string }) => x.hostname === 'n1');
          if (n.status === 'offline') return n;
          await new Promise((r2) => setTimeout(r2, 50));
        }
        return undefined;
      })();
      assert.ok(after, 'a node whose stream closed is offline');
    } finally {
      await link.close();
      await t.cleanup();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
}

for (const kind of kinds) {
  test(`agent link (${kind}): token check without spending, Whoami, renewal, revocation through the change bus`, { timeout: 60_000 }, async () => {
    const { t, pki, link } = await startLink(kind, { certSeconds: 3600 });
    const dirs: string[] = [];
    // Open channels and streams are closed before the link (its shutdown waits for them), also after a failure.
    const open: Array<{ close(): void }> = [];
    try {
      const p = t.defaultProjectId;
      const cl = await t.call('POST', `/api/v1/projects/${p}/clusters`, t.adminToken, { name: 'prod' });
      const tok = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
      const { Client } = agentLinkProto();
      const unary = <T>(fn: (cb: (e: grpc.ServiceError | null, r?: T) => void) => void) => new Promise<T>((res, rej) => fn((e, r) => (e ? rej(e) : res(r!))));
      const pinned = new Client(link.address, grpc.credentials.createSsl(Buffer.from(pki.caPem)));
      open.push(pinned);
      const check = (token: string) =>
        unary<{ valid: boolean; reason: string }>((cb) => pinned.CheckToken({ token }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb));
      assert.equal((await check(tok.body.token)).valid, true);
      assert.equal((await check(tok.body.token)).valid, true, 'checking spends nothing');
      assert.match((await check('vgr_nope')).reason, /unknown agent token/);
      const d = mkdtempSync(join(tmpdir(), 'vigil-link-'));
      dirs.push(d);
      const id = await enrollN1(link.address, pki.caHash, d, tok.body.token);
      assert.match((await check(tok.body.token)).reason, /already used/);
      pinned.close();
      const mtls = (x: { keyPem: string; certPem: string }) => {
        const c = new Client(link.address, grpc.credentials.createSsl(Buffer.from(pki.caPem), Buffer.from(x.keyPem), Buffer.from(x.certPem)));
        open.push(c);
        return c;
      };
      const c1 = mtls(id);
      const who = await unary<{ nodeId: string; nodeName: string; notAfter: string }>((cb) =>
        c1.Whoami({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb),
      );
      assert.equal(who.nodeId, id.nodeId);
      assert.equal(who.nodeName, 'n1');
      // certSeconds: the lifetime of issued certificates.
      assert.ok(Math.abs(Date.parse(who.notAfter) - Date.now() - 3600_000) < 60_000, who.notAfter);
      // Renewal: a new key; both certificates work until the new one connects.
      const k = await newKeyPair();
      const r = await unary<{ certPem: string }>((cb) => c1.Renew({ publicKeyPem: k.publicPem }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb));
      const renewed = { keyPem: k.privatePem, certPem: r.certPem };
      await unary((cb) => c1.Whoami({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb));
      const c2 = mtls(renewed);
      const s2 = openLink(link.address, { caPem: pki.caPem, ...renewed });
      open.push(s2);
      s2.send({ heartbeat: { queueDepth: 0, dropped: 0, lostEvents: 0, sensors: '' } });
      await waitFor(() => s2.got.find((m) => m.command));
      await assert.rejects(
        unary((cb) => c1.Whoami({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb)),
        (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /no longer/.test(e.details),
      );
      await assert.rejects(
        unary((cb) => c1.Renew({ publicKeyPem: k.publicPem }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb)),
        (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED,
      );
      // A bad public key: refused, the node keeps its certificate.
      await assert.rejects(
        unary((cb) => c2.Renew({ publicKeyPem: 'nope' }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb)),
        (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /renew: .*not a PEM PUBLIC KEY/.test(e.details),
      );
      // Revocation: the open stream closes (the change bus: NOTIFY on PostgreSQL), every RPC refuses with the reason.
      const ro = (await t.user('reader', 'ReadOnlyAccess', null)).token;
      assert.equal((await t.call('POST', `/api/v1/projects/${p}/nodes/${id.nodeId}/revoke`, ro, {})).status, 403);
      const rv = await t.call('POST', `/api/v1/projects/${p}/nodes/${id.nodeId}/revoke`, t.adminToken, { reason: 'stolen' });
      assert.equal(rv.status, 200, JSON.stringify(rv.body));
      const end = await s2.ended;
      assert.equal(end?.code, grpc.status.PERMISSION_DENIED);
      assert.match(String(end?.details), /revoked/);
      await assert.rejects(
        unary((cb) => c2.Whoami({}, new grpc.Metadata(), { deadline: Date.now() + 5000 }, cb)),
        (e: grpc.ServiceError) => /node n1 was revoked at .* \(stolen\)/.test(e.details),
      );
      const s3 = openLink(link.address, { caPem: pki.caPem, ...renewed });
      open.push(s3);
      s3.send({ alerts: { alerts: [] } });
      assert.equal((await s3.ended)?.code, grpc.status.PERMISSION_DENIED);
      const m = await t.ctx.metrics.render();
      assert.match(m, /vigil_agent_refused_revoked_total [1-9]/);
      assert.match(m, /vigil_agent_renewed_total 1/);
    } finally {
      for (const x of open) x.close();
      await link.close();
      await t.cleanup();
      for (const x of dirs) rmSync(x, { recursive: true, force: true });
    }
  });
}

test(
  'agent link: an oversized or malformed message is refused with a clear error, counted by reason, and other agents go on',
  { timeout: 60_000 },
  async () => {
    const { t, pki, link } = await startLink('sqlite');
    const dirs: string[] = [];
    const open: Array<{ close(): void }> = [];
    try {
      const p = t.defaultProjectId;
      const cl = await t.call('POST', `/api/v1/projects/${p}/clusters`, t.adminToken, { name: 'prod' });
      const enroll = async (nodeName: string) => {
        const tok = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
        const d = mkdtempSync(join(tmpdir(), 'vigil-link-'));
        dirs.push(d);
        return enrollOrLoad({ server: link.address, nodeName, version: '0.1.0', kernel: '6.1', caHash: pki.caHash, dataDir: d, token: tok.body.token });
      };
      const [bad, good] = [await enroll('bad'), await enroll('good')];
      const alert = (id: string, message = 'm') => ({
        id,
        type: 'system/key-file-change',
        severity: 'high',
        time: '2026-01-01T00:00:00.000Z',
        message,
        rule: 'r',
        host: 'x',
      });
      const stream = (id: typeof bad) => {
        const s = openLink(link.address, id);
        open.push(s);
        return s;
      };
      // The other agent's stream stays open through all of it.
      const g = stream(good);
      g.send({ alerts: { alerts: [{ id: 'g-1', json: JSON.stringify(alert('g-1')) }] } });
      await waitFor(() => g.got.find((m) => m.ack?.ids.includes('g-1')));

      // 1. Over 4 MiB: the stream ends with RESOURCE_EXHAUSTED and says the size and the limit.
      const big = stream(bad);
      big.send({ alerts: { alerts: [{ id: 'big-1', json: JSON.stringify(alert('big-1', 'x'.repeat(5 * 1024 * 1024))) }] } });
      const e1 = await big.ended;
      assert.equal(e1?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(String(e1?.details), /^agent message refused: \d+ bytes, over the agent link's limit of 4194304 bytes \(4 MiB\)$/);

      // 2. Bytes that are no AgentMessage (a raw client: a protobuf field 1 whose length runs past the end).
      const { Client } = agentLinkProto();
      const raw = new Client(link.address, grpc.credentials.createSsl(Buffer.from(bad.caPem), Buffer.from(bad.keyPem), Buffer.from(bad.certPem)));
      open.push(raw);
      const rs = raw.makeBidiStreamRequest(
        '/vigil.agent.v1.AgentLink/Connect',
        (b: Buffer) => b,
        (b: Buffer) => b,
      );
      const e2 = await new Promise<grpc.ServiceError | undefined>((res) => {
        rs.on('error', (e: grpc.ServiceError) => res(e));
        rs.on('end', () => res(undefined));
        rs.on('data', () => {});
        rs.write(Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]));
      });
      assert.equal(e2?.code, grpc.status.INTERNAL);
      assert.match(String(e2?.details), /^agent message refused: not a valid protobuf message of this RPC \(malformed\)$/);

      // 3. Broken JSON in a json field: those alerts are rejected with the reason, the stream and the rest go on.
      const js = stream(bad);
      js.send({
        alerts: {
          alerts: [
            { id: 'b-1', json: '{"id": "b-1", "type": ' },
            { id: 'b-2', json: JSON.stringify(alert('b-2')) },
          ],
        },
      });
      const rej = await waitFor(() => js.got.find((m) => m.reject)?.reject);
      assert.deepEqual(rej.ids, ['b-1']);
      assert.match(rej.reason, /^alert b-1: its json field is not JSON \(/);
      await waitFor(() => js.got.find((m) => m.ack?.ids.includes('b-2')));

      // The other agent was not affected: its stream is open and still stores.
      g.send({ alerts: { alerts: [{ id: 'g-2', json: JSON.stringify(alert('g-2')) }] } });
      await waitFor(() => g.got.find((m) => m.ack?.ids.includes('g-2')));
      const m = await t.ctx.metrics.render();
      assert.match(m, /^vigil_agent_refused_messages_total\{reason="message-size"\} 1$/m);
      assert.match(m, /^vigil_agent_refused_messages_total\{reason="protobuf"\} 1$/m);
      assert.match(m, /^vigil_agent_refused_messages_total\{reason="json"\} 1$/m);
      assert.match(m, /^vigil_agent_refused_oversized_total 1$/m);
      assert.match(m, /^vigil_agent_refused_malformed_total 2$/m);
      assert.equal((m.match(/^# TYPE vigil_agent_refused_messages_total counter$/gm) ?? []).length, 1);
    } finally {
      for (const x of open) x.close();
      await link.close();
      await t.cleanup();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
);

test(
  "agent link (postgres): while commits are held, a stream's next batches are still handled, and they share the next commit",
  { timeout: 60_000 },
  async () => {
    const started = await startLink('postgres');
    const { t, link } = started;
    const d = mkdtempSync(join(tmpdir(), 'vigil-link-'));
    const { default: pg } = await import('pg');
    const blocker = new pg.Client({ connectionString: t.ctx.store.pg!.connectionString });
    let a: ReturnType<typeof openLink> | undefined;
    try {
      const p = t.defaultProjectId;
      const stream = (a = await enrolledStream(started, d));
      const batch = (n: number) => ({
        alerts: {
          alerts: [
            {
              id: `p-${n}`,
              json: JSON.stringify(keyAlert(`p-${n}`, n)),
            },
          ],
        },
      });
      const count = (h: string) => metricCount(t, h);
      // Another session holds a lock every commit's first statement needs: commits start and wait.
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query(`lock table "${t.ctx.store.pg!.schema}".agent_alert_ids in share row exclusive mode`);
      stream.send(batch(1));
      await waitFor(async () => ((await count('vigil_agent_commit_wait_seconds')) >= 1 ? true : undefined));
      for (let n = 2; n <= 8; n++) stream.send(batch(n));
      await waitFor(async () => ((await count('vigil_agent_stream_wait_seconds')) === 8 ? true : undefined));
      assert.equal(await count('vigil_agent_ack_seconds'), 0, 'nothing acknowledged before its commit');
      assert.equal(stream.got.filter((m) => m.ack).length, 0);
      await blocker.query('rollback');
      const acked = await waitFor(() => {
        const ids = stream.got.flatMap((m) => m.ack?.ids ?? []);
        return ids.length === 8 ? ids : undefined;
      });
      assert.deepEqual(acked.sort(), ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6', 'p-7', 'p-8']);
      const commits = await count('vigil_agent_commit_seconds');
      assert.ok(commits <= 3, `the waiting batches shared commits (${commits} commits for 8 batches; at most 2 run at once, the rest wait for the next)`);
      const list = await t.call('GET', `/api/v1/alerts?project=${p}`, t.adminToken);
      assert.equal(list.body.items[0].count, 8, 'each alert stored once');
    } finally {
      await blocker.end().catch(() => {});
      a?.close();
      await link.close();
      await t.cleanup();
      rmSync(d, { recursive: true, force: true });
    }
  },
);

test(
  "agent link (sqlite): a commit that waits for the database does not stop the server's event loop, and is acknowledged once committed",
  { timeout: 60_000 },
  async () => {
    const started = await startLink('sqlite');
    const { t, link } = started;
    const d = mkdtempSync(join(tmpdir(), 'vigil-link-'));
    const { default: Database } = await import('better-sqlite3');
    // Another connection to the server's file holds SQLite's write lock, as a long write of another process would.
    const blocker = new Database(t.ctx.store.url.slice('sqlite:'.length));
    let a: ReturnType<typeof openLink> | undefined;
    try {
      const p = t.defaultProjectId;
      const stream = (a = await enrolledStream(started, d));
      const count = (h: string) => metricCount(t, h);
      blocker.prepare('begin immediate').run();
      stream.send({ alerts: { alerts: [{ id: 'w-1', json: JSON.stringify(keyAlert('w-1', 1)) }] } });
      await waitFor(async () => ((await count('vigil_agent_commit_wait_seconds')) >= 1 ? true : undefined));
      // The commit waits for the lock (SQLite's busy timeout). Meanwhile this process's timers keep firing and the
      // server's own connection answers (a commit on the event loop would stall both until the lock is released or
      // the busy timeout of 5 s ends).
      let longest = 0;
      let last = performance.now();
      const tick = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 10);
      await new Promise((r) => setTimeout(r, 600));
      const read = await t.ctx.store.db.selectFrom('alerts').select('id').execute();
      clearInterval(tick);
      assert.equal(read.length, 0, 'not committed yet');
      assert.equal(stream.got.filter((m) => m.ack).length, 0, 'nothing acknowledged before its commit');
      assert.ok(longest < 250, `the event loop kept running while the commit waited (longest gap ${longest.toFixed(0)} ms)`);
      blocker.prepare('commit').run();
      await waitFor(() => stream.got.find((m) => m.ack?.ids.includes('w-1')));
      const list = await t.call('GET', `/api/v1/alerts?project=${p}`, t.adminToken);
      assert.equal(list.body.items[0].count, 1, 'stored once');
      const audited = (await t.call('GET', '/api/v1/audit?event=ingestAlerts', t.adminToken)).body.items;
      assert.deepEqual(
        audited.map((x: { username: string; summary: { count: number } }) => [x.username, x.summary.count]),
        [['node:n1', 1]],
      );
    } finally {
      if (blocker.inTransaction) blocker.prepare('rollback').run();
      blocker.close();
      a?.close();
      await link.close();
      await t.cleanup();
      rmSync(d, { recursive: true, force: true });
    }
  },
);
