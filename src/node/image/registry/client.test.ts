// The registry client against misbehaving servers on loopback (what a real
// registry will not do on request): stalls, truncation, retries, redirect
// loops, broken token answers, foreign pagination links, refused connections.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { InputError } from '../../../core/errors.js';
import { freePort } from '../../../../test/helpers/registry-server.js';
import { getManifestDigest, listRepositories, openRegistryImage } from './index.js';
import { MT } from '../manifest.js';
import { digestOf } from './verify-stream.js';
import { inputErrorWith } from '../../../core/errors.test-helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);

describe('registry client against misbehaving servers', () => {
  let server: http.Server;
  let host: string;
  let handler: Handler = (_q, r) => r.writeHead(500).end();
  const sockets = new Set<net.Socket>();
  before(async () => {
    server = http.createServer((q, r) => handler(q, r));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const base = { insecure: true, env: {}, timeoutMs: 300, delay: async () => {} };

  test('a server that never answers times out naming the host', async () => {
    handler = () => {};
    await assert.rejects(
      openRegistryImage(`registry:${host}/app:1`, base),
      inputErrorWith('REGISTRY_TIMEOUT', new RegExp(`app:1: no data from ${host} for 0.3 s`)),
    );
  });

  test('a manifest body that stalls midway times out; one that is cut short is reported', async () => {
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200, { 'content-type': MT.ociManifest, 'content-length': String(manifest.length) });
      r.write(manifest.subarray(0, 10));
    };
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_TIMEOUT'));
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200, { 'content-type': MT.ociManifest, 'content-length': String(manifest.length) });
      r.write(manifest.subarray(0, 10), () => r.socket?.destroy());
    };
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), (e: unknown) => e instanceof InputError && /app:1/.test(e.message));
  });

  test('an endless chunked manifest stops at the limit', async () => {
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200, { 'content-type': MT.ociManifest });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (r.write(chunk)) {
          /* fill the socket buffer */
        }
        r.once('drain', pump);
      };
      r.on('close', () => r.removeAllListeners('drain'));
      pump();
    };
    await assert.rejects(
      openRegistryImage(`registry:${host}/app:1`, { ...base, limits: { maxManifestSize: 1024 * 1024 } }),
      inputErrorWith('LIMIT_MANIFEST_SIZE', /app:1: response is larger than the limit/),
    );
  });

  test('503s are retried (with the injected delay), then the answer is used', async () => {
    let calls = 0;
    const delays: number[] = [];
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      if (++calls <= 2) return void r.writeHead(503).end();
      r.writeHead(200, { 'docker-content-digest': digestOf(manifest), 'content-type': MT.ociManifest }).end();
    };
    assert.equal(await getManifestDigest(`${host}/app:1`, { ...base, delay: async (ms) => void delays.push(ms) }), digestOf(manifest));
    assert.deepEqual(delays, [250, 500]);
    calls = -10;
    await assert.rejects(getManifestDigest(`${host}/app:1`, base), inputErrorWith('REGISTRY_HTTP_ERROR', /HTTP 503/));
  });

  test('redirect loops, missing Location and HTTPS-to-HTTP downgrades are refused', async () => {
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      if (q.url!.includes('nolocation')) return void r.writeHead(302).end();
      r.writeHead(302, { location: q.url }).end();
    };
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_TOO_MANY_REDIRECTS'));
    await assert.rejects(openRegistryImage(`registry:${host}/nolocation:1`, base), inputErrorWith('REGISTRY_BAD_REDIRECT', /without a Location/));
  });

  test('401 with a Bearer challenge: bad realms and bad token answers', async () => {
    let realm = 'not a url';
    let tokenBody = '{}';
    handler = (q, r) => {
      if (q.url!.startsWith('/token')) return void r.writeHead(200, { 'content-type': 'application/json' }).end(tokenBody);
      r.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"` }).end();
    };
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_BAD_CHALLENGE', /without a valid realm/));
    realm = `http://${host}/token`;
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_TOKEN_FAILED', /without a "token"/));
    tokenBody = 'not json';
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_TOKEN_FAILED', /invalid JSON/));
    // A token the registry keeps refusing: one retry, then a clear 401.
    tokenBody = '{"token":"abc"}';
    await assert.rejects(
      openRegistryImage(`registry:${host}/app:1`, { ...base, username: 'u', password: 'p' }),
      inputErrorWith('REGISTRY_UNAUTHORIZED', /app:1: registry .* rejected the credentials/),
    );
    // Without --insecure, a plain-HTTP registry fails at TLS (with the hint).
    await assert.rejects(
      openRegistryImage(`registry:${host}/app:1`, { ...base, insecure: false, username: 'u', password: 'p' }),
      inputErrorWith('REGISTRY_TLS'),
    );
  });

  test('pagination links to another origin and links that loop are refused', async () => {
    let link = '<http://evil.example/v2/_catalog?last=a>; rel="next"';
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200, { 'content-type': 'application/json', link }).end('{"repositories":["a"]}');
    };
    await assert.rejects(listRepositories(host, base), inputErrorWith('REGISTRY_BAD_LINK', /another origin/));
    link = '</v2/_catalog?n=100>; rel="next"';
    await assert.rejects(listRepositories(host, base), inputErrorWith('REGISTRY_BAD_LINK', /loops/));
    link = '';
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200).end('{"repositories":[1]}');
    };
    await assert.rejects(listRepositories(host, base), inputErrorWith('REGISTRY_BAD_LISTING'));
  });

  test('a host that is not a v2 registry, and a refused connection', async () => {
    handler = (_q, r) => r.writeHead(404).end();
    await assert.rejects(openRegistryImage(`registry:${host}/app:1`, base), inputErrorWith('REGISTRY_NOT_V2'));
    const port = await freePort();
    await assert.rejects(
      openRegistryImage(`registry:127.0.0.1:${port}/app:1`, base),
      inputErrorWith('REGISTRY_UNREACHABLE', new RegExp(`cannot reach 127.0.0.1:${port} \\(ECONNREFUSED\\)`)),
    );
  });

  test('non-image artifacts and schema 1 manifests are refused', async () => {
    const helm = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 2 },
        layers: [],
      }),
    );
    let body = helm;
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      r.writeHead(200, { 'content-type': MT.ociManifest }).end(body);
    };
    await assert.rejects(openRegistryImage(`registry:${host}/chart:1`, base), inputErrorWith('REGISTRY_NOT_AN_IMAGE', /helm\.config/));
    body = Buffer.from('{"schemaVersion":1,"name":"x","fsLayers":[]}');
    await assert.rejects(openRegistryImage(`registry:${host}/old:1`, base), inputErrorWith('REGISTRY_UNSUPPORTED_MANIFEST', /schema 1/));
  });

  test('a layer blob that breaks or stalls midway is an InputError on the layer stream', async () => {
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.alloc(100_000, 7);
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: { mediaType: MT.ociConfig, digest: digestOf(cfg), size: cfg.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer), size: layer.length }],
      }),
    );
    let mode: 'break' | 'stall' = 'break';
    handler = (q, r) => {
      if (q.url === '/v2/') return void r.writeHead(200).end('{}');
      if (q.url!.includes('/manifests/')) return void r.writeHead(200, { 'content-type': MT.ociManifest }).end(m);
      if (q.url!.endsWith(digestOf(cfg))) return void r.writeHead(200).end(cfg);
      r.writeHead(200, { 'content-length': String(layer.length) });
      r.write(layer.subarray(0, 1000), () => {
        if (mode === 'break') r.socket?.destroy();
      });
    };
    const drain = async (): Promise<void> => {
      const img = await openRegistryImage(`registry:${host}/app:1`, base);
      try {
        for await (const _ of await img.layers[0]!.open!()) {
          /* drain */
        }
      } finally {
        await img.close();
      }
    };
    await assert.rejects(drain(), inputErrorWith('REGISTRY_CONNECTION_BROKEN', new RegExp(`app@${digestOf(layer)}: connection broke`)));
    mode = 'stall';
    await assert.rejects(drain(), inputErrorWith('REGISTRY_TIMEOUT', new RegExp(`app@${digestOf(layer)}: no data`)));
  });
});
