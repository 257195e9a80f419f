// The server image, built and run for real: deploy/docker/server.Dockerfile
// built by a private dockerd on a Node.js 20 base made from the Debian
// minbase (`docker import`, ../../helpers/node-base-image.ts, passed as
// NODE_IMAGE), then run: `vigil server` answers /healthz and `vigil admission
// webhook` answers an AdmissionReview over TLS (a privileged pod denied, a
// plain one allowed), both asked from inside their containers (no host
// ports). The final image runs as a non-root user and carries no compilers.
// The build runs `apt-get` and `npm ci` inside the build container
// (--network host: the machine's registries), so it takes minutes; the
// minbase (VIGIL_TEST_DEBIAN_ROOTFS) is built by .ci/run, and its absence
// fails the test.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianRootfs, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { buildNodeBaseImage } from '../../helpers/node-base-image.js';
import { createSelfSignedCert } from '../../../src/node/k8s/self-signed-cert.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BASE = 'vigil-e2e/node20:1';
const IMAGE = 'vigil-e2e/server:1';
const BUILD_MS = 40 * 60_000;

// Runs in the container: a request on its own loopback, the answer as one JSON line.
const REQUEST = `
const [url, body, caFile] = process.argv.slice(2);
const u = new URL(url);
const mod = await import(u.protocol === 'https:' ? 'node:https' : 'node:http');
const ca = caFile ? (await import('node:fs')).readFileSync(caFile) : undefined;
const res = await new Promise((resolve, reject) => {
  const req = mod.request(u, { method: body ? 'POST' : 'GET', ca, headers: body ? { 'content-type': 'application/json' } : {} }, (r) => {
    let t = '';
    r.on('data', (c) => (t += c));
    r.on('end', () => resolve({ status: r.statusCode, body: t }));
  });
  req.on('error', reject);
  req.end(body || undefined);
});
console.log(JSON.stringify(res));
`;

describe('the server image, built from deploy/docker/server.Dockerfile and run', { timeout: BUILD_MS + 10 * 60_000 }, () => {
  let d: Dockerd;
  let cfg = '';
  const started: string[] = [];

  before(async () => {
    const rootfs = debianRootfs();
    d = await startDockerd({ prefix: 'vigil-e2e-img-' });
    await buildNodeBaseImage(d, rootfs, BASE);
    const b = await d.docker(
      ['build', '--network', 'host', '--build-arg', `NODE_IMAGE=${BASE}`, '-f', join(REPO, 'deploy/docker/server.Dockerfile'), '-t', IMAGE, REPO],
      { timeoutMs: BUILD_MS },
    );
    assert.equal(b.status, 0, `docker build failed:\n${b.err.slice(-3000)}\n${b.out.slice(-3000)}`);
    cfg = join(d.dir, 'cfg');
    mkdirSync(cfg);
    const cert = createSelfSignedCert(['localhost', '127.0.0.1']);
    writeFileSync(join(cfg, 'tls.crt'), cert.certPem);
    // Readable by the image's non-root user (a throwaway test key).
    writeFileSync(join(cfg, 'tls.key'), cert.keyPem, { mode: 0o644 });
    copyFileSync(join(REPO, 'examples/admission/block-dangerous-settings.yaml'), join(cfg, 'policy.yaml'));
    writeFileSync(join(cfg, 'request.mjs'), REQUEST);
  });

  after(async () => {
    for (const id of started) await d?.docker(['rm', '-f', id]);
    await d?.stop();
  });

  async function start(args: string[]): Promise<string> {
    const r = await d.docker(['run', '-d', '--network', 'none', '-v', `${cfg}:/cfg:ro`, ...args]);
    assert.equal(r.status, 0, r.err);
    const id = r.out.trim();
    started.push(id);
    return id;
  }

  /** The request made inside container `id`, retried until it answers (start-up) or `ms` pass. */
  async function ask(id: string, url: string, body = '', ca = '', ms = 90_000): Promise<{ status: number; body: string }> {
    const end = Date.now() + ms;
    let last = '';
    for (;;) {
      const r = await d.docker(['exec', id, 'node', '/cfg/request.mjs', url, body, ca]);
      if (r.status === 0) return JSON.parse(r.out.trim().split('\n').pop()!) as { status: number; body: string };
      last = r.err.trim().split('\n').slice(-2).join(' ');
      const state = await d.docker(['inspect', '-f', '{{.State.Running}}', id]);
      if (state.out.trim() !== 'true' || Date.now() > end) {
        const logs = await d.docker(['logs', id]);
        throw new Error(`no answer from ${url} in ${id.slice(0, 12)}: ${last}; logs: ${(logs.out + logs.err).slice(-1500)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  it('runs as a non-root user, with no compilers or package build tools', async () => {
    const user = await d.docker(['inspect', '-f', '{{.Config.User}}', IMAGE]);
    assert.equal(user.out.trim(), '10001:10001');
    const tools = await d.docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'for t in gcc g++ cc make python3; do command -v $t; done; true',
    ]);
    assert.equal(tools.status, 0, tools.err);
    assert.equal(tools.out.trim(), '', `build tools in the final image: ${tools.out}`);
    const version = await d.docker(['run', '--rm', '--network', 'none', IMAGE, '--version']);
    assert.match(version.out.trim(), /^\d+\.\d+\.\d+/);
  });

  it('vigil server (the image default command) answers /healthz', async () => {
    const id = await start([IMAGE]);
    const r = await ask(id, 'http://127.0.0.1:8080/healthz');
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /"status"\s*:\s*"ok"/);
  });

  it('vigil admission webhook answers AdmissionReviews over TLS: a privileged pod is denied, a plain pod allowed', async () => {
    const id = await start([
      IMAGE,
      'admission',
      'webhook',
      '--tls-cert',
      '/cfg/tls.crt',
      '--tls-key',
      '/cfg/tls.key',
      '--policy',
      '/cfg/policy.yaml',
      '--listen',
      '127.0.0.1:8443',
    ]);
    const review = (uid: string, securityContext: object) =>
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          namespace: 'shop',
          operation: 'CREATE',
          userInfo: { username: 'alice' },
          object: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'p' },
            spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0', securityContext }] },
          },
          dryRun: false,
        },
      });
    const denied = await ask(id, 'https://127.0.0.1:8443/validate', review('u-1', { privileged: true }), '/cfg/tls.crt');
    assert.equal(denied.status, 200, denied.body);
    const dr = JSON.parse(denied.body) as { response: { uid: string; allowed: boolean; status?: { message?: string } } };
    assert.equal(dr.response.uid, 'u-1');
    assert.equal(dr.response.allowed, false);
    assert.match(dr.response.status?.message ?? '', /privileged/);
    const allowed = await ask(id, 'https://127.0.0.1:8443/validate', review('u-2', { allowPrivilegeEscalation: false }), '/cfg/tls.crt');
    const ar = JSON.parse(allowed.body) as { response: { uid: string; allowed: boolean } };
    assert.equal(ar.response.uid, 'u-2');
    assert.equal(ar.response.allowed, true, allowed.body);
  });
});
