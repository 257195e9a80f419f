// Floods and bad input on the agent link, against a real `vigil server`
// process with a low per-node rate (500 alerts/s, burst 1,000), over real
// gRPC connections with enrolled certificates: a hostile node pushing 20,000
// alerts at once is throttled (Throttle with a retry-after, counted in
// /metrics) and stores little more than its bucket allows, while a second
// node's alerts are acknowledged within a few seconds all along; a polite
// flooding agent (the agent's own Sender and queue) honours the
// retry-after and gets every alert stored exactly once; a forged host is
// overwritten with the node's name and an alert body with a project field
// is rejected; a message over 4 MiB ends the stream (RESOURCE_EXHAUSTED).
// And a real `vigil agent` aggregating a flood of identical alerts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { enrollOrLoad, Sender } from '../../../src/node/agent/link-client.js';
import { AlertQueue } from '../../../src/node/agent/queue.js';
import { cluster, isRoot, linkStream, localLog, serverWithCluster, stop, stored, until, withLinkedAgent, type Proc } from './harness.js';

const alert = (type: string, i: number, over: Record<string, unknown> = {}) => {
  const id = randomUUID();
  return { id, json: JSON.stringify({ id, type, severity: 'low', time: new Date().toISOString(), message: `m${i}`, rule: 'flood', host: 'h', ...over }) };
};

test('agent link floods: one node throttled, the other still served within seconds; forged fields; oversized messages', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-flood-'));
  let server: Proc | undefined;
  const closers: Array<() => unknown> = [];
  try {
    const { s, api, projectId, token, caHash } = await serverWithCluster(dir, { VIGIL_AGENT_ALERT_RATE: '500', VIGIL_AGENT_ALERT_BURST: '1000' });
    server = s.p;
    const enroll = async (nodeName: string, tok: string) =>
      enrollOrLoad({ server: s.link, dataDir: mkdtempSync(join(dir, `${nodeName}-`)), token: tok, caHash, nodeName, version: '0.1.0', kernel: 'k' });
    const hostileId = await enroll('hostile', token);
    const victimId = await enroll('victim', (await cluster(api)).token);
    const politeId = await enroll('polite', (await cluster(api)).token);

    const hostile = linkStream(s.link, hostileId);
    closers.push(hostile.close);
    const victim = linkStream(s.link, victimId);
    closers.push(victim.close);
    const ackTime = async (n: number): Promise<number> => {
      const a = alert('custom/Victim alert', n);
      const t0 = Date.now();
      victim.send({ alerts: { alerts: [a] } });
      await until('victim ack', () => victim.got.some((m) => m.ack?.ids.includes(a.id)), 15_000);
      return Date.now() - t0;
    };
    assert.ok((await ackTime(0)) < 3000);

    // The hostile node: 20 messages of 1,000 alerts at once, ignoring every throttle.
    const t0 = Date.now();
    for (let b = 0; b < 20; b++) hostile.send({ alerts: { alerts: Array.from({ length: 1000 }, (_, i) => alert('custom/Hostile flood', b * 1000 + i)) } });
    const victimTimes: number[] = [];
    for (let i = 1; i <= 5; i++) {
      victimTimes.push(await ackTime(i));
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(
      victimTimes.every((t) => t < 3000),
      `the other node's alerts were held up: ${victimTimes.join(', ')} ms`,
    );
    const throttles = await until('hostile throttled', () => {
      const t = hostile.got.filter((m) => m.throttle);
      return t.length >= 10 ? t : undefined;
    });
    assert.ok(throttles.every((m) => m.throttle!.retryAfterMs > 0 && /over its alert rate \(500\/s, burst 1000\)/.test(m.throttle!.reason)));
    // Every hostile alert is answered: acknowledged (stored) or throttled, never both.
    const answered = () => {
      const thr = new Set(hostile.got.flatMap((m) => m.throttle?.ids ?? []));
      const acked = hostile.got.flatMap((m) => m.ack?.ids ?? []);
      return thr.size + acked.length === 20_000 ? { thr, acked } : undefined;
    };
    const { thr: throttledIds, acked: hostileAcked } = await until('every hostile alert answered', answered, 30_000);
    assert.ok(
      hostileAcked.every((id) => !throttledIds.has(id)),
      'a throttled alert is not also stored',
    );
    const elapsed = (Date.now() - t0) / 1000;
    const hostileStored = await stored(api, projectId, 'custom/Hostile flood');
    assert.equal(hostileStored, hostileAcked.length);
    assert.ok(hostileStored <= 1000 + 500 * elapsed + 1000, `stored ${hostileStored} in ${elapsed} s`);
    assert.ok(throttledIds.size >= 10_000, `only ${throttledIds.size} throttled`);

    // A polite flooding agent: the agent's own Sender over its queue honours the retry-after; every alert is stored once.
    const qdir = mkdtempSync(join(dir, 'q-'));
    const queue = new AlertQueue(join(qdir, 'queue.db'), 10_000);
    closers.push(() => queue.close());
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const a = alert('custom/Polite flood', i);
      queue.push(JSON.parse(a.json));
    }
    const sender = new Sender({
      server: s.link,
      identity: politeId,
      queue,
      status: () => ({ version: '0.1.0', kernel: 'k', sensors: '' }),
      batch: 500,
    });
    closers.push(() => sender.stop());
    const p0 = Date.now();
    sender.start();
    sender.kick();
    await until('polite queue drained', () => (queue.depth === 0 ? true : undefined), 60_000);
    const took = Date.now() - p0;
    assert.ok(sender.throttled > 0, 'the polite agent was throttled');
    assert.ok(took >= 2500, `${N} alerts at 500/s after a burst of 1000 took only ${took} ms`);
    assert.equal(await stored(api, projectId, 'custom/Polite flood'), N);

    // Forged fields: the host is the node's own name; a project field is not an alert field.
    const forged = alert('custom/Forged', 0, { host: 'someone-else' });
    const withProject = alert('custom/Forged', 1, { projectId: 'other-project' });
    victim.send({ alerts: { alerts: [forged, withProject] } });
    await until(
      'forged handled',
      () => victim.got.some((m) => m.ack?.ids.includes(forged.id)) && victim.got.some((m) => m.reject?.ids.includes(withProject.id)),
    );
    const rows = await api.call<{ items: Array<{ type: string; host: string; count: number }> }>(
      'GET',
      `/api/v1/alerts?project=${projectId}&type=custom%2FForged`,
    );
    assert.deepEqual(
      rows.items.map((r) => [r.host, r.count]),
      [['victim', 1]],
    );

    // A message over 4 MiB: the stream ends with RESOURCE_EXHAUSTED; the node can connect again.
    const big = linkStream(s.link, victimId);
    closers.push(big.close);
    big.send({ alerts: { alerts: [{ id: 'huge', json: 'x'.repeat(5 * 1024 * 1024) }] } });
    const bigEnd = await big.ended;
    assert.equal(bigEnd?.code, grpc.status.RESOURCE_EXHAUSTED, String(bigEnd?.details));

    // Counted on the metrics endpoint.
    const m = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${api.token}` } })).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(m)?.[1] ?? 0);
    assert.ok(metric('vigil_agent_alerts_throttled_total') >= throttledIds.size + sender.throttled);
    assert.ok(metric('vigil_agent_refused_malformed_total') >= 1);
  } finally {
    for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => {});
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'agent flood aggregation: a real agent sends the first 20 identical alerts of a window, then one alert with the count',
  { skip: !isRoot && 'needs root (procfs sensor)', timeout: 180_000 },
  () =>
    withLinkedAgent('vigil-agent-agg-', {}, async ({ api, projectId, keyFile, agentDir, a }) => {
      const type = 'custom/Test key file changed';
      // 28 changes within 6 s (one window; the file watcher debounces 100 ms, so it sees them one by one).
      for (let i = 0; i < 28; i++) {
        appendFileSync(keyFile, `u${i}:x:0:0::/root:/bin/sh\n`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await until('changes seen on the node', () => (localLog(agentDir, type).length > 20 ? true : undefined), 20_000, a);
      // 20 as they are, then one for the rest of the window (it closes 10 s after the first).
      await until('aggregated alert stored', async () => ((await stored(api, projectId, type)) === 21 ? true : undefined), 30_000, a);
      // Counted once the window closed: every change of it was seen by then (a loaded machine may deliver the last ones late).
      const produced = localLog(agentDir, type).length;
      const q = new AlertQueue(join(agentDir, 'queue.db'));
      assert.equal(q.depth, 0);
      q.close();
      assert.ok(produced > 21, `the local log keeps every alert, the aggregated ones too (${produced} against 21 sent)`);
      const r = await api.call<{ items: Array<{ type: string; message: string; count: number }> }>(
        'GET',
        `/api/v1/alerts?project=${projectId}&type=${encodeURIComponent(type)}`,
      );
      assert.match(r.items[0]!.message, new RegExp(`^${produced - 20} more identical alerts in \\d+ s \\(flood, aggregated\\)`));
    }),
);
