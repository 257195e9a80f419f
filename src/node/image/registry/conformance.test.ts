// The shared image source conformance suite on the registry source: the
// standard image pushed with skopeo into real registries (token auth; and
// anonymous with a nested multi-platform index and a zstd layer), plus a
// copy whose stored layer blob is changed in the registry's storage.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Image } from '../../../core/image/types.js';
import { buildImage, writeOciLayout, type ImageSpec } from '../../../../test/helpers/image-builder.js';
import { blobDataPath, pushImage, putManifest, startRegistry, uploadBlob, type RegistryServer } from '../../../../test/helpers/registry-server.js';
import { CONFORMANCE_LAYERS, conformanceExpectation, describeImageSource } from '../source-conformance.js';
import { openRegistryImage } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-reg-conformance-'));
const creds = { username: 'conf', password: 'conf-pw' };
let tokenReg: RegistryServer;
let anonReg: RegistryServer;
let manifestDigest = '';
let configDigest = '';

const spec: ImageSpec = { layers: CONFORMANCE_LAYERS.map((l) => ({ ...l })), refName: '1.0' };
const other: ImageSpec = {
  layers: [{ files: [{ path: 'etc/os-release', content: 'ID=arm\n' }] }],
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
};
/** Layer 1 uncompressed and with one more file, so its blob is its own in the registry's storage. */
const toTamper: ImageSpec = {
  ...spec,
  layers: spec.layers.map((l, i) =>
    i === 1 ? { ...l, compression: 'none', files: [...(l.files ?? []), { path: 'opt/app/tamper.txt', content: 'x\n' }] } : { ...l },
  ),
};

before(async () => {
  [tokenReg, anonReg] = await Promise.all([startRegistry({ auth: { kind: 'token', ...creds } }), startRegistry()]);
  const [img] = await writeOciLayout(join(dir, 'oci'), [spec]);
  manifestDigest = img!.manifestDigest;
  configDigest = img!.configDigest;
  await pushImage(`oci:${join(dir, 'oci')}:1.0`, `${tokenReg.host}/conformance/app:1.0`, creds);
  await writeOciLayout(join(dir, 'oci-multi'), [other, { ...spec, layers: spec.layers.map((l, i) => ({ ...l, compression: i === 1 ? 'zstd' : 'gzip' })) }], {
    nested: true,
  });
  await pushImage(`oci:${join(dir, 'oci-multi')}:1.0`, `${anonReg.host}/conformance/multi:1.0`, { all: true });
  // Pushed blob by blob (skopeo would gzip the uncompressed layer), then one
  // stored byte changed: same size, the tar stays valid, only the digest tells.
  const bad = await buildImage(toTamper);
  for (const l of bad.layers) await uploadBlob(anonReg, 'conformance/tampered', l.blob);
  await uploadBlob(anonReg, 'conformance/tampered', bad.configBytes);
  await putManifest(anonReg, 'conformance/tampered', '1.0', bad.manifestBytes, 'application/vnd.oci.image.manifest.v1+json');
  const p = blobDataPath(anonReg.storageDir, bad.layers[1]!.digest);
  const b = await readFile(p);
  const at = b.indexOf('new\n');
  b[at] = 'N'.charCodeAt(0);
  await writeFile(p, b);
});
after(async () => {
  await Promise.all([tokenReg?.stop(), anonReg?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const full = conformanceExpectation();
const openTampered = (): Promise<Image> => openRegistryImage(`registry:${anonReg.host}/conformance/tampered:1.0`, { insecure: true, env: {} });
describeImageSource('registry (token auth)', () => openRegistryImage(`registry:${tokenReg.host}/conformance/app:1.0`, { insecure: true, ...creds, env: {} }), {
  ...full,
  type: 'registry',
  checkFds: false,
  get digest() {
    return manifestDigest;
  },
  get configDigest() {
    return configDigest;
  },
  openTampered,
});
describeImageSource(
  'registry (nested multi-platform index, zstd layer)',
  () => openRegistryImage(`registry:${anonReg.host}/conformance/multi:1.0`, { insecure: true, env: {} }),
  {
    ...full,
    type: 'registry',
    checkFds: false,
    openTampered,
  },
);
