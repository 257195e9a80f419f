// Content scanners in the pipeline: files stream by, each scanner gets only
// files within its size limit, every regular file is hashed when asked, and
// observations carry their layer and whether a later layer deleted them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { buildImage, type ImageSpec } from '../../../test/helpers/image-builder.js';
import { analyzeImage } from './analyze.js';
import type { ContentScanner } from './content.js';
import type { Image } from './types.js';

async function memImage(spec: ImageSpec): Promise<Image> {
  const built = await buildImage(spec);
  return {
    name: 'mem',
    type: 'oci',
    config: built.config as Image['config'],
    layers: built.layers.map((l, index) => ({ ref: { index, digest: l.digest, diffId: l.diffId }, size: l.size, open: async () => Readable.from([l.blob]) })),
    close: async () => {},
  };
}

const seen: string[] = [];
const small: ContentScanner = {
  id: 'small',
  version: 1,
  maxFileSize: 1000,
  wants: (e) => !e.path.endsWith('.skip'),
  scan: (f) => {
    seen.push(f.path);
    return [{ len: f.content.length, head: f.content.subarray(0, 4).toString() }];
  },
};

describe('content scanners in analyzeImage', () => {
  it('sees wanted files within its limit, hashes all files, attributes layers and deletions', async () => {
    seen.length = 0;
    const big = Buffer.alloc(5000, 0x41);
    const image = await memImage({
      layers: [
        {
          files: [
            { path: 'a.txt', content: 'aaaa-1' },
            { path: 'big.bin', content: big },
            { path: 'x.skip', content: 'skip' },
            { path: 'gone', content: 'gone' },
          ],
        },
        { files: [{ path: 'a.txt', content: 'aaaa-2' }, { path: '.wh.gone' }], compression: 'zstd' },
      ],
    });
    const r = await analyzeImage(image, [], { contentScanners: [small], hashFiles: true });
    assert.deepEqual(seen.sort(), ['/a.txt', '/a.txt', '/gone']);
    const recs = r.content.map((c) => `${c.path}@${c.layer}${c.deleted ? ':deleted' : ''}`).sort();
    assert.deepEqual(recs, ['/a.txt@0:deleted', '/a.txt@1', '/gone@0:deleted']);
    assert.equal(r.tree.get('/big.bin')?.sha256, createHash('sha256').update(big).digest('hex'));
    assert.equal(r.tree.get('/a.txt')?.sha256, createHash('sha256').update('aaaa-2').digest('hex'));
    assert.equal(r.tree.get('/x.skip')?.layer, 0);
  });

  it('each file reaches the scanners with exactly its own bytes (one buffer per layer, reused file after file)', async () => {
    // Sizes that grow and shrink across the reused buffer, and big files split over many stream chunks.
    const sizes = [10, 70_000, 3, 200_000, 1, 0, 150_000, 64 * 1024, 5];
    const files = sizes.map((n, i) => ({ path: `f${i}`, content: Buffer.from(Array.from({ length: n }, (_, k) => (k * 31 + i * 7) & 0xff)) }));
    const got = new Map<string, string>();
    const check: ContentScanner = {
      id: 'check',
      version: 1,
      maxFileSize: 1024 * 1024,
      wants: () => true,
      scan: (f) => {
        assert.equal(createHash('sha256').update(f.content).digest('hex'), f.sha256, `${f.path}: content and hash disagree`);
        got.set(f.path, f.sha256);
        return [];
      },
    };
    for (const compression of ['gzip', 'zstd'] as const) {
      got.clear();
      const image = await memImage({ layers: [{ files, compression }, { files: files.slice(0, 3).map((f) => ({ ...f, path: `l1-${f.path}` })) }] });
      await analyzeImage(image, [], { contentScanners: [check], hashFiles: true });
      for (const f of files) {
        assert.equal(got.get(`/${f.path}`), createHash('sha256').update(f.content).digest('hex'), `${compression} ${f.path}`);
      }
      assert.equal(got.size, files.length + 3);
    }
  });

  it('reads nothing extra without content scanners', async () => {
    const image = await memImage({ layers: [{ files: [{ path: 'a.txt', content: 'x' }] }] });
    const r = await analyzeImage(image, []);
    assert.deepEqual(r.content, []);
    assert.equal(r.tree.get('/a.txt')?.sha256, undefined);
  });

  it('a scanner that throws fails the scan with an error naming the layer and file', async () => {
    const image = await memImage({ layers: [{ files: [{ path: 'bad', content: 'x' }] }] });
    const boom: ContentScanner = {
      id: 'boom',
      version: 1,
      maxFileSize: 10,
      wants: () => true,
      scan: () => {
        throw new Error('bad rule');
      },
    };
    await assert.rejects(
      analyzeImage(image, [], { contentScanners: [boom] }),
      (e: Error) => /mem layer 0 .*\/bad/.test(e.message) && e.message.includes('bad rule'),
    );
  });
});
