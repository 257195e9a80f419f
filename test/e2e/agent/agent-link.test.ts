// The node agent linked to a real `vigil server` (SQLite) over gRPC/TLS, as
// real processes: enrollment with a one-time cluster token and the pinned CA
// hash, a real key-file change on this host raising an alert that reaches
// GET /api/v1/alerts exactly once, a reused token refused, and kill -9 of
// the server while the agent holds queued alerts: after the restart every
// alert the agent produced is stored exactly once. Needs root (the agent's
// procfs sensor reads every process).
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AlertQueue } from '../../../src/node/agent/queue.js';
import { Api, agent, agentReady, cluster, freePort, localLog, startServer, stop, stored, until, stageTest } from './harness.js';

stageTest(
  'agent: enrolls with the pinned CA, a real key-file change is stored exactly once, a reused token is refused',
  { needs: 'procfs sensor', timeout: 180_000, dir: 'vigil-agent-link-' },
  async (st) => {
    const { dir } = st;
    const sc = await st.server();
    const { s, api, projectId, token, caHash, keyFile } = sc;

    // A wrong pin: nothing is sent, the token stays unspent.
    const wrong = agent(s.link, join(dir, 'wrong'), keyFile, ['--token', token, '--ca-hash', `sha256:${'0'.repeat(64)}`]);
    assert.equal(await wrong.exited, 2, wrong.err());
    assert.match(wrong.err(), /CA hash sha256:[0-9a-f]{64} does not match --ca-hash/);

    const { agentDir, a } = await st.enroll(sc);
    const nodes = await until(
      'node online',
      async () => {
        const n = await api.call<{ items: Array<{ hostname: string; status: string; kernel: string; version: string }> }>(
          'GET',
          `/api/v1/projects/${projectId}/nodes`,
        );
        return n.items.find((x) => x.hostname === 'node-a' && x.status === 'online');
      },
      10_000,
      a,
    );
    assert.ok(nodes.kernel.length > 0);
    assert.equal(nodes.version, '0.1.0');
    // Its heartbeats carry the sensors' states and the queue into the node's entry.
    const health = await until(
      'sensor health reported',
      async () => {
        const n = await api.call<{
          items: Array<{ hostname: string; queueDepth: number; lostEvents: number; sensorHealth: Array<{ name: string; state: string }> }>;
        }>('GET', `/api/v1/projects/${projectId}/nodes`);
        return n.items.find((x) => x.hostname === 'node-a' && x.sensorHealth.length > 0);
      },
      10_000,
      a,
    );
    assert.ok(
      health.sensorHealth.some((x) => x.name === 'procfs' && x.state === 'running'),
      JSON.stringify(health.sensorHealth),
    );
    assert.equal(typeof health.queueDepth, 'number');
    assert.equal(health.lostEvents, 0);

    appendFileSync(keyFile, 'mallory:x:0:0::/root:/bin/sh\n');
    const type = 'custom/Test key file changed';
    await until('alert stored', async () => (await stored(api, projectId, type)) >= 1, 20_000, a);
    await until('queue drained', () => (localLog(agentDir, type).length >= 1 ? true : undefined), 5000, a);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await stored(api, projectId, type), localLog(agentDir, type).length);
    assert.equal(localLog(agentDir, type).length, 1);

    // The same token again, from another data dir: refused, one clear line.
    const again = agent(s.link, join(dir, 'again'), keyFile, ['--token', token, '--ca-hash', caHash]);
    assert.equal(await again.exited, 2, again.err());
    assert.match(again.err(), /enroll: agent token already used/);
    assert.doesNotMatch(again.err(), /\n\s+at /);
    // An unknown token: refused too.
    const unknown = agent(s.link, join(dir, 'unknown'), keyFile, ['--token', 'vgr_nope', '--ca-hash', caHash]);
    assert.equal(await unknown.exited, 2, unknown.err());
    assert.match(unknown.err(), /enroll: unknown agent token/);
  },
);

stageTest(
  'agent: kill -9 of the server while alerts are queued; after the restart each is stored exactly once',
  { needs: 'procfs sensor', timeout: 240_000, dir: 'vigil-agent-kill-' },
  async (st) => {
    const { dir } = st;
    const port = await freePort();
    const serverDir = join(dir, 'server');
    let s = await startServer(serverDir, port);
    let server = s.p;
    st.defer(() => stop(server));
    let api = await Api.login(s.url);
    const { projectId, token, caHash } = await cluster(api);
    const keyFile = join(dir, 'shadow-like');
    writeFileSync(keyFile, 'root:*:19000:0:99999:7:::\n');
    const agentDir = join(dir, 'agent');
    const a = agent(s.link, agentDir, keyFile, ['--token', token, '--ca-hash', caHash]);
    st.defer(() => stop(a));
    await agentReady(a);
    const type = 'custom/Test key file changed';
    const change = async (n: number) => {
      for (let i = 0; i < n; i++) {
        appendFileSync(keyFile, `u${Date.now()}${i}:*:19000:0:99999:7:::\n`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await change(3);
    await until('first alerts stored', async () => (await stored(api, projectId, type)) >= 1, 20_000, a);

    server.proc.kill('SIGKILL');
    await server.exited;
    const before = localLog(agentDir, type).length;
    await change(5);
    await until('alerts raised while the server is down', () => (localLog(agentDir, type).length >= before + 3 ? true : undefined), 20_000, a);
    // The agent keeps them on disk meanwhile (and is still running).
    assert.equal(a.proc.exitCode, null);

    s = await startServer(serverDir, port);
    server = s.p;
    api = await Api.login(s.url);
    const produced = localLog(agentDir, type);
    assert.equal(new Set(produced).size, produced.length);
    await until('replayed after the restart', async () => ((await stored(api, projectId, type)) === produced.length ? true : undefined), 60_000, a);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await stored(api, projectId, type), localLog(agentDir, type).length);
  },
);

stageTest(
  'agent: kill -9 of the agent in the middle of replaying a full queue; after its restart each alert is stored exactly once',
  { needs: 'procfs sensor', timeout: 300_000, dir: 'vigil-agent-kill9-' },
  async (st) => {
    const sc = await st.server();
    const { s, api, projectId, keyFile } = sc;
    // Enroll once, then stop: the identity stays in the data dir.
    const { agentDir, a: enrolled } = await st.enroll(sc);
    await stop(enrolled);

    // A full queue: what the agent holds after a long time offline (its own on-disk format).
    const N = 20_000;
    const type = 'custom/Queued while offline';
    const q = new AlertQueue(join(agentDir, 'queue.db'), N);
    const t0 = Date.now();
    for (let i = 0; i < N; i++)
      assert.ok(
        q.push({
          id: randomUUID(),
          type,
          severity: 'medium',
          time: new Date(t0 + i).toISOString(),
          message: `queued ${i}`,
          rule: 'Queued while offline',
          host: 'node-a',
          fields: { n: i, subject: `s${i % 7}` },
        }),
      );
    assert.equal(q.depth, N);
    assert.ok(!q.push({ id: randomUUID(), type, severity: 'low', time: new Date().toISOString(), message: 'over the cap', rule: 'x', host: 'node-a' }));
    q.close();

    // Restart; kill -9 once the server has stored part of the queue.
    let a = agent(s.link, agentDir, keyFile);
    st.defer(() => stop(a));
    const atKill = await until(
      'replay under way',
      async () => {
        const n = await stored(api, projectId, type);
        return n > 0 ? n : undefined;
      },
      120_000,
      a,
    );
    a.proc.kill('SIGKILL');
    await a.exited;
    const afterKill = await stored(api, projectId, type);
    assert.ok(afterKill < N, `the replay was over before the kill (${atKill} stored when seen, ${afterKill} after)`);
    const left = new AlertQueue(join(agentDir, 'queue.db'), N);
    // Acknowledged ones are gone from the queue; some committed ones may not be (their ack was lost with the process).
    assert.ok(left.depth <= N - afterKill + 5000 && left.depth >= N - afterKill, `queue ${left.depth}, stored ${afterKill}`);
    left.close();

    a = agent(s.link, agentDir, keyFile);
    await until('every alert stored', async () => ((await stored(api, projectId, type)) >= N ? true : undefined), 180_000, a);
    await until(
      'queue drained',
      () => {
        const q2 = new AlertQueue(join(agentDir, 'queue.db'), N);
        const d = q2.depth;
        q2.close();
        return d === 0 ? true : undefined;
      },
      30_000,
      a,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await stored(api, projectId, type), N);
  },
);
