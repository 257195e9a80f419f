// Runs the shared source conformance suite on every local source, on images
// built by the test helpers in each layout.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTar, compress, writeDockerArchive, writeOciArchive, writeOciLayout, writeRootfs, type ImageSpec } from '../../../test/helpers/image-builder.js';
import { InputError } from '../../core/errors.js';
import { analyzeImage } from '../../core/image/analyze.js';
import { openImage } from './open.js';
import { CONFORMANCE_LAYERS, conformanceExpectation, describeImageSource, type SourceExpectation } from './source-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sources-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const spec: ImageSpec = { layers: CONFORMANCE_LAYERS.map((l) => ({ ...l })), repoTags: ['vigil/conformance:1.0'], refName: '1.0' };
/** A valid blob with other content than its digest says. */
const tampered: ImageSpec = {
  ...spec,
  tamper: (kind, i, b) => {
    if (kind !== 'layer' || i !== 1) return b;
    const c = Buffer.from(b);
    // Uncompressed tar: flip a byte of file data (the tar stays valid); gzip: recompress other content.
    if (c[0] === 0x1f) return tamperedGzip!;
    const at = c.indexOf('new\n');
    c[at] = 'N'.charCodeAt(0);
    return c;
  },
};
let tamperedGzip: Buffer | undefined;

const other: ImageSpec = {
  layers: [{ files: [{ path: 'etc/os-release', content: 'ID=arm\n' }] }],
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
};

before(async () => {
  tamperedGzip = compress(await buildTar([{ path: 'opt/app/new.txt', content: 'evil\n' }]), 'gzip');
  await writeDockerArchive(join(dir, 'classic.tar'), spec, { layout: 'classic' });
  await writeDockerArchive(join(dir, 'classic-bad.tar'), tampered, { layout: 'classic' });
  await writeDockerArchive(join(dir, 'docker25.tar'), spec, { layout: 'oci' });
  await writeDockerArchive(join(dir, 'docker25-bad.tar'), tampered, { layout: 'oci' });
  await writeOciLayout(join(dir, 'oci'), [spec]);
  await writeOciLayout(join(dir, 'oci-bad'), [tampered]);
  await writeOciLayout(join(dir, 'oci-multi'), [other, { ...spec, layers: spec.layers.map((l, i) => ({ ...l, compression: i === 1 ? 'zstd' : 'gzip' })) }], {
    nested: true,
  });
  await writeOciArchive(join(dir, 'oci.tar'), [spec], { dotSlash: true });
  await writeOciArchive(join(dir, 'oci-bad.tar'), [tampered]);
  // The squashed result as an unpacked root filesystem.
  await writeRootfs(join(dir, 'rootfs'), [
    { path: 'etc/os-release', content: 'ID=vigil\nVERSION_ID=1.0\n' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
    { path: 'opt/app/new.txt', content: 'new\n' },
    { path: 'usr/lib/libx.so', content: 'libx\n' },
    { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { path: 'etc/app.conf', content: 'conf\n' },
    { path: 'bin/sh', content: '#!shell\n', mode: 0o755 },
    { path: 'tmp/loop1', type: 'symlink', linkname: 'loop2' },
    { path: 'tmp/loop2', type: 'symlink', linkname: '/tmp/loop1' },
    { path: 'etc/escape', type: 'symlink', linkname: '../../../../etc/app.conf' },
  ]);
});

const full = conformanceExpectation();

describeImageSource('docker-archive (classic layout)', () => openImage(`docker-archive:${join(dir, 'classic.tar')}`), {
  ...full,
  type: 'docker-archive',
  openTampered: () => openImage(`docker-archive:${join(dir, 'classic-bad.tar')}`),
});
describeImageSource('docker-archive (Docker 25+ OCI layout), bare path', () => openImage(join(dir, 'docker25.tar')), {
  ...full,
  type: 'docker-archive',
  openTampered: () => openImage(join(dir, 'docker25-bad.tar')),
});
describeImageSource('oci directory', () => openImage(`oci:${join(dir, 'oci')}`), {
  ...full,
  type: 'oci',
  openTampered: () => openImage(`oci:${join(dir, 'oci-bad')}`),
});
describeImageSource('oci directory, nested multi-platform index, zstd layer, tag', () => openImage(`oci:${join(dir, 'oci-multi')}:1.0`), {
  ...full,
  type: 'oci',
});
describeImageSource('oci-archive (./ member names)', () => openImage(`oci-archive:${join(dir, 'oci.tar')}`), {
  ...full,
  type: 'oci-archive',
  openTampered: () => openImage(join(dir, 'oci-bad.tar')),
});
const rootfsExpect: SourceExpectation = {
  type: 'rootfs',
  layers: 1,
  files: Object.fromEntries(Object.entries(full.files).map(([p, f]) => [p, f.content === null ? f : { content: f.content, layer: 0 }])),
  layerEntries: [['/etc/os-release', '/etc/passwd', '/lib', '/tmp/loop1']],
  unresolvable: full.unresolvable!,
};
describeImageSource('rootfs directory', () => openImage(`rootfs:${join(dir, 'rootfs')}`), rootfsExpect);
describeImageSource('rootfs directory, bare path', () => openImage(join(dir, 'rootfs')), rootfsExpect);

describe('tolerated variations', () => {
  it('reads compressed classic docker-archive layers, verified against diff_ids after decompression', async () => {
    const layers = spec.layers.map((l, i) => ({ ...l, compression: (i === 1 ? 'zstd' : 'gzip') as 'zstd' | 'gzip' }));
    const f = join(dir, 'classic-compressed.tar');
    await writeDockerArchive(f, { ...spec, layers }, { layout: 'classic' });
    const img = await openImage(f);
    const r = await analyzeImage(img, []);
    await img.close();
    assert.equal(r.tree.get('/opt/app/new.txt')?.layer, 1);
    const bad = join(dir, 'classic-compressed-bad.tar');
    const other = compress(await buildTar([{ path: 'opt/app/new.txt', content: 'evil\n' }]), 'gzip');
    await writeDockerArchive(bad, { ...spec, layers, tamper: (k, i, b) => (k === 'layer' && i === 0 ? other : b) }, { layout: 'classic' });
    const img2 = await openImage(bad);
    await assert.rejects(analyzeImage(img2, []), (e: unknown) => e instanceof InputError && e.code === 'IMAGE_DIGEST_MISMATCH');
    await img2.close();
  });

  it('follows an index entry without a media type (judged by its document)', async () => {
    const d = join(dir, 'oci-no-mediatype');
    await writeOciLayout(d, [spec, other], { nested: true });
    const index = JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')) as { manifests: Array<{ mediaType?: string }> };
    for (const m of index.manifests) delete m.mediaType;
    writeFileSync(join(d, 'index.json'), JSON.stringify(index));
    const img = await openImage(`oci:${d}`, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    assert.equal(img.config.architecture, 'arm64');
    await img.close();
  });
});
