import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../core/errors.js';
import { choosePlatform, IMAGE_ERRORS, isIndexDocument, layerRefs, MT, parseConfig, parseIndex, parseManifest, type Descriptor } from './manifest.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const isErr =
  (code: string, re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof InputError && e.code === code && re.test(e.message) && e.message.startsWith('w: ');

test('descriptors: mediaType and size may be missing locally; broken fields are named, under the codes of the caller', () => {
  const [m] = parseIndex({ schemaVersion: 2, manifests: [{ digest: d('a'), annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }, 'w', IMAGE_ERRORS);
  assert.deepEqual(m, { digest: d('a'), annotations: { 'org.opencontainers.image.ref.name': 'v1' } });
  assert.throws(() => parseIndex({ manifests: [{ digest: 'md5:abc' }] }, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_DIGEST', /manifests\[0\]\.digest "md5:abc"/));
  assert.throws(() => parseIndex({ manifests: [{ digest: d('a'), size: -1 }] }, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_INDEX', /manifests\[0\]\.size/));
  assert.throws(
    () => parseIndex({ manifests: [{ digest: d('a'), platform: { os: 'linux' } }] }, 'w', IMAGE_ERRORS),
    isErr('IMAGE_BAD_INDEX', /manifests\[0\]\.platform/),
  );
  assert.throws(() => parseIndex({ layers: [] }, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_INDEX', /no manifests array/));
  assert.throws(() => parseIndex({ manifests: Array(10_001).fill({ digest: d('a') }) }, 'w', IMAGE_ERRORS), isErr('LIMIT_INDEX', /more than 10000/));
});

test('manifests: config and layers, schema 2 only, bounded layer count', () => {
  const cfg = { mediaType: MT.ociConfig, digest: d('c'), size: 2 };
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('f'), size: 3 };
  const m = parseManifest({ schemaVersion: 2, mediaType: MT.ociManifest, config: cfg, layers: [layer] }, 'w', 10, IMAGE_ERRORS);
  assert.deepEqual(m, { config: cfg, layers: [layer] });
  const cases: Array<[unknown, string, RegExp]> = [
    [[1], 'IMAGE_BAD_MANIFEST', /not a JSON object/],
    [{ schemaVersion: 2, manifests: [] }, 'IMAGE_BAD_MANIFEST', /found an index/],
    [{ schemaVersion: 1, config: cfg, layers: [] }, 'IMAGE_BAD_MANIFEST', /schemaVersion is 1/],
    [{ schemaVersion: 2, config: cfg }, 'IMAGE_BAD_MANIFEST', /no "config" and "layers"/],
    [{ schemaVersion: 2, config: cfg, layers: {} }, 'IMAGE_BAD_MANIFEST', /"layers" is not an array/],
    [{ schemaVersion: 2, config: 'x', layers: [] }, 'IMAGE_BAD_MANIFEST', /config is not an object/],
    [{ schemaVersion: 2, config: { ...cfg, digest: 'sha256:zz' }, layers: [] }, 'IMAGE_BAD_DIGEST', /config\.digest/],
    [{ schemaVersion: 2, config: cfg, layers: [{ ...layer, size: 1.5 }] }, 'IMAGE_BAD_MANIFEST', /layers\[0\]\.size/],
    [{ schemaVersion: 2, config: cfg, layers: Array(11).fill(layer) }, 'LIMIT_LAYERS', /limit of 10 \(raise with --max-layers\)/],
  ];
  for (const [doc, code, re] of cases) assert.throws(() => parseManifest(doc, 'w', 10, IMAGE_ERRORS), isErr(code, re), `${code} ${re}`);
});

test('index or manifest: a declared media type decides, else the document', () => {
  assert.equal(isIndexDocument({ manifests: [] }, undefined), true);
  assert.equal(isIndexDocument({ manifests: [], layers: [] }, undefined), false);
  assert.equal(isIndexDocument({ manifests: [] }, MT.ociManifest), false);
  assert.equal(isIndexDocument({}, MT.dockerList), true);
});

test('configs: diff_ids match the layers; history gives created_by of non-empty layers', () => {
  const config = parseConfig(
    {
      rootfs: { type: 'layers', diff_ids: [d('1'), d('2')] },
      history: [{ created_by: 'ADD rootfs' }, { created_by: 'ENV X=1', empty_layer: true }, { created_by: 'RUN make' }],
    },
    2,
    'w',
    IMAGE_ERRORS,
  );
  assert.deepEqual(layerRefs([d('a'), d('b')], config), [
    { index: 0, digest: d('a'), diffId: d('1'), createdBy: 'ADD rootfs' },
    { index: 1, digest: d('b'), diffId: d('2'), createdBy: 'RUN make' },
  ]);
  assert.throws(() => parseConfig([], 0, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_CONFIG', /not a JSON object/));
  assert.throws(
    () => parseConfig({ rootfs: { diff_ids: [d('1')] } }, 2, 'w', IMAGE_ERRORS),
    isErr('IMAGE_CONFIG_MISMATCH', /1 diff_ids but the manifest has 2 layers/),
  );
  assert.throws(() => parseConfig({ rootfs: { diff_ids: ['x'] } }, 1, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_DIGEST', /rootfs\.diff_ids\[0\]/));
  assert.throws(() => parseConfig({ history: {} }, 0, 'w', IMAGE_ERRORS), isErr('IMAGE_BAD_CONFIG', /history is not an array/));
});

test('platform choice: containerd variants, attestations never, a lone platform-less image', () => {
  const e = (c: string, platform?: Descriptor['platform']): Descriptor => ({ digest: d(c), ...(platform ? { platform } : {}) });
  const ms = [
    e('1', { os: 'linux', architecture: 'amd64' }),
    e('2', { os: 'linux', architecture: 'arm64' }),
    e('3', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    e('4', { os: 'unknown', architecture: 'unknown' }),
  ];
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'amd64' }, 'w', IMAGE_ERRORS).digest, d('1'));
  // arm64 images often omit the v8 variant.
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'w', IMAGE_ERRORS).digest, d('2'));
  assert.equal(choosePlatform(ms, { os: 'linux', architecture: 'arm' }, 'w', IMAGE_ERRORS).digest, d('3'));
  assert.throws(
    () => choosePlatform(ms, { os: 'linux', architecture: 'arm', variant: 'v6' }, 'w', IMAGE_ERRORS),
    isErr('IMAGE_PLATFORM_NOT_FOUND', /linux\/arm\/v6 in the index \(it has linux\/amd64, linux\/arm64, linux\/arm\/v7\); choose one with --platform$/),
  );
  assert.equal(
    choosePlatform([e('5'), e('4', { os: 'unknown', architecture: 'unknown' })], { os: 'linux', architecture: 's390x' }, 'w', IMAGE_ERRORS).digest,
    d('5'),
  );
  assert.throws(
    () => choosePlatform([e('5'), e('6')], { os: 'linux', architecture: 'amd64' }, 'w', IMAGE_ERRORS),
    isErr('IMAGE_PLATFORM_NOT_FOUND', /in the index; choose one/),
  );
});

test('fuzz regression: a digest object with a "toString" key is an InputError, not a TypeError', () => {
  const doc = JSON.parse('{"schemaVersion":2,"config":{"digest":{"toString":1,"valueOf":1}},"layers":[]}') as unknown;
  assert.throws(
    () => parseManifest(doc, 'manifest.json', 128, IMAGE_ERRORS),
    (e: unknown) => e instanceof InputError && e.code === 'IMAGE_BAD_DIGEST' && e.message.includes('config.digest an object'),
  );
});
