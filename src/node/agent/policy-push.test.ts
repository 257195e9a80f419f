// Policies pushed down the agent link, with the real link server and a real
// gRPC client (the agent's Sender) over mutual TLS: the project's policy set
// at connect; a policy created, applied to an image, changed and deleted
// through the API reaches the connected agent within 5 s each time; the
// agent's AgentPolicies applies each set to a live PolicyStage (an exec in a
// selected container is decided against the new set). On PostgreSQL a change
// made through a second server process context (another replica: its own
// pool and LISTEN connection, the same database) reaches the agent linked to
// the first one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { PolicyStage } from '../../core/policy/stage.js';
import { emptyLearnState } from '../../core/policy/evaluate.js';
import type { PushedPolicies } from '../../core/policy/pushed.js';
import { execIn } from '../../core/policy/policy.test-helpers.js';
import { startTestServer } from '../server/server.test-helpers.js';
import { createContext } from '../server/start.js';
import { addPolicy } from '../services/policies.js';
import { SYSTEM_ACTOR } from '../store/audit-log.js';
import { loadOrCreatePki } from './pki.js';
import { startAgentLink } from './link-server.js';
import { enrollOrLoad, Sender } from './link-client.js';
import { AlertQueue } from './queue.js';
import { AgentPolicies } from './policies.js';

const kinds = ['sqlite', 'postgres'] as const;

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 5000): Promise<{ v: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return { v, ms: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const kind of kinds) {
  test(`policy push (${kind}): set at connect, every change through the API reaches the agent within 5 s and applies live`, { timeout: 90_000 }, async () => {
    const t = await startTestServer(kind, {}, { workers: 0 });
    const pki = await loadOrCreatePki(t.dataDir);
    t.ctx.agentCaHash = pki.caHash;
    const link = await startAgentLink(t.ctx, pki, { host: '127.0.0.1', port: 0, offlineSeconds: 60 });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-push-'));
    let sender: Sender | undefined;
    let queue: AlertQueue | undefined;
    let replica: Awaited<ReturnType<typeof createContext>> | undefined;
    try {
      const p = t.defaultProjectId;
      const cl = await t.call('POST', `/api/v1/projects/${p}/clusters`, t.adminToken, { name: 'prod' });
      const tok = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/agent-tokens`, t.adminToken, {});
      const identity = await enrollOrLoad({
        server: link.address,
        dataDir: dir,
        token: tok.body.token,
        caHash: pki.caHash,
        nodeName: 'n1',
        version: '0.1.0',
        kernel: '6.1',
      });
      const img = await t.call('POST', `/api/v1/projects/${p}/images`, t.adminToken, { ref: 'registry:docker.io/library/nginx:1.25' });
      assert.equal(img.status, 201, JSON.stringify(img.body));

      // The agent side: a live stage (one local policy from a --policy file) and the received sets.
      const local = { name: 'local', selector: { containers: ['other-*'] }, processWhitelist: { executables: ['/bin/true'] } };
      const stage = new PolicyStage({ policies: [local] }, emptyLearnState(), () => 1000);
      const notices: string[] = [];
      const policies = new AgentPolicies(dir, (l) => notices.push(l));
      policies.bind(stage, { protectedPrefixes: undefined });
      const sets: PushedPolicies[] = [];
      const applied: string[] = [];
      queue = new AlertQueue(join(dir, 'queue.db'));
      sender = new Sender({
        server: link.address,
        identity,
        queue,
        status: () => ({ version: '0.1.0', kernel: '6.1', sensors: 'test' }),
        onCommand: (k, json) => {
          assert.equal(k, 'policies');
          sets.push(JSON.parse(json) as PushedPolicies);
          const r = policies.apply(json);
          assert.equal(r.error, undefined);
          applied.push(r.revision);
        },
      });
      sender.start();
      const first = (await waitFor('the policy set at connect', () => sets[0])).v;
      assert.equal(first.projectId, p);
      assert.deepEqual(first.runtime.policies, []);
      assert.equal(first.protected, false);
      const decide = (exe: string) => stage.decide(execIn('nginx:1.25', exe)).violations.map((v) => `${v.type} ${v.enforce ? 'enforce' : 'alert'}`);
      assert.deepEqual(decide('/bin/sh'), [], 'nothing selects the container yet');

      // Created: not applied to any image yet, so pushed as inactive (no selector).
      const created = await t.call('POST', `/api/v1/projects/${p}/policies`, t.adminToken, {
        name: 'web',
        kind: 'process-whitelist',
        mode: 'enforce',
        document: { processWhitelist: { executables: ['/usr/sbin/nginx'] } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const s2 = (await waitFor('the set after addPolicy', () => sets[1])).v;
      assert.deepEqual(s2.inactive, [{ name: 'web', why: 'applied to no image and no selector in its document' }]);

      // Applied to the image: the container of nginx:1.25 (as Docker names it) is selected, enforce.
      const ap = await t.call('POST', `/api/v1/projects/${p}/policies/${created.body.id}/images`, t.adminToken, { imageIds: [img.body.id] });
      assert.ok(ap.status < 300, JSON.stringify(ap.body));
      const { v: s3, ms } = await waitFor('the set after imageApplyPolicy', () => sets[2]);
      assert.ok(ms < 5000);
      assert.deepEqual(s3.runtime.policies[0]!.selector.images, ['docker.io/library/nginx:1.25', 'nginx:1.25']);
      assert.deepEqual(decide('/bin/sh'), ['container/abnormal-process enforce']);
      assert.deepEqual(decide('/usr/sbin/nginx'), []);
      assert.equal(stage.doc.policies.length, 2, 'the local policy stays');

      // Changed to alert.
      const mod = await t.call('PATCH', `/api/v1/projects/${p}/policies/${created.body.id}`, t.adminToken, { mode: 'alert' });
      assert.ok(mod.status < 300, JSON.stringify(mod.body));
      await waitFor('the set after modifyPolicy', () => sets[3]);
      assert.deepEqual(decide('/bin/sh'), ['container/abnormal-process alert']);

      if (kind === 'postgres') {
        // Another replica (its own context, pool and listener on the same database) changes a policy.
        replica = await createContext(t.ctx.config, { log: pino({ level: 'silent' }) as unknown as FastifyBaseLogger });
        await addPolicy(replica, { actor: SYSTEM_ACTOR, event: 'addPolicy' }, p, {
          name: 'files',
          kind: 'file-protection',
          mode: 'enforce',
          document: { selector: { images: ['redis:*'] }, fileProtection: { paths: ['/data'] } },
        });
        const { v: s5, ms: ms2 } = await waitFor('the set after a change on another replica', () => sets[4]);
        assert.ok(ms2 < 5000);
        assert.deepEqual(
          s5.runtime.policies.map((x) => x.name),
          ['files', 'web'],
        );
      }

      // Deleted: the container is no longer selected.
      const n = sets.length;
      const del = await t.call('DELETE', `/api/v1/projects/${p}/policies/${created.body.id}`, t.adminToken);
      assert.ok(del.status < 300, JSON.stringify(del.body));
      await waitFor('the set after deletePolicy', () => sets[n]);
      assert.deepEqual(decide('/bin/sh'), []);
      assert.ok(!sets[n]!.runtime.policies.some((x) => x.name === 'web'));

      // Each set sent differs from the one before (an unchanged set is not sent again); equal content, equal revision.
      for (let i = 1; i < applied.length; i++) assert.notEqual(applied[i], applied[i - 1]);
      if (kind === 'sqlite') assert.equal(applied[applied.length - 1], applied[0], 'back to no policies: the first revision again');
      // Cluster protection is part of the set.
      const prot = await t.call('POST', `/api/v1/projects/${p}/clusters/${cl.body.id}/protect`, t.adminToken, {});
      assert.ok(prot.status < 300, JSON.stringify(prot.body));
      const { v: sp } = await waitFor('the set after openClusterProtect', () => sets[n + 1]);
      assert.equal(sp.protected, true);
      // The last set is saved: a restarted agent applies it before the server answers.
      const stage2 = new PolicyStage({ policies: [local] }, emptyLearnState(), () => 1000);
      new AgentPolicies(dir, () => {}).bind(stage2, { protectedPrefixes: undefined });
      assert.deepEqual(stage2.doc, stage.doc);
      // A broken set is refused whole; the previous one stays.
      const before = stage.doc;
      assert.match(policies.apply('{"format":1,"revision":"x","runtime":{"policies":[{"name":"bad name!"}]}}').error!, /name/);
      assert.match(policies.apply('[').error!, /not JSON/);
      assert.match(policies.apply('{"format":99,"revision":"x"}').error!, /unsupported policy set/);
      assert.equal(stage.doc, before);
    } finally {
      await sender?.stop();
      queue?.close();
      if (replica) await replica.store.close();
      await link.close();
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
