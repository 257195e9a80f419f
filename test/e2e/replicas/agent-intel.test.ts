// Threat-IP entries across server replicas, as real processes: two `vigil
// server` processes on one PostgreSQL schema (one data dir, so one agent CA),
// a `vigil agent` (procfs sensor, no Docker needed) enrolled with a token
// from replica A and linked to replica B. A threat IP added through A's API
// reaches the agent on B (LISTEN/NOTIFY) without a restart: the agent says
// it applied a list of one entry, its effective configuration and its saved
// set hold it; deleting it on A empties the agent's list again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, Api, cluster, startServer, stop, until, type Proc } from '../agent/harness.js';
import { freshSchema } from './replica-helpers.js';

test('a threat IP added on replica A reaches an agent linked to replica B (PostgreSQL)', { timeout: 240_000 }, async () => {
  const db = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replica-intel-'));
  let a: Proc | undefined;
  let b: Proc | undefined;
  let ag: Proc | undefined;
  try {
    const env = { VIGIL_SERVER_DB: db.url, VIGIL_SECRET_KEY: randomBytes(32).toString('hex') };
    const dataDir = join(dir, 'data');
    // A first (it creates the agent CA in the shared data dir), then B.
    const A = await startServer(dataDir, 0, env);
    a = A.p;
    const B = await startServer(dataDir, 0, env);
    b = B.p;
    const apiA = await Api.login(A.url);
    const { projectId, token, caHash } = await cluster(apiA);
    const agentDir = join(dir, 'agent');
    const keyFile = join(dir, 'passwd-like');
    writeFileSync(keyFile, 'root:x:0:0::/root:/bin/sh\n');
    ag = agent(B.link, agentDir, keyFile, ['--token', token, '--ca-hash', caHash]);
    await until('agent linked to B', () => /vigil agent: ready/.test(ag!.err()) && /policies applied: revision/.test(ag!.err()), 120_000, ag);
    const applied = (n: number) =>
      ag!
        .err()
        .split('\n')
        .filter((l) => l.includes('server rules and threat list applied') && l.endsWith(`, ${n} threat-IP entries`)).length;
    const before = applied(1);

    const t0 = Date.now();
    const added = await apiA.call<{ ids: string[] }>('POST', `/api/v1/projects/${projectId}/threat-ips`, {
      entries: [{ cidr: '203.0.113.9', comment: 'added on A' }],
    });
    await until('the entry applied by the agent on B', () => applied(1) > before || undefined, 60_000, ag);
    process.stderr.write(`threat IP added on replica A applied by the agent on replica B after ${Date.now() - t0} ms\n`);
    const eff = JSON.parse(readFileSync(join(agentDir, 'detection-effective.json'), 'utf8')) as { server?: { threatIps: number } };
    assert.equal(eff.server?.threatIps, 1);
    const saved = JSON.parse(readFileSync(join(agentDir, 'policies.json'), 'utf8')) as { threatIps: string[] };
    assert.deepEqual(saved.threatIps, ['203.0.113.9/32']);

    // Deleted on A: the agent on B drops it.
    const zero = applied(0);
    await apiA.call('DELETE', `/api/v1/projects/${projectId}/threat-ips/${added.ids[0]}`);
    await until('the empty list applied by the agent on B', () => applied(0) > zero || undefined, 60_000, ag);
    assert.deepEqual((JSON.parse(readFileSync(join(agentDir, 'policies.json'), 'utf8')) as { threatIps: string[] }).threatIps, []);
    assert.equal(ag.proc.exitCode, null, 'the same agent process throughout');
  } finally {
    await stop(ag);
    await stop(a);
    await stop(b);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
