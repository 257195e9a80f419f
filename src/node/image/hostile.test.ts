// Broken and hostile image files through openImage + analyzeImage: each ends
// in an InputError with a code and one line naming the file (and the member
// or blob), never a stack trace or a hang.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import {
  buildTar,
  gzipBomb,
  sha256,
  truncate,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayout,
  type ImageSpec,
} from '../../../test/helpers/image-builder.js';
import { InputError } from '../../core/errors.js';
import { analyzeImage } from '../../core/image/analyze.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import { openImage } from './open.js';
import type { OpenImageOptions } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const claimAll: Analyzer = { id: 'all', version: 1, kind: 'package', required: () => true, analyze: () => ({}) };
const simple: ImageSpec = { layers: [{ files: [{ path: 'etc/os-release', content: 'ID=x\n' }] }, { files: [{ path: 'bin/sh', content: 'sh' }] }] };

/** Open and analyse; returns the InputError (fails the test on anything else). */
async function failure(ref: string, opts: OpenImageOptions = {}): Promise<InputError> {
  let e: unknown;
  try {
    const img = await openImage(ref, opts);
    try {
      await analyzeImage(img, [claimAll], opts.limits ? { limits: opts.limits } : {});
    } finally {
      await img.close();
    }
  } catch (x) {
    e = x;
  }
  assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
  assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
  return e;
}

let n = 0;
const file = (ext = 'tar'): string => join(dir, `f${n++}.${ext}`);

describe('hostile and broken images', () => {
  it('a missing layer blob (oci) names the digest', async () => {
    const d = join(dir, 'oci-missing');
    const [img] = await writeOciLayout(d, [simple]);
    await rm(join(d, 'blobs/sha256', img!.layers[1]!.digest.slice(7)));
    const e = await failure(`oci:${d}`);
    assert.equal(e.code, 'IMAGE_MISSING_BLOB');
    assert.match(e.message, new RegExp(img!.layers[1]!.digest));
  });

  it('a missing layer (docker-archive) names the member', async () => {
    const f = file();
    const built = await writeDockerArchive(f, { ...simple, omitBlobs: [] }, { layout: 'oci' });
    const f2 = file();
    await writeDockerArchive(f2, { ...simple, omitBlobs: [built.layers[0]!.digest] }, { layout: 'oci' });
    const e = await failure(`docker-archive:${f2}`);
    assert.equal(e.code, 'IMAGE_MISSING_BLOB');
    assert.match(e.message, /layer 0/);
  });

  it('a config that does not match its digest', async () => {
    for (const layout of ['classic', 'oci'] as const) {
      const f = file();
      await writeDockerArchive(f, { ...simple, tamper: (k, _i, b) => (k === 'config' ? Buffer.from(b.toString().replace('amd64', 'arm64')) : b) }, { layout });
      const e = await failure(f);
      assert.equal(e.code, 'IMAGE_DIGEST_MISMATCH', layout);
      assert.match(e.message, /\.json|blobs\/sha256/);
    }
    const d = join(dir, 'oci-badcfg');
    await writeOciLayout(d, [{ ...simple, tamper: (k, _i, b) => (k === 'config' ? Buffer.from(b.toString().replace('amd64', 'arm64')) : b) }]);
    assert.equal((await failure(`oci:${d}`)).code, 'IMAGE_DIGEST_MISMATCH');
  });

  it('a manifest that does not match its digest', async () => {
    const d = join(dir, 'oci-badmanifest');
    await writeOciLayout(d, [{ ...simple, tamper: (k, _i, b) => (k === 'manifest' ? Buffer.from(b.toString() + ' ') : b) }]);
    assert.equal((await failure(`oci:${d}`)).code, 'IMAGE_DIGEST_MISMATCH');
  });

  it('a truncated gzip layer in an OCI archive', async () => {
    const f = file();
    await writeOciArchive(f, [{ ...simple, tamper: (k, i, b) => (k === 'layer' && i === 1 ? truncate(b, -20) : b) }]);
    const e = await failure(`oci-archive:${f}`);
    assert.ok(['LAYER_TRUNCATED', 'IMAGE_DIGEST_MISMATCH'].includes(e.code), e.code);
    assert.match(e.message, /layer 1|blobs\/sha256\//);
  });

  it('a gzip bomb stops at the layer limit', async () => {
    const bomb = gzipBomb(256 * 1024 * 1024);
    const f = file();
    await writeOciArchive(f, [{ layers: [{ blob: bomb, uncompressed: Buffer.alloc(0) }] }]);
    const e = await failure(f, { limits: { maxLayerBytes: 16 * 1024 * 1024 } });
    assert.equal(e.code, 'LIMIT_LAYER_SIZE');
  });

  it('a layer that is not a tar', async () => {
    const junk = Buffer.from('definitely not a tar archive '.repeat(100));
    const d = join(dir, 'oci-junk');
    await writeOciLayout(d, [{ layers: [{ blob: junk }] }]);
    assert.equal((await failure(`oci:${d}`)).code, 'TAR_INVALID');
  });

  it('path traversal and symlink loops stay inside the image', async () => {
    const d = join(dir, 'oci-evil');
    await writeOciLayout(d, [
      {
        layers: [
          {
            files: [
              { path: '../../../../tmp/evil', content: 'evil' },
              { path: 'loop/a', type: 'symlink', linkname: '../loop/b' },
              { path: 'loop/b', type: 'symlink', linkname: 'a' },
              { path: 'out', type: 'symlink', linkname: '/../../../../../../etc' },
            ],
          },
        ],
      },
    ]);
    const img = await openImage(`oci:${d}`);
    const r = await analyzeImage(img, [claimAll]);
    await img.close();
    assert.ok(r.tree.get('/tmp/evil'));
    assert.equal(r.tree.resolve('/loop/a'), undefined);
    assert.equal(r.tree.resolve('/out'), undefined, '/etc does not exist inside the image');
    assert.throws(() => readFileSync('/tmp/evil'), 'nothing was written outside');
  });

  it('a file that is not an image, an empty file, a gzip-compressed archive, a truncated archive', async () => {
    const text = file('txt');
    writeFileSync(text, 'hello\n'.repeat(200));
    assert.equal((await failure(text)).code, 'IMAGE_UNKNOWN_FORMAT');
    assert.equal((await failure(`docker-archive:${text}`)).code, 'IMAGE_UNKNOWN_FORMAT');
    const empty = file();
    writeFileSync(empty, '');
    assert.equal((await failure(empty)).code, 'IMAGE_UNKNOWN_FORMAT');
    const good = file();
    await writeDockerArchive(good, simple);
    const gz = file('tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(good)));
    assert.equal((await failure(gz)).code, 'ARCHIVE_COMPRESSED');
    const cut = file();
    writeFileSync(cut, truncate(readFileSync(good), 3000));
    const e = await failure(`docker-archive:${cut}`);
    assert.equal(e.code, 'TAR_TRUNCATED');
    assert.match(e.message, new RegExp(cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const plainTar = file();
    writeFileSync(plainTar, await buildTar([{ path: 'readme', content: 'x' }]));
    assert.equal((await failure(plainTar)).code, 'IMAGE_UNKNOWN_FORMAT');
    assert.equal((await failure(`oci-archive:${plainTar}`)).code, 'IMAGE_NOT_OCI');
  });

  it('oversized and malformed JSON documents', async () => {
    const d = join(dir, 'oci-bigindex');
    await writeOciLayout(d, [simple]);
    const e = await failure(`oci:${d}`, { limits: { maxManifestSize: 100 } });
    assert.equal(e.code, 'LIMIT_MANIFEST_SIZE');
    await writeFile(join(d, 'index.json'), '{"manifests": [');
    assert.equal((await failure(`oci:${d}`)).code, 'IMAGE_BAD_JSON');
    await writeFile(join(d, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ digest: 'md5:abc' }] }));
    assert.equal((await failure(`oci:${d}`)).code, 'IMAGE_BAD_DIGEST');
  });

  it('a config whose diff_ids do not match the layers', async () => {
    const f = file();
    await writeDockerArchive(f, { ...simple, config: { rootfs: { type: 'layers', diff_ids: [sha256('x')] } } });
    assert.equal((await failure(f)).code, 'IMAGE_CONFIG_MISMATCH');
  });

  it('too many layers', async () => {
    const f = file();
    await writeDockerArchive(f, simple);
    assert.equal((await failure(f, { limits: { maxLayers: 1 } })).code, 'LIMIT_LAYERS');
  });

  it('unknown platform, unknown tag, missing path, unsupported source', async () => {
    const d = join(dir, 'oci-platforms');
    await writeOciLayout(d, [
      { ...simple, platform: { os: 'linux', architecture: 'amd64' }, refName: 'v1' },
      { ...simple, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, refName: 'v1' },
    ]);
    const p = await failure(`oci:${d}`, { platform: { os: 'linux', architecture: 's390x' } });
    assert.equal(p.code, 'IMAGE_PLATFORM_NOT_FOUND');
    assert.match(p.message, /linux\/amd64, linux\/arm64\/v8/);
    const arm = await openImage(`oci:${d}:v1`, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    assert.equal(arm.config.architecture, 'arm64');
    await arm.close();
    assert.equal((await failure(`oci:${d}:v2`)).code, 'IMAGE_TAG_NOT_FOUND');
    assert.equal((await failure(`oci:${join(dir, 'nope')}`)).code, 'IMAGE_NOT_FOUND');
    assert.equal((await failure(join(dir, 'nope.tar'))).code, 'IMAGE_NOT_FOUND');
    assert.equal((await failure('podman:alpine:3')).code, 'USAGE');
  });

  it('selects an image of a multi-image docker-archive by tag', async () => {
    const f = file();
    await writeDockerArchive(f, { ...simple, repoTags: ['app:1.0'] });
    const img = await openImage(`docker-archive:${f}:app:1.0`);
    assert.deepEqual(img.repoTags, ['app:1.0']);
    await img.close();
    assert.equal((await failure(`docker-archive:${f}:app:2.0`)).code, 'IMAGE_TAG_NOT_FOUND');
  });
});
