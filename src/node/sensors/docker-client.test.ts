import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerClient, dockerInspectToMeta } from './docker-client.js';
import { InputError } from '../../core/errors.js';

const ID = '3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899';
const RECORDED = readFileSync(new URL('./testdata/docker-inspect-nginx.json', import.meta.url), 'utf8');

/** A fake Docker Engine on a unix socket in a temp dir, listening for the enclosing describe block. */
function fakeEngine(prefix: string, handler: RequestListener): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sock = join(dir, 'docker.sock');
  const server = createServer(handler);
  before(() => new Promise<void>((r) => server.listen(sock, () => r())));
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return sock;
}

describe('Docker Engine API client (unix socket, recorded responses)', () => {
  const seen: string[] = [];
  const sock = fakeEngine('vigil-docker-', (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = req.url ?? '';
    if (url.endsWith(`/containers/${ID}/json`)) {
      res.setHeader('content-type', 'application/json');
      res.end(RECORDED);
    } else if (url.includes('/containers/' + 'b'.repeat(64))) {
      res.end('{"Id": "not json');
    } else if (url.includes('/containers/' + 'c'.repeat(64))) {
      res.end('x'.repeat(4096));
    } else if (url.includes('/containers/' + 'd'.repeat(64))) {
      // never answers: the client's timeout must fire
    } else if (url.includes('/containers/' + 'e'.repeat(64))) {
      res.statusCode = 500;
      res.end('{"message":"server error"}');
    } else {
      res.statusCode = 404;
      res.end('{"message":"No such container"}');
    }
  });

  it('maps GET /containers/{id}/json', async () => {
    const m = await new DockerClient({ socketPath: sock }).inspect(ID);
    assert.deepEqual(seen.at(-1), `GET /v1.41/containers/${ID}/json`);
    assert.equal(m?.name, 'web-1');
    assert.equal(m?.image, 'nginx:1.25');
    assert.equal(m?.imageDigest, 'sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6');
    assert.equal(m?.privileged, false);
    assert.equal(m?.podName, 'web-7d9f8b6c5-x2x8q');
    assert.equal(m?.podNamespace, 'shop');
    assert.deepEqual(m?.mounts?.[0], { source: '/srv/www', destination: '/usr/share/nginx/html', readOnly: true });
    assert.equal(m?.mounts?.[1]?.source, '/var/run/docker.sock');
  });

  it('returns undefined for an unknown container', async () => {
    assert.equal(await new DockerClient({ socketPath: sock }).inspect('f'.repeat(64)), undefined);
  });

  it('turns broken, oversized, slow and failing answers into one-line InputErrors', async () => {
    const c = new DockerClient({ socketPath: sock, maxBytes: 1024, timeoutMs: 300 });
    const code = (c: string) => (e: unknown) => e instanceof InputError && e.code === c && !e.message.includes('\n');
    await assert.rejects(c.inspect('b'.repeat(64)), code('DOCKER_BAD_JSON'));
    await assert.rejects(c.inspect('c'.repeat(64)), code('DOCKER_TOO_LARGE'));
    await assert.rejects(c.inspect('d'.repeat(64)), code('DOCKER_TIMEOUT'));
    await assert.rejects(c.inspect('e'.repeat(64)), code('DOCKER_HTTP'));
    await assert.rejects(c.inspect('../../etc'), code('DOCKER_BAD_ID'));
    await assert.rejects(new DockerClient({ socketPath: `${sock}.none` }).inspect(ID), code('DOCKER_UNREACHABLE'));
  });

  it('rejects inspect documents without an id', () => {
    assert.throws(() => dockerInspectToMeta({ Name: '/x' }), /no 64-hex "Id"/);
    assert.throws(() => dockerInspectToMeta(null), InputError);
  });
});

describe('Docker Engine API client: the quick read (container list) while inspect waits for the container lock', () => {
  let release: (() => void) | undefined;
  const LISTED = {
    Id: ID,
    Names: ['/web-1'],
    Image: 'registry.test/shop/web:2',
    ImageID: 'sha256:' + 'a'.repeat(64),
    Labels: { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' },
    Mounts: [{ Type: 'bind', Source: '/srv', Destination: '/data', RW: false }],
  };
  const sock = fakeEngine('vigil-docker-q-', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    if (url.pathname === '/v1.41/containers/json') {
      const ids = (JSON.parse(url.searchParams.get('filters') ?? '{}') as { id?: string[] }).id ?? [];
      res.setHeader('content-type', 'application/json');
      // Docker matches id prefixes: a list with a neighbour whose id shares none must not be taken.
      res.end(JSON.stringify(ids[0] === ID ? [{ ...LISTED, Id: 'f'.repeat(64) }, LISTED] : []));
    } else if (url.pathname === `/v1.41/containers/${ID}/json`) {
      // Held like dockerd holds the container's lock during its start.
      release = () => res.end(RECORDED);
    } else {
      res.statusCode = 404;
      res.end('{"message":"No such container"}');
    }
  });

  it('maps the list entry (name, image, digest, pod, mounts; not privileged); an unknown id is undefined', async () => {
    const c = new DockerClient({ socketPath: sock });
    assert.deepEqual(await c.quick(ID), {
      id: ID,
      name: 'web-1',
      image: 'registry.test/shop/web:2',
      imageDigest: 'sha256:' + 'a'.repeat(64),
      mounts: [{ source: '/srv', destination: '/data', readOnly: true }],
      podName: 'web-0',
      podNamespace: 'shop',
    });
    assert.equal(await c.quick('e'.repeat(64)), undefined);
    await assert.rejects(c.quick('../x'), /not a container id/);
  });

  it('the resolver answers from the list at once, and completes from inspect when the lock is released', async () => {
    const { ContainerResolver } = await import('./container-resolver.js');
    const r = new ContainerResolver({ clients: [new DockerClient({ socketPath: sock, timeoutMs: 5000 })] });
    const m = await r.lookup(ID);
    assert.equal(m?.image, 'registry.test/shop/web:2');
    assert.equal(m?.privileged, undefined, 'only inspect knows');
    for (let i = 0; i < 100 && !release; i++) await new Promise((res) => setTimeout(res, 10));
    release!();
    for (let i = 0; i < 100 && r.enrichment(ID).meta?.privileged === undefined; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.enrichment(ID).meta?.privileged, false, 'completed by the inspect');
    assert.equal(r.enrichment(ID).meta?.image, 'nginx:1.25', "inspect's answer wins where both speak");
  });
});
