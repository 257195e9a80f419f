// Fuzz: image layer blobs (tar, gzip, zstd) through scanTarLayer, the reader
// every image source uses. Two kinds of case: mutated tar bytes compressed
// afterwards (the tar parser sees broken headers behind a valid
// decompressor), and mutated compressed bytes (the decompressors see broken
// frames).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { resolveLimits } from '../../src/core/image/limits.js';
import { scanTarLayer, type ScanLayerOptions } from '../../src/core/image/tar-layer.js';
import { buildTar, compress, type Compression } from '../helpers/image-builder.js';
import { expectAsync, fuzzBytes, mutatedBytes, params } from './harness.js';
import { LAYER_FILES } from './samples.js';

const files = LAYER_FILES;

const opts = (): ScanLayerOptions => ({
  where: 'fuzz layer 0',
  layer: 0,
  limits: resolveLimits({ maxEntries: 1000, maxLayerBytes: 8 * 1024 * 1024, maxFileSize: 1024 * 1024 }),
  wants: () => true,
});

function chunks(b: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return Readable.from(parts);
}

const tarSample = await buildTar(files);
const compressed = (['gzip', 'zstd'] as const).map((c) => compress(tarSample, c));

test('layer corpus: the unmutated tar, tar+gzip and tar+zstd samples scan', async () => {
  for (const b of [tarSample, ...compressed]) {
    const r = await scanTarLayer(chunks(b, 4096), opts());
    assert.ok(r.entries.length >= files.length - 2, `${r.entries.length} entries`);
  }
});

test('fuzz: mutated tar streams (plain, or compressed after mutation)', async () => {
  // zstd compresses in a child process (slow per case): less often.
  const compression = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<Compression>('none', 'gzip') },
    { weight: 1, arbitrary: fc.constant<Compression>('zstd') },
  );
  await fc.assert(
    fc.asyncProperty(fuzzBytes([tarSample], 8192), compression, fc.integer({ min: 16, max: 5000 }), async (t, c, size) => {
      const blob = compress(t, c);
      await expectAsync('scanTarLayer', () => scanTarLayer(chunks(blob, size), opts()));
    }),
    params(100),
  );
});

test('fuzz: mutated gzip and zstd streams', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedBytes(compressed), fc.integer({ min: 16, max: 5000 }), async (blob, size) => {
      await expectAsync('scanTarLayer', () => scanTarLayer(chunks(blob, size), opts()));
    }),
    params(100),
  );
});
