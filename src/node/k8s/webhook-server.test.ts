import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditWebhookServer } from './webhook-server.js';
import { createSelfSignedCert, loadOrCreateCert } from './self-signed-cert.js';
import type { K8sAuditEvent } from '../../core/events/event.js';

const dir = new URL('../../../test/conformance/falco-k8s-audit/', import.meta.url);
const ev = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8').split('\n')[0]!);
const cert = createSelfSignedCert(['localhost', '127.0.0.1']);

function post(port: number, body: string, headers: Record<string, string> = {}, path = '/k8s/audit'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Real TLS verification: the self-signed certificate is the CA, as in the apiserver's kubeconfig.
    const req = request(
      { host: '127.0.0.1', servername: 'localhost', port, path, method: 'POST', ca: cert.certPem, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const list = (...items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

test('accepts EventList bodies over verified TLS, skips malformed items, checks the token', async () => {
  const got: K8sAuditEvent[] = [];
  const bad: string[] = [];
  const srv = new AuditWebhookServer({
    host: '127.0.0.1',
    port: 0,
    ...cert,
    token: 's3cret',
    onEvents: (es) => {
      got.push(...es);
    },
    onMalformed: (m) => bad.push(m),
    eventHost: 'cp-1',
  });
  const { port } = await srv.start();
  try {
    assert.equal((await post(port, list(ev('exec_pod.json')))).status, 401);
    assert.equal((await post(port, list(ev('exec_pod.json')), { authorization: 'Bearer nope' })).status, 401);
    const auth = { authorization: 'Bearer s3cret' };
    const r = await post(port, list(ev('exec_pod.json'), { kind: 0 }, ev('create_secret.json')), auth);
    assert.equal(r.status, 200);
    assert.equal((await post(port, '{"kind":"EventList"', auth)).status, 400);
    assert.equal((await post(port, list(), auth, '/other')).status, 404);
    await srv.idle();
    assert.deepEqual(
      got.map((e) => e.audit.auditID),
      [ev('exec_pod.json').auditID, ev('create_secret.json').auditID],
    );
    assert.equal(got[0]!.host, 'cp-1');
    assert.equal(srv.stats.malformed, 2);
    assert.match(bad[0]!, /item 1: data not recognized as a k8s audit event/);
  } finally {
    await srv.stop();
  }
});

test('body limit and a full queue answer 413/429 and count drops; the queue drains afterwards', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let consumed = 0;
  const srv = new AuditWebhookServer({
    host: '127.0.0.1',
    port: 0,
    ...cert,
    maxBodyBytes: 20_000,
    maxQueuedEvents: 5,
    batchSize: 2,
    onEvents: async (es) => {
      await gate;
      consumed += es.length;
    },
  });
  const { port } = await srv.start();
  try {
    const e = ev('exec_pod.json');
    assert.equal((await post(port, list(...Array(30).fill(e)))).status, 413);
    assert.equal((await post(port, list(e, e, e))).status, 200);
    // 3 queued (the consumer holds 2 of them), 4 more do not fit
    const r = await post(port, list(e, e, e, e));
    assert.equal(r.status, 429);
    assert.equal(srv.stats.droppedBatches, 1);
    assert.equal(srv.stats.droppedEvents, 4);
    release();
    await srv.idle();
    assert.equal(consumed, 3);
    assert.equal((await post(port, list(e, e))).status, 200);
    await srv.idle();
    assert.equal(consumed, 5);
  } finally {
    release();
    await srv.stop();
  }
});

test('queued bytes are bounded too', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const srv = new AuditWebhookServer({
    host: '127.0.0.1',
    port: 0,
    ...cert,
    maxQueuedBytes: 3000,
    onEvents: async () => {
      await gate;
    },
  });
  const { port } = await srv.start();
  try {
    const e = ev('create_nginx_pod_privileged.json');
    assert.equal((await post(port, list(e))).status, 200);
    assert.equal((await post(port, list(e))).status, 429);
    release();
    await srv.idle();
    assert.equal((await post(port, list(e))).status, 200);
  } finally {
    release();
    await srv.stop();
  }
});

test('the self-signed certificate: names, validity, its own CA', async () => {
  const { X509Certificate } = await import('node:crypto');
  const now = new Date(Date.UTC(2049, 11, 31));
  const c = createSelfSignedCert(['localhost', '127.0.0.1', '::1', 'fe80::1:2', 'vigil.example'], now, 2);
  const x = new X509Certificate(c.certPem);
  assert.equal(x.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FE80:0:0:0:0:0:1:2, DNS:vigil.example');
  assert.ok(x.verify(x.publicKey));
  assert.ok(x.ca);
  assert.ok(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(c.keyPem)));
  // validity crosses 2050: GeneralizedTime after 2049 (RFC 5280)
  assert.equal(new Date(x.validTo).getUTCFullYear(), 2050);
  assert.equal(new Date(x.validFrom).getUTCFullYear(), 2049);
});

test('the certificate is created once in the data dir and reused', async () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-cert-'));
  try {
    const a = await loadOrCreateCert(join(d, 'data'), ['localhost']);
    const b = await loadOrCreateCert(join(d, 'data'), ['localhost']);
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.certPem, b.certPem);
    assert.equal(statSync(join(d, 'data', 'webhook.key')).mode & 0o777, 0o600);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
