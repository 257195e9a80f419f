// The admission webhook over real TLS: AdmissionReviews for each rule
// (blocked and allowed twins), every workload kind, warnings, dryRun,
// malformed and oversized reviews under both failure policies, plain HTTP
// refused; and, against a real Vigil server, policies and facts from its API
// with a cache, alerts ingested, dry runs not recorded.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createSelfSignedCert } from '../k8s/self-signed-cert.js';
import { AdmissionWebhookServer } from './webhook.js';
import { AdmissionService, AlertSender, LocalSource, ServerSource, loadPolicyFiles } from './service.js';
import { FactsTable } from '../../core/admission/facts.js';
import { startTestServer, type TestServer } from '../server/server.test-helpers.js';
import type { Alert } from '../../core/alerts/types.js';

const cert = createSelfSignedCert(['localhost', '127.0.0.1']);
const ex = (n: string) => fileURLToPath(new URL(`../../../examples/admission/${n}`, import.meta.url));

function post(port: number, body: string | Buffer, path = '/validate'): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca: cert.certPem,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const t = Buffer.concat(chunks).toString('utf8');
          let b: unknown = t;
          try {
            b = JSON.parse(t);
          } catch {
            /* text */
          }
          resolve({ status: res.statusCode ?? 0, body: b });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, ca: cert.certPem }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve(t));
    })
      .on('error', reject)
      .end();
  });
}

let uidN = 0;
const podSpec = (c: Record<string, unknown> = {}, pod: Record<string, unknown> = {}) => ({
  ...pod,
  containers: [{ name: 'app', image: 'registry.example.com/app:1.0', ...c }],
});
function workload(kind: string, spec: Record<string, unknown>, name = 'w'): Record<string, unknown> {
  const tmpl = { metadata: { labels: { app: name } }, spec };
  const group: Record<string, string> = {
    Pod: 'v1',
    Deployment: 'apps/v1',
    StatefulSet: 'apps/v1',
    DaemonSet: 'apps/v1',
    ReplicaSet: 'apps/v1',
    Job: 'batch/v1',
    CronJob: 'batch/v1',
  };
  const body =
    kind === 'Pod'
      ? { spec }
      : kind === 'CronJob'
        ? { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tmpl } } } }
        : { spec: { template: tmpl } };
  return { apiVersion: group[kind], kind, metadata: { name }, ...body };
}
function review(object: Record<string, unknown>, over: Record<string, unknown> = {}): string {
  const kind = String(object.kind);
  const [g, v] = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/') : ['', String(object.apiVersion)];
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++uidN}`,
      kind: { group: g, version: v, kind },
      resource: { group: g, version: v, resource: `${kind.toLowerCase()}s` },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object,
      dryRun: false,
      ...over,
    },
  });
}

describe('admission webhook with local policies', () => {
  let srv: AdmissionWebhookServer;
  let port = 0;
  let ignoreSrv: AdmissionWebhookServer;
  let ignorePort = 0;
  const alerts: Alert[] = [];
  before(async () => {
    const policies = [...(await loadPolicyFiles([ex('block-dangerous-settings.yaml'), ex('block-critical-vulns.yaml')]))];
    const facts = new FactsTable();
    const clean = {
      scanned: true,
      scannedAt: new Date().toISOString(),
      vulnerabilities: { critical: 0, high: 0, criticalFixable: 0, highFixable: 0 },
      malware: 0,
    };
    facts.set('registry.example.com/app:1.0', clean);
    facts.set('registry.example.com/vuln:1', { ...clean, vulnerabilities: { critical: 1, high: 0, criticalFixable: 1, highFixable: 0 } });
    facts.set('registry.example.com/many-high:1', { ...clean, vulnerabilities: { critical: 0, high: 12, criticalFixable: 0, highFixable: 12 } });
    const service = new AdmissionService({ source: new LocalSource(policies, facts), onAlerts: (a) => alerts.push(...a) });
    srv = new AdmissionWebhookServer({
      host: '127.0.0.1',
      port: 0,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      service,
      failurePolicy: 'fail',
      maxBodyBytes: 256 * 1024,
    });
    port = (await srv.start()).port;
    ignoreSrv = new AdmissionWebhookServer({
      host: '127.0.0.1',
      port: 0,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      service,
      failurePolicy: 'ignore',
      maxBodyBytes: 256 * 1024,
    });
    ignorePort = (await ignoreSrv.start()).port;
  });
  after(async () => {
    await srv?.stop();
    await ignoreSrv?.stop();
  });

  test('each rule: blocked and allowed twins, for every workload kind', async () => {
    const twins: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
      ['privileged', podSpec({ securityContext: { privileged: true } }), podSpec({ securityContext: { privileged: false } }), 'container.privileged'],
      [
        'SYS_ADMIN',
        podSpec({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
        podSpec({ securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }),
        'container.capabilities',
      ],
      ['hostPID', podSpec({}, { hostPID: true }), podSpec({}, { hostPID: false }), 'container.hostNamespaces'],
      ['hostNetwork', podSpec({}, { hostNetwork: true }), podSpec(), 'container.hostNamespaces'],
      [
        'hostPath /etc',
        podSpec({ volumeMounts: [{ name: 'h', mountPath: '/host' }] }, { volumes: [{ name: 'h', hostPath: { path: '/etc' } }] }),
        podSpec({ volumeMounts: [{ name: 'h', mountPath: '/data' }] }, { volumes: [{ name: 'h', hostPath: { path: '/srv/data' } }] }),
        'container.hostMounts',
      ],
      [
        'docker.sock',
        podSpec({ volumeMounts: [{ name: 'h', mountPath: '/s' }] }, { volumes: [{ name: 'h', hostPath: { path: '/var/run/docker.sock' } }] }),
        podSpec(),
        'container.hostMounts',
      ],
      [
        'seccomp',
        podSpec({ securityContext: { seccompProfile: { type: 'Unconfined' } } }),
        podSpec({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }),
        'container.seccomp',
      ],
      ['unscanned', podSpec({ image: 'registry.example.com/never-scanned:3' }), podSpec(), 'scan.required'],
      ['critical fixable', podSpec({ image: 'registry.example.com/vuln:1' }), podSpec(), 'vulnerabilities.critical'],
      ['latest', podSpec({ image: 'registry.example.com/app' }), podSpec(), 'images.latest'],
      [
        'init container',
        podSpec({}, { initContainers: [{ name: 'init', image: 'registry.example.com/app:1.0', securityContext: { privileged: true } }] }),
        podSpec(),
        'container.privileged',
      ],
    ];
    for (const kind of ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']) {
      for (const [what, blocked, allowed, rule] of twins) {
        const b = await post(port, review(workload(kind, blocked)));
        assert.equal(b.status, 200);
        assert.equal(b.body.response.allowed, false, `${kind} ${what} must be refused`);
        assert.match(b.body.response.status.message, new RegExp(rule.replace('.', '\\.')), `${kind} ${what}`);
        assert.equal(b.body.response.status.code, 403);
        assert.ok(b.body.response.uid.startsWith('uid-'));
        const a = await post(port, review(workload(kind, allowed)));
        assert.equal(a.body.response.allowed, true, `${kind} ${what} twin must pass: ${JSON.stringify(a.body.response.status)}`);
      }
    }
  });

  test('warn mode answers with warnings; excluded namespace and exceptions pass; deletes pass', async () => {
    const w = await post(port, review(workload('Deployment', podSpec({ image: 'registry.example.com/many-high:1' }))));
    assert.equal(w.body.response.allowed, true);
    assert.equal(w.body.response.warnings.length, 1);
    assert.match(w.body.response.warnings[0], /warn-high-vulns\/vulnerabilities\.high: container app: .*12 fixable high/);
    const sys = await post(port, review(workload('Pod', podSpec({ securityContext: { privileged: true } })), { namespace: 'kube-system' }));
    assert.equal(sys.body.response.allowed, true);
    const agent = workload('DaemonSet', podSpec({ securityContext: { privileged: true } }), 'vigil-agent');
    (agent.spec as any).template.metadata.labels = { 'app.kubernetes.io/name': 'vigil-agent' };
    assert.equal((await post(port, review(agent, { namespace: 'vigil' }))).body.response.allowed, true);
    const del = await post(port, review(workload('Pod', podSpec({ securityContext: { privileged: true } })), { operation: 'DELETE' }));
    assert.equal(del.body.response.allowed, true);
  });

  test('dryRun: the same answer, no alert recorded', async () => {
    alerts.length = 0;
    const priv = workload('Pod', podSpec({ securityContext: { privileged: true } }));
    const dry = await post(port, review(priv, { dryRun: true }));
    assert.equal(dry.body.response.allowed, false);
    assert.equal(alerts.length, 0);
    await post(port, review(priv));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.type, 'container/abnormal-startup');
    assert.equal(alerts[0]!.k8s?.namespace, 'shop');
    assert.equal(alerts[0]!.action?.kind, 'denied');
    await post(port, review(workload('Pod', podSpec({ image: 'registry.example.com/vuln:1' }))));
    assert.equal(alerts[1]!.type, 'container/image-blocked');
    assert.deepEqual((alerts[1]!.fields as any).images, ['registry.example.com/vuln:1']);
    const m = await get(port, '/metrics');
    assert.match(m, /vigil_admission_decisions_total\{target="kubernetes",result="denied",dry_run="true"\} 1/);
    assert.match(m, /vigil_admission_decision_seconds_count \d+/);
  });

  test('malformed and oversized reviews: refused per failure policy, 400/413 when not a review, never a crash', async () => {
    const bad = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u-bad', kind: { kind: 'Pod' }, operation: 'CREATE', object: { kind: 'Pod', spec: { containers: 'nope' } } },
    });
    const f = await post(port, bad);
    assert.equal(f.status, 200);
    assert.equal(f.body.response.uid, 'u-bad');
    assert.equal(f.body.response.allowed, false);
    assert.match(f.body.response.status.message, /spec\.containers is not a list/);
    const i = await post(ignorePort, bad);
    assert.equal(i.body.response.allowed, true);
    assert.match(i.body.response.warnings[0], /vigil: not checked: .*spec\.containers is not a list/);
    const v1beta = await post(port, bad.replace('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'));
    assert.match(v1beta.body.response.status.message, /apiVersion must be admission\.k8s\.io\/v1/);
    assert.equal((await post(port, '{not json')).status, 400);
    assert.equal((await post(port, JSON.stringify({ kind: 'AdmissionReview' }))).status, 400);
    assert.equal((await post(port, 'null')).status, 400);
    const big = review(workload('Pod', podSpec({ env: [{ name: 'X', value: 'x'.repeat(300 * 1024) }] })));
    const bigFail = await post(port, big);
    assert.equal(bigFail.body.response.allowed, false);
    assert.match(bigFail.body.response.status.message, /AdmissionReview larger than 262144 bytes/);
    const bigIgnore = await post(ignorePort, big);
    assert.equal(bigIgnore.body.response.allowed, true);
    assert.match(bigIgnore.body.response.warnings[0], /not checked: AdmissionReview larger/);
    assert.equal((await post(port, JSON.stringify({ junk: 'x'.repeat(300 * 1024) }))).status, 413, 'no uid to answer: HTTP 413');
    assert.equal((await post(port, review(workload('Pod', podSpec())), '/other')).status, 404);
    assert.equal(JSON.parse(await get(port, '/healthz')).status, 'ok');
  });

  test('TLS only: plain HTTP gets no answer', async () => {
    const r = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST' }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      req.end('{}');
    });
    assert.ok(!r.startsWith('status 200'), r);
  });
});

describe('admission webhook with a real Vigil server', () => {
  let s: TestServer;
  let base = '';
  let P = '';
  let token = '';
  before(async () => {
    s = await startTestServer('sqlite', {}, { workers: 0 });
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const addr = s.app.server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
    P = (await s.call('POST', '/api/v1/projects', s.adminToken, { name: 'k8s' })).body.id;
    token = (await s.user('webhook', 'Custom', P, ['policy:read', 'image:read', 'alert:ingest'])).token;
    for (const p of await loadPolicyFiles([ex('block-critical-vulns.yaml')])) {
      const doc = { rules: p.rules, exceptions: p.exceptions, scope: p.scope };
      const r = await s.call('POST', `/api/v1/projects/${P}/policies`, s.adminToken, { name: p.name, kind: 'image-admission', mode: p.mode, document: doc });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
  after(async () => {
    await s?.cleanup();
  });

  test('policies and facts from the API (cached), alerts ingested, dry runs not recorded, server down -> failure policy', async () => {
    const source = new ServerSource({ url: base, token, project: P, factsTtlMs: 60_000 });
    const sender = new AlertSender({ url: base, token, project: P });
    const service = new AdmissionService({ source, onAlerts: (a) => sender.push(a) });
    const w = new AdmissionWebhookServer({ host: '127.0.0.1', port: 0, certPem: cert.certPem, keyPem: cert.keyPem, service, failurePolicy: 'fail' });
    const port = (await w.start()).port;
    try {
      const pod = workload('Pod', podSpec({ image: 'registry.example.com/unknown:1' }));
      const dry = await post(port, review(pod, { dryRun: true }));
      assert.equal(dry.body.response.allowed, false);
      assert.match(dry.body.response.status.message, /block-critical-vulns\/scan\.required/);
      await post(port, review(pod));
      await post(port, review(pod));
      assert.equal(source.stats.factsMisses, 1, 'one server lookup, then the cache');
      await sender.close();
      assert.equal(sender.stats.sent, 2);
      const list = await s.call('GET', `/api/v1/alerts?project=${P}`, s.adminToken);
      assert.equal(list.status, 200);
      assert.equal(list.body.items.length, 1, 'two alerts of one type and subject group into one');
      assert.equal(list.body.items[0].type, 'container/image-blocked');
      assert.equal(list.body.items[0].count, 2, 'the dry run was not recorded');
    } finally {
      await w.stop();
    }
    // The server is away: fail closed / fail open.
    for (const fp of ['fail', 'ignore'] as const) {
      const away = new AdmissionService({ source: new ServerSource({ url: 'http://127.0.0.1:9', token, project: P, timeoutMs: 500 }) });
      const w2 = new AdmissionWebhookServer({ host: '127.0.0.1', port: 0, certPem: cert.certPem, keyPem: cert.keyPem, service: away, failurePolicy: fp });
      const p2 = (await w2.start()).port;
      try {
        const r = await post(p2, review(workload('Pod', podSpec())));
        assert.equal(r.body.response.allowed, fp === 'ignore');
        assert.match(JSON.stringify(r.body.response), /cannot decide: server http:\/\/127\.0\.0\.1:9/);
      } finally {
        await w2.stop();
      }
    }
  });
});
