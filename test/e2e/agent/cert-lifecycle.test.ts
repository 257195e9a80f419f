// Agent certificate rotation and revocation, as real processes: `vigil
// server` with a 20-second certificate lifetime and a `vigil agent`. The
// agent renews before expiry (a new key; identity.json replaced; the node's
// certificate changes, audited as renewNodeCert), keeps reporting with the
// new certificate, and the old one is refused once the new one is used. A
// node revoked through the API (audited as revokeNode): its open stream is
// closed at once, the agent stops reconnecting and says why, its queued
// alerts are not accepted, a new connection with its certificate and a new
// enrollment of its name are refused with the reason, and the doctor names
// the certificate step. Needs root (the agent's procfs sensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { enrollOrLoad, type Identity } from '../../../src/node/agent/link-client.js';
import { runDoctor } from '../../../src/node/agent/doctor.js';
import { isRoot, linkStream, localLog, stored, until, withLinkedAgent } from './harness.js';

interface NodeRow {
  id: string;
  hostname: string;
  status: string;
  certSha256: string;
  certNotAfter: string;
  revokedAt: string | null;
}

test(
  'agent certificates: renewed before expiry over mTLS, the old one refused after; a revoked node is cut off and refused',
  { skip: !isRoot && 'needs root (procfs sensor)', timeout: 240_000 },
  () =>
    withLinkedAgent('vigil-agent-cert-', { env: { VIGIL_AGENT_CERT_SECONDS: '20' } }, async ({ s, api, projectId, caHash, keyFile, dir, agentDir, a }) => {
      const readId = () => JSON.parse(readFileSync(join(agentDir, 'identity.json'), 'utf8')) as Identity;
      const nodes = async () => (await api.call<{ items: NodeRow[] }>('GET', `/api/v1/projects/${projectId}/nodes`)).items;
      const first = readId();
      const x1 = new X509Certificate(first.certPem);
      // Bounded lifetime: 20 s (backdated 5 s for clock skew).
      assert.equal(Date.parse(x1.validTo) - Date.parse(x1.validFrom), 25_000);
      const n1 = await until('node online', async () => (await nodes()).find((n) => n.hostname === 'node-a' && n.status === 'online'), 15_000, a);
      assert.equal(n1.certNotAfter, new Date(x1.validTo).toISOString());

      // Renewal at two thirds of the lifetime: a new key and certificate, saved; the node row follows.
      await until('renewed', () => /client certificate renewed/.test(a!.err()), 30_000, a);
      const second = readId();
      assert.notEqual(second.certPem, first.certPem);
      assert.notEqual(second.keyPem, first.keyPem);
      assert.equal(second.nodeId, first.nodeId);
      const n2 = await until(
        'node row renewed',
        async () => (await nodes()).find((n) => n.id === first.nodeId && n.certSha256 !== n1.certSha256 && n.status === 'online'),
        10_000,
        a,
      );
      assert.ok(Date.parse(n2.certNotAfter) > Date.parse(n1.certNotAfter));
      const audit = await api.call<{ items: Array<{ event: string; username: string }> }>('GET', `/api/v1/audit?event=renewNodeCert&limit=10`);
      assert.ok(
        audit.items.some((x) => x.event === 'renewNodeCert' && x.username === 'node:node-a'),
        JSON.stringify(audit.items),
      );
      // Alerts still flow over the renewed identity.
      const type = 'custom/Test key file changed';
      appendFileSync(keyFile, 'eve:x:0:0::/root:/bin/sh\n');
      await until('alert stored after renewal', async () => (await stored(api, projectId, type)) >= 1, 20_000, a);
      // The old certificate (still valid by date) is refused now that the new one is in use.
      const old = linkStream(s.link, first);
      const oldEnd = await old.ended;
      old.close();
      assert.equal(oldEnd?.code, grpc.status.PERMISSION_DENIED, String(oldEnd?.details));
      assert.match(String(oldEnd?.details), /not \(or no longer\) the certificate of an enrolled node/);

      // Revocation through the API: the open stream is closed at once.
      const t0 = Date.now();
      const r = await api.call<{ ok: boolean; revokedAt: string }>('POST', `/api/v1/projects/${projectId}/nodes/${first.nodeId}/revoke`, {
        reason: 'decommissioned in test',
      });
      assert.ok(r.ok);
      await until('agent told it is revoked', () => /was revoked/.test(a!.err()), 5000, a);
      assert.ok(Date.now() - t0 < 5000);
      assert.match(a.err(), /not reconnecting/);
      const n3 = (await nodes()).find((n) => n.id === first.nodeId)!;
      assert.equal(n3.status, 'revoked');
      assert.equal(n3.revokedAt, r.revokedAt);
      const revAudit = await api.call<{ items: Array<{ event: string; result: string }> }>('GET', `/api/v1/audit?event=revokeNode&limit=10`);
      assert.ok(revAudit.items.some((x) => x.event === 'revokeNode' && x.result === 'success'));
      // Twice: a conflict.
      const again = await fetch(`${s.url}/api/v1/projects/${projectId}/nodes/${first.nodeId}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(again.status, 409);

      // Its alerts are not accepted any more: raised and logged on the node, never stored.
      const before = await stored(api, projectId, type);
      appendFileSync(keyFile, 'mallory:x:0:0::/root:/bin/sh\n');
      await until('alert raised on the node', () => (localLog(agentDir, type).length >= 2 ? true : undefined), 20_000, a);
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(await stored(api, projectId, type), before);
      // A new connection with its certificate: refused with the reason.
      const cut = linkStream(s.link, readId());
      cut.send({ alerts: { alerts: [] } });
      const cutEnd = await cut.ended;
      cut.close();
      assert.equal(cutEnd?.code, grpc.status.PERMISSION_DENIED);
      assert.match(String(cutEnd?.details), /node node-a was revoked at .* \(decommissioned in test\); it is refused/);
      // A new token cannot bring the name back.
      const { id: clusterId } = (await api.call<{ items: Array<{ id: string }> }>('GET', `/api/v1/projects/${projectId}/clusters`)).items[0]!;
      const t2 = await api.call<{ token: string }>('POST', `/api/v1/projects/${projectId}/clusters/${clusterId}/agent-tokens`, {});
      await assert.rejects(
        enrollOrLoad({ server: s.link, dataDir: mkdtempSync(join(dir, 'again-')), token: t2.token, caHash, nodeName: 'node-a', version: '0.1.0', kernel: 'k' }),
        /enroll: node node-a was revoked at/,
      );
      // The doctor names the certificate step.
      const d = await runDoctor({ server: s.link, dataDir: agentDir, timeoutMs: 3000 });
      const cert = d.steps.find((x) => x.id === 'certificate')!;
      assert.equal(cert.status, 'fail');
      assert.match(cert.detail, /revoked/);
      assert.equal(d.ok, false);
      // The agent itself keeps running offline.
      assert.equal(a.proc.exitCode, null);
    }),
);
