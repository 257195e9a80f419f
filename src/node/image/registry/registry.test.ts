// The registry source against a real registry (Debian's docker-registry on
// loopback), images pushed with skopeo: anonymous, Basic and token auth,
// platforms, digests, storage corruption, redirects, listings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { Image } from '../../../core/image/types.js';
import { blobDataPath, pushImage, putManifest, startRegistry, uploadBlob, type RegistryServer } from '../../../../test/helpers/registry-server.js';
import { getManifestDigest, listRepositories, listTags, openRegistryImage, RegistrySession } from './index.js';
import { writeOciLayout, type FixtureLayout } from './oci-fixture.test-helpers.js';
import { inputErrorWith } from '../../../core/errors.test-helpers.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

/** Streams a layer and returns the sha256 of its uncompressed tar and the paths in it. */
async function readLayer(img: Image, i: number): Promise<{ diffId: string; paths: string[] }> {
  const blob = await img.layers[i]!.open!();
  const gunzip = createGunzip();
  const hash = createHash('sha256');
  const ex = extract();
  const paths: string[] = [];
  ex.on('entry', (h, s, next) => {
    paths.push(h.name);
    s.on('end', next);
    s.resume();
  });
  gunzip.on('data', (c: Buffer) => hash.update(c));
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    gunzip.on('error', reject);
    blob.on('error', reject);
  });
  blob.pipe(gunzip).pipe(ex);
  await done;
  // the verifier must also have finished (digest checked at the end)
  await new Promise<void>((resolve, reject) => (blob.readableEnded ? resolve() : (blob.on('end', resolve), blob.on('error', reject))));
  return { diffId: `sha256:${hash.digest('hex')}`, paths };
}

async function drain(img: Image, i: number): Promise<number> {
  let n = 0;
  for await (const c of await img.layers[i]!.open!()) n += (c as Buffer).length;
  return n;
}

async function tmp(t: { after(fn: () => Promise<void>): void } | null, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t?.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('registry source, anonymous registry', () => {
  let reg: RegistryServer;
  let dir: string;
  let multi: FixtureLayout;
  let single: FixtureLayout;
  before(async () => {
    reg = await startRegistry();
    dir = await tmp(null, 'vigil-reg-anon-');
    multi = await writeOciLayout(join(dir, 'multi'), 'v1', [
      { platform: amd64, layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, { 'usr/bin/app': '#!/bin/sh\necho amd64\n' }] },
      { platform: arm64, layers: [{ 'etc/os-release': 'ID=alpine\n' }] },
    ]);
    single = await writeOciLayout(join(dir, 'single'), 'v1', [{ platform: amd64, layers: [{ 'etc/hostname': 'single\n' }] }]);
    await pushImage(`oci:${join(dir, 'multi')}:v1`, `${reg.host}/team/app:multi`, { all: true });
    await pushImage(`oci:${join(dir, 'single')}:v1`, `${reg.host}/team/app:single`);
    await pushImage(`oci:${join(dir, 'single')}:v1`, `${reg.host}/team/docker:v2s2`, { format: 'v2s2' });
    await pushImage(`oci:${join(dir, 'single')}:v1`, `${reg.host}/other:1`);
  });
  after(async () => {
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a tag of a multi-platform index opens linux/amd64 by default; layers stream and verify', async () => {
    const img = await openRegistryImage(`registry:${reg.host}/team/app:multi`, { insecure: true });
    try {
      assert.equal(img.type, 'registry');
      assert.equal(img.digest, multi.manifestDigests[0]);
      assert.equal(img.configDigest, multi.configDigests[0]);
      assert.deepEqual(img.repoTags, [`${reg.host}/team/app:multi`]);
      assert.deepEqual(img.repoDigests, [`${reg.host}/team/app@${multi.indexDigest}`]);
      assert.equal(img.config.architecture, 'amd64');
      assert.deepEqual(
        img.layers.map((l) => l.ref.digest),
        multi.layerDigests[0],
      );
      assert.deepEqual(
        img.layers.map((l) => l.ref.diffId),
        multi.diffIds[0],
      );
      assert.equal(img.layers[1]!.ref.createdBy, 'layer 1 for amd64');
      assert.equal(img.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
      const l1 = await readLayer(img, 1);
      assert.equal(l1.diffId, multi.diffIds[0]![1]);
      assert.deepEqual(l1.paths, ['usr/', 'usr/bin/', 'usr/bin/app']);
    } finally {
      await img.close();
    }
  });

  test('--platform picks another image of the index; a missing platform names those on offer', async () => {
    const img = await openRegistryImage(`registry:${reg.host}/team/app:multi`, { insecure: true, platform: { os: 'linux', architecture: 'arm64' } });
    assert.equal(img.digest, multi.manifestDigests[1]);
    assert.equal((await readLayer(img, 0)).diffId, multi.diffIds[1]![0]);
    await img.close();
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/team/app:multi`, { insecure: true, platform: { os: 'linux', architecture: 's390x' } }),
      inputErrorWith('REGISTRY_PLATFORM_NOT_FOUND', /team\/app:multi: no image for platform linux\/s390x .*linux\/amd64, linux\/arm64\/v8/),
    );
  });

  test('by digest: of the index and of a platform manifest', async () => {
    const a = await openRegistryImage(`registry:${reg.host}/team/app@${multi.indexDigest}`, { insecure: true });
    assert.equal(a.digest, multi.manifestDigests[0]);
    assert.equal(a.repoTags, undefined);
    await a.close();
    const b = await openRegistryImage(`registry:${reg.host}/team/app@${multi.manifestDigests[1]}`, { insecure: true });
    assert.equal(b.config.architecture, 'arm64');
    await b.close();
  });

  test('Docker v2 schema 2 manifests (skopeo --format v2s2)', async () => {
    const img = await openRegistryImage(`registry:${reg.host}/team/docker:v2s2`, { insecure: true });
    assert.equal(img.layers[0]!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.equal(img.layers[0]!.ref.digest, single.layerDigests[0]![0]);
    assert.deepEqual((await readLayer(img, 0)).paths, ['etc/', 'etc/hostname']);
    await img.close();
  });

  test('clear errors for unknown repositories, tags and digests, and for a missing --insecure', async () => {
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/nope:1`, { insecure: true }),
      inputErrorWith('REGISTRY_NOT_FOUND', /^127\.0\.0\.1:\d+\/nope:1: not found in registry .*\(HTTP 404\)/),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/team/app:nope`, { insecure: true }),
      inputErrorWith('REGISTRY_NOT_FOUND', /team\/app:nope: not found .*MANIFEST_UNKNOWN/),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/team/app@sha256:${'0'.repeat(64)}`, { insecure: true }),
      inputErrorWith('REGISTRY_NOT_FOUND', /team\/app@sha256:0+: not found/),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/team/app:multi`, {}),
      inputErrorWith('REGISTRY_TLS', /TLS to 127\.0\.0\.1:\d+ failed .*--insecure/),
    );
  });

  test('manifest size limit', async () => {
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/team/app:single`, { insecure: true, limits: { maxManifestSize: 100 } }),
      inputErrorWith('LIMIT_MANIFEST_SIZE', /limit of 100 bytes/),
    );
  });

  test('listing: catalog with Link pagination, tags, manifest digest', async () => {
    assert.deepEqual(
      (await listRepositories(reg.host, { insecure: true, pageSize: 1 })).filter((r) => !/^(broken|corrupt)\//.test(r)),
      ['other', 'team/app', 'team/docker'],
    );
    assert.deepEqual((await listTags(reg.host, 'team/app', { insecure: true, pageSize: 1 })).sort(), ['multi', 'single']);
    assert.equal(await getManifestDigest(`${reg.host}/team/app:multi`, { insecure: true }), multi.indexDigest);
    assert.equal(await getManifestDigest(`${reg.host}/team/app:single`, { insecure: true }), single.manifestDigests[0]);
    await assert.rejects(listTags(reg.host, 'missing/repo', { insecure: true }), inputErrorWith('REGISTRY_NOT_FOUND', /missing\/repo: not found/));
  });

  test('corrupted storage: layer, config and manifest digests are verified', async (t) => {
    const d = await tmp(t, 'vigil-reg-corrupt-');
    const lay = await writeOciLayout(d, 'v1', [{ platform: amd64, layers: [{ 'etc/corrupt': 'x'.repeat(5000) }] }]);
    await pushImage(`oci:${d}:v1`, `${reg.host}/corrupt/layer:1`);
    await pushImage(`oci:${d}:v1`, `${reg.host}/corrupt/layer:2`);
    const flip = async (digest: string, at: number): Promise<void> => {
      const p = blobDataPath(reg.storageDir, digest);
      const b = await readFile(p);
      b[at] ^= 0xff;
      await writeFile(p, b);
    };
    // Layer: same size, different bytes -> the stream fails at its end.
    await flip(lay.layerDigests[0]![0]!, 100);
    const img = await openRegistryImage(`registry:${reg.host}/corrupt/layer:1`, { insecure: true });
    await assert.rejects(
      drain(img, 0),
      inputErrorWith('IMAGE_DIGEST_MISMATCH', new RegExp(`corrupt/layer@${lay.layerDigests[0]![0]}: blob content has digest sha256:[0-9a-f]{64}, expected`)),
    );
    await img.close();
    // Manifest: by tag (checked against Docker-Content-Digest) and by digest.
    await flip(lay.manifestDigests[0]!, 20);
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/corrupt/layer:2`, { insecure: true }),
      inputErrorWith('IMAGE_DIGEST_MISMATCH', /corrupt\/layer:2: manifest content has digest/),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/corrupt/layer@${lay.manifestDigests[0]}`, { insecure: true }),
      inputErrorWith('IMAGE_DIGEST_MISMATCH'),
    );
  });

  test('broken configs and layer media types pushed as they are', async () => {
    const layer = Buffer.from('not really a layer');
    const push = async (repo: string, config: Buffer, layerType = 'application/vnd.oci.image.layer.v1.tar'): Promise<void> => {
      const ld = await uploadBlob(reg, repo, layer);
      const cd = await uploadBlob(reg, repo, config);
      const m = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.length },
          layers: [{ mediaType: layerType, digest: ld, size: layer.length }],
        }),
      );
      await putManifest(reg, repo, '1', m, 'application/vnd.oci.image.manifest.v1+json');
    };
    await push('broken/json', Buffer.from('{"architecture": "amd64", '));
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/broken/json:1`, { insecure: true }),
      inputErrorWith('REGISTRY_BAD_CONFIG', /broken\/json@sha256:[0-9a-f]{64}: image config is not valid JSON/),
    );
    await push('broken/diffids', Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } })));
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/broken/diffids:1`, { insecure: true }),
      inputErrorWith('REGISTRY_BAD_CONFIG', /0 diff_ids but the manifest has 1 layers/),
    );
    await push('broken/layertype', Buffer.from('{}'), 'application/vnd.example.not-a-layer');
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/broken/layertype:1`, { insecure: true }),
      inputErrorWith('REGISTRY_UNSUPPORTED_LAYER', /layers\[0\] has unsupported media type application\/vnd\.example\.not-a-layer/),
    );
  });

  test('corrupted config blob', async (t) => {
    const d = await tmp(t, 'vigil-reg-corrupt-');
    const lay = await writeOciLayout(d, 'v1', [{ platform: amd64, layers: [{ 'etc/cfg-corrupt': 'y' }] }]);
    await pushImage(`oci:${d}:v1`, `${reg.host}/corrupt/config:1`);
    const p = blobDataPath(reg.storageDir, lay.configDigests[0]!);
    const b = await readFile(p);
    b[0] = 0x20;
    await writeFile(p, b);
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/corrupt/config:1`, { insecure: true }),
      inputErrorWith('IMAGE_DIGEST_MISMATCH', new RegExp(`corrupt/config@${lay.configDigests[0]}`)),
    );
  });
});

describe('registry source, Basic auth (htpasswd)', () => {
  let reg: RegistryServer;
  let dir: string;
  let lay: FixtureLayout;
  const creds = { username: 'alice', password: 's3cret:pw' };
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'basic', ...creds } });
    dir = await tmp(null, 'vigil-reg-basic-');
    lay = await writeOciLayout(join(dir, 'img'), 'v1', [{ platform: amd64, layers: [{ 'etc/os-release': 'ID=debian\n' }] }]);
    await pushImage(`oci:${join(dir, 'img')}:v1`, `${reg.host}/private/app:1`, creds);
  });
  after(async () => {
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('credentials from options, the environment and a docker config (DOCKER_CONFIG)', async () => {
    const ref = `registry:${reg.host}/private/app:1`;
    const a = await openRegistryImage(ref, { insecure: true, ...creds, env: {} });
    assert.equal((await readLayer(a, 0)).diffId, lay.diffIds[0]![0]);
    await a.close();
    const b = await openRegistryImage(ref, { insecure: true, env: { VIGIL_REGISTRY_USERNAME: creds.username, VIGIL_REGISTRY_PASSWORD: creds.password } });
    assert.equal(b.digest, lay.manifestDigests[0]);
    await b.close();
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [`http://${reg.host}`]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } } }),
    );
    const c = await openRegistryImage(ref, { insecure: true, env: { DOCKER_CONFIG: dir } });
    assert.equal(await drain(c, 0), c.layers[0]!.size);
    await c.close();
  });

  test('401 without or with wrong credentials names the image and the credential source', async () => {
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/private/app:1`, { insecure: true, env: {} }),
      inputErrorWith('REGISTRY_UNAUTHORIZED', /private\/app:1: registry .* requires authentication/),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/private/app:1`, { insecure: true, username: 'alice', password: 'wrong', env: {} }),
      inputErrorWith('REGISTRY_UNAUTHORIZED', /private\/app:1: registry .* rejected the credentials from --username\/--password/),
    );
  });

  test('blob redirects are followed and the registry credentials are not sent to storage', async (t) => {
    // A front that forwards to the registry but redirects blob GETs to a
    // "storage" server on another origin, which serves the blob itself.
    const storageAuth: Array<string | undefined> = [];
    const basic = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const storage = http.createServer((req, res) => {
      storageAuth.push(req.headers.authorization);
      http.get(`${reg.url}${req.url}`, { headers: { authorization: basic } }, (up) => {
        res.writeHead(up.statusCode!, { 'content-length': up.headers['content-length'] ?? '' });
        up.pipe(res);
      });
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', r));
    const storagePort = (storage.address() as AddressInfo).port;
    const front = http.createServer((req, res) => {
      if (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '')) {
        res.writeHead(307, { location: `http://127.0.0.1:${storagePort}${req.url}` }).end();
        return;
      }
      const up = http.request(`${reg.url}${req.url}`, { method: req.method, headers: req.headers }, (u) => {
        res.writeHead(u.statusCode!, u.headers);
        u.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    t.after(
      () =>
        new Promise<void>((r) => {
          storage.close();
          front.close(() => r());
        }),
    );
    const frontHost = `127.0.0.1:${(front.address() as AddressInfo).port}`;
    const img = await openRegistryImage(`registry:${frontHost}/private/app:1`, { insecure: true, ...creds, env: {} });
    assert.equal((await readLayer(img, 0)).diffId, lay.diffIds[0]![0]);
    await img.close();
    assert.equal(storageAuth.length, 2, 'config and layer came from storage');
    assert.deepEqual(storageAuth, [undefined, undefined]);
  });
});

describe('registry source, token auth (Bearer JWT from a token server)', () => {
  let reg: RegistryServer;
  let dir: string;
  let lay: FixtureLayout;
  const creds = { username: 'bob', password: 'tok-pw' };
  before(async () => {
    reg = await startRegistry({ auth: { kind: 'token', ...creds } });
    dir = await tmp(null, 'vigil-reg-token-');
    lay = await writeOciLayout(join(dir, 'img'), 'v1', [{ platform: amd64, layers: [{ 'etc/os-release': 'ID=debian\n' }, { 'opt/x': 'x' }] }]);
    await pushImage(`oci:${join(dir, 'img')}:v1`, `${reg.host}/secure/app:1`, creds);
    reg.tokenRequests.length = 0;
  });
  after(async () => {
    await reg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('fetches a pull token with the credentials and reuses it for all blobs', async () => {
    const img = await openRegistryImage(`registry:${reg.host}/secure/app:1`, { insecure: true, ...creds, env: {} });
    assert.equal((await readLayer(img, 0)).diffId, lay.diffIds[0]![0]);
    assert.equal((await readLayer(img, 1)).diffId, lay.diffIds[0]![1]);
    await img.close();
    assert.deepEqual(reg.tokenRequests, [{ scope: ['repository:secure/app:pull'], user: 'bob' }]);
  });

  test('catalog and tags with their own scopes', async () => {
    assert.deepEqual(await listRepositories(reg.host, { insecure: true, ...creds, env: {} }), ['secure/app']);
    assert.deepEqual(await listTags(reg.host, 'secure/app', { insecure: true, ...creds, env: {} }), ['1']);
    assert.equal(await getManifestDigest(`${reg.host}/secure/app:1`, { insecure: true, ...creds, env: {} }), lay.manifestDigests[0]);
  });

  test('a session reuses its tokens across listings and digests', async () => {
    await pushImage(`oci:${join(dir, 'img')}:v1`, `${reg.host}/secure/app:2`, creds);
    reg.tokenRequests.length = 0;
    const s = new RegistrySession(reg.host, { insecure: true, ...creds, env: {} });
    try {
      assert.deepEqual(await s.repositories(), ['secure/app']);
      const tags = (await s.tags('secure/app')).sort();
      assert.deepEqual(tags, ['1', '2']);
      for (const t of tags) assert.equal(await s.manifestDigest('secure/app', t), lay.manifestDigests[0]);
      await assert.rejects(s.manifestDigest('secure/app', 'bad tag'), inputErrorWith('REGISTRY_BAD_REFERENCE'));
      await assert.rejects(s.manifestDigest('secure/app', 'nope'), inputErrorWith('REGISTRY_NOT_FOUND', /secure\/app:nope/));
    } finally {
      s.close();
    }
    assert.deepEqual(
      reg.tokenRequests.map((r) => r.scope.join(' ')),
      ['registry:catalog:*', 'repository:secure/app:pull'],
    );
  });

  test('the token server refusing credentials is a clear 401', async () => {
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/secure/app:1`, { insecure: true, username: 'bob', password: 'nope', env: {} }),
      inputErrorWith(
        'REGISTRY_UNAUTHORIZED',
        /secure\/app:1: token server http:\/\/127\.0\.0\.1:\d+\/token rejected the credentials from --username\/--password/,
      ),
    );
    await assert.rejects(
      openRegistryImage(`registry:${reg.host}/secure/app:1`, { insecure: true, env: {} }),
      inputErrorWith('REGISTRY_UNAUTHORIZED', /requires credentials/),
    );
  });
});

describe('registry source over HTTPS (self-signed certificate)', () => {
  let basicReg: RegistryServer;
  let tokenReg: RegistryServer;
  let dir: string;
  let lay: FixtureLayout;
  const creds = { username: 'carol', password: 'tls-pw' };
  before(async () => {
    [basicReg, tokenReg] = await Promise.all([
      startRegistry({ tls: true, auth: { kind: 'basic', ...creds } }),
      startRegistry({ tls: true, auth: { kind: 'token', ...creds } }),
    ]);
    dir = await tmp(null, 'vigil-reg-tls-');
    lay = await writeOciLayout(join(dir, 'img'), 'v1', [{ platform: amd64, layers: [{ 'etc/tls': 'yes\n' }] }]);
    await pushImage(`oci:${join(dir, 'img')}:v1`, `${basicReg.host}/tls/app:1`, creds);
    await pushImage(`oci:${join(dir, 'img')}:v1`, `${tokenReg.host}/tls/app:1`, creds);
  });
  after(async () => {
    await Promise.all([basicReg?.stop(), tokenReg?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  test('verified TLS with the registry certificate as a CA; --insecure skips verification; neither fails', async () => {
    const ref = `registry:${basicReg.host}/tls/app:1`;
    const a = await openRegistryImage(ref, { ...creds, env: {}, ca: basicReg.certPem! });
    assert.equal((await readLayer(a, 0)).diffId, lay.diffIds[0]![0]);
    await a.close();
    const b = await openRegistryImage(ref, { ...creds, env: {}, insecure: true });
    assert.equal(b.digest, lay.manifestDigests[0]);
    await b.close();
    await assert.rejects(
      openRegistryImage(ref, { ...creds, env: {} }),
      inputErrorWith('REGISTRY_TLS', /tls\/app:1: TLS to 127\.0\.0\.1:\d+ failed .*use --insecure/),
    );
  });

  test('credentials are not sent to a plain-HTTP token realm without --insecure', async () => {
    const ref = `registry:${tokenReg.host}/tls/app:1`;
    await assert.rejects(
      openRegistryImage(ref, { ...creds, env: {}, ca: tokenReg.certPem! }),
      inputErrorWith('REGISTRY_INSECURE_REALM', /tls\/app:1: token realm http:\/\/127\.0\.0\.1:\d+\/token is plain HTTP/),
    );
    const img = await openRegistryImage(ref, { ...creds, env: {}, ca: tokenReg.certPem!, insecure: true });
    assert.equal(img.digest, lay.manifestDigests[0]);
    await img.close();
  });
});
