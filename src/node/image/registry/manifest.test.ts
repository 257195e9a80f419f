import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../core/errors.js';
import { choosePlatform, MT, type Descriptor } from '../manifest.js';
import { parseRegistryManifest as parseManifest, REGISTRY_ERRORS } from './manifest.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const j = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

test('parses Docker schema 2 and OCI manifests', () => {
  const docker = parseManifest(
    j({
      schemaVersion: 2,
      mediaType: MT.dockerManifest,
      config: { mediaType: MT.dockerConfig, digest: d('a'), size: 10 },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('b'), size: 20 }],
    }),
    undefined,
    'w',
    10,
  );
  assert.equal(docker.kind, 'manifest');
  assert.equal(docker.kind === 'manifest' && docker.layers[0]!.size, 20);
  // OCI manifests may omit mediaType; the Content-Type tells.
  const oci = parseManifest(
    j({ schemaVersion: 2, config: { mediaType: MT.ociConfig, digest: d('a'), size: 1 }, layers: [] }),
    `${MT.ociManifest}; charset=utf-8`,
    'w',
    10,
  );
  assert.equal(oci.mediaType, MT.ociManifest);
});

test('parses indexes and chooses a platform (variant defaults as containerd does)', () => {
  const idx = parseManifest(
    j({
      schemaVersion: 2,
      mediaType: MT.dockerList,
      manifests: [
        { mediaType: MT.dockerManifest, digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MT.dockerManifest, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
        { mediaType: MT.dockerManifest, digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { mediaType: MT.dockerManifest, digest: d('4'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: MT.ociManifest, digest: d('5'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    }),
    undefined,
    'w',
    10,
  );
  assert.equal(idx.kind, 'index');
  const ms = (idx as { manifests: Descriptor[] }).manifests;
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'amd64' }, 'w', REGISTRY_ERRORS).digest, d('1'));
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'arm' }, 'w', REGISTRY_ERRORS).digest, d('3'));
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'arm', variant: 'v6' }, 'w', REGISTRY_ERRORS).digest, d('2'));
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'arm64' }, 'w', REGISTRY_ERRORS).digest, d('4'));
  assert.throws(
    () => choosePlatform(ms, { os: 'linux', architecture: 's390x' }, 'reg/app:1', REGISTRY_ERRORS),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'REGISTRY_PLATFORM_NOT_FOUND' &&
      /reg\/app:1: .*linux\/s390x.*linux\/amd64, linux\/arm\/v6/.test(e.message) &&
      !e.message.includes('unknown'),
  );
});

test('rejects broken manifests with a code and the field', () => {
  const cfg = { mediaType: MT.ociConfig, digest: d('a'), size: 1 };
  const cases: Array<[Buffer, string, RegExp]> = [
    [Buffer.from('{not json'), 'REGISTRY_BAD_MANIFEST', /not valid JSON/],
    [j([1, 2]), 'REGISTRY_BAD_MANIFEST', /not a JSON object/],
    [j({ schemaVersion: 1, name: 'x' }), 'REGISTRY_UNSUPPORTED_MANIFEST', /schema 1/],
    [j({ schemaVersion: 3, config: cfg, layers: [] }), 'REGISTRY_BAD_MANIFEST', /schemaVersion/],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg }), 'REGISTRY_BAD_MANIFEST', /no "config" and "layers"/],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg, layers: {} }), 'REGISTRY_BAD_MANIFEST', /"layers" is not an array/],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: { ...cfg, digest: 'sha256:zz' }, layers: [] }), 'REGISTRY_BAD_MANIFEST', /config\.digest/],
    // Valid in a local layout, but the registry client verifies only sha256 and sha512.
    [
      j({ schemaVersion: 2, mediaType: MT.ociManifest, config: { ...cfg, digest: `sha384:${'a'.repeat(96)}` }, layers: [] }),
      'REGISTRY_BAD_MANIFEST',
      /config\.digest/,
    ],
    [
      j({ schemaVersion: 2, mediaType: MT.ociManifest, config: { digest: cfg.digest, size: 1 }, layers: [] }),
      'REGISTRY_BAD_MANIFEST',
      /config\.mediaType is missing/,
    ],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg, layers: [{ ...cfg, size: -1 }] }), 'REGISTRY_BAD_MANIFEST', /layers\[0\]\.size/],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg, layers: [{ ...cfg, size: 1.5 }] }), 'REGISTRY_BAD_MANIFEST', /layers\[0\]\.size/],
    [j({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [{ ...cfg, platform: { os: 1 } }] }), 'REGISTRY_BAD_MANIFEST', /manifests\[0\]\.platform/],
    [j({ schemaVersion: 2, mediaType: 'text/html', config: cfg, layers: [] }), 'REGISTRY_UNSUPPORTED_MANIFEST', /text\/html/],
    [j({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg, layers: Array(11).fill(cfg) }), 'LIMIT_LAYERS', /limit of 10/],
  ];
  for (const [body, code, re] of cases) {
    assert.throws(
      () => parseManifest(body, undefined, 'reg/app:1', 10),
      (e: unknown) => e instanceof InputError && e.code === code && re.test(e.message) && e.message.startsWith('reg/app:1: '),
      `${code} ${re}`,
    );
  }
});
