// Layer reading on real tar/gzip/zstd bytes, including hostile input: every
// case must end in an InputError/LimitError with a code, never a hang.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { buildTar, compress, gzipBomb, truncate, type FileSpec } from '../../../test/helpers/image-builder.js';
import { InputError, LimitError } from '../errors.js';
import { resolveLimits } from './limits.js';
import { scanTarLayer, type ScanLayerOptions } from './tar-layer.js';
import type { ReadLimits } from './types.js';

function opts(over: Partial<ScanLayerOptions> = {}, limits: Partial<ReadLimits> = {}): ScanLayerOptions {
  return { where: 'test layer 0', layer: 0, limits: resolveLimits(limits), wants: (e) => e.path.startsWith('/etc/'), ...over };
}

function chunked(b: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return Readable.from(parts);
}

const files: FileSpec[] = [
  { path: 'etc/', type: 'dir' },
  { path: 'etc/os-release', content: 'ID=debian\n' },
  { path: 'usr/bin/big', content: Buffer.alloc(300_000, 7) },
  { path: 'etc/link', type: 'symlink', linkname: 'os-release' },
  { path: 'etc/hard', type: 'hardlink', linkname: 'etc/os-release' },
  { path: 'etc/.wh.gone' },
  { path: 'var/.wh..wh..opq' },
  { path: 'dev/null', type: 'char' },
  { path: 'usr/bin/sudo', content: 'x', mode: 0o4755 },
];

async function rejectsWith(p: Promise<unknown>, code: string): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(e instanceof InputError, `expected InputError ${code}, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.ok(!e.message.includes('\n'), 'one line');
  return e;
}

describe('scanTarLayer', () => {
  for (const c of ['none', 'gzip', 'zstd'] as const) {
    it(`reads a ${c} layer (detected by magic bytes)`, async () => {
      const blob = compress(await buildTar(files), c);
      const scan = await scanTarLayer(chunked(blob, 1000), opts());
      const byPath = new Map(scan.entries.map((e) => [(e.whiteout ? `${e.whiteout}:` : '') + e.path, e]));
      assert.equal(byPath.get('/etc')?.kind, 'dir');
      assert.equal(byPath.get('/etc/link')?.linkTarget, 'os-release');
      assert.equal(byPath.get('/etc/hard')?.kind, 'hardlink');
      assert.equal(byPath.get('/etc/hard')?.linkTarget, '/etc/os-release');
      assert.equal(byPath.get('/dev/null')?.kind, 'char');
      assert.equal(byPath.get('/usr/bin/sudo')?.mode, 0o4755);
      assert.ok(byPath.has('file:/etc/gone'), 'file whiteout');
      assert.ok(byPath.has('opaque:/var'), 'opaque whiteout');
      assert.equal(byPath.get('/usr/bin/big')?.size, 300_000);
      // Only the required regular file is buffered.
      assert.deepEqual([...scan.files.keys()], ['/etc/os-release']);
      assert.equal(scan.files.get('/etc/os-release')!.toString(), 'ID=debian\n');
    });
  }

  it('clamps ../ and absolute names to the image root', async () => {
    const blob = await buildTar([
      { path: '../../../etc/passwd', content: 'evil' },
      { path: '/abs/file', content: 'x' },
      { path: './a/../../b/./c', content: 'y' },
    ]);
    const scan = await scanTarLayer(chunked(blob), opts({ wants: () => true }));
    assert.deepEqual(
      scan.entries.map((e) => e.path),
      ['/etc/passwd', '/abs/file', '/b/c'],
    );
  });

  it('fails on a truncated gzip layer', async () => {
    const blob = compress(await buildTar(files), 'gzip');
    const e = await rejectsWith(scanTarLayer(chunked(truncate(blob, -40)), opts()), 'LAYER_TRUNCATED');
    assert.match(e.message, /^test layer 0/);
  });

  it('fails on corrupt gzip data', async () => {
    const blob = Buffer.from(compress(await buildTar(files), 'gzip'));
    for (let i = 20; i < 60; i++) blob[i] = 0xff;
    const e = await scanTarLayer(chunked(blob), opts()).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof InputError && ['LAYER_CORRUPT', 'TAR_INVALID', 'LAYER_TRUNCATED'].includes(e.code), String(e));
  });

  it('fails on a truncated zstd layer', async () => {
    const blob = compress(await buildTar(files), 'zstd');
    const e = await scanTarLayer(chunked(truncate(blob, -10)), opts()).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof InputError && ['LAYER_CORRUPT', 'TAR_TRUNCATED', 'LAYER_TRUNCATED'].includes(e.code), String(e));
  });

  it('fails on a truncated tar', async () => {
    const blob = await buildTar(files);
    await rejectsWith(scanTarLayer(chunked(truncate(blob, 700)), opts()), 'TAR_TRUNCATED');
  });

  it('fails on a tar cut inside file data, accepts one that only lacks padding and end blocks (umoci)', async () => {
    const blob = await buildTar([
      { path: 'etc/a', content: 'x'.repeat(1000) },
      { path: 'etc/b', content: 'hi\n' },
    ]);
    // header a (512) + data a (1000, padded to 1024) + header b (512) + 'hi\n'
    const cutInData = truncate(blob, 512 + 600);
    await rejectsWith(scanTarLayer(chunked(cutInData), opts()), 'TAR_TRUNCATED');
    const noPadding = truncate(blob, 512 + 1024 + 512 + 3);
    const scan = await scanTarLayer(chunked(noPadding), opts());
    assert.equal(scan.files.get('/etc/b')?.toString(), 'hi\n');
    const cutInLastData = truncate(blob, 512 + 1024 + 512 + 2);
    await rejectsWith(scanTarLayer(chunked(cutInLastData), opts()), 'TAR_TRUNCATED');
  });

  it('fails on a file that is not a tar', async () => {
    await rejectsWith(scanTarLayer(chunked(Buffer.from('this is not a layer at all, just text. '.repeat(40))), opts()), 'TAR_INVALID');
  });

  it('reads an empty blob as an empty layer', async () => {
    const scan = await scanTarLayer(Readable.from([]), opts());
    assert.equal(scan.entries.length, 0);
  });

  it('stops a gzip bomb at the layer limit, quickly and without buffering it', async () => {
    const bomb = gzipBomb(512 * 1024 * 1024);
    assert.ok(bomb.length < 2 * 1024 * 1024);
    const t0 = Date.now();
    const rss0 = process.memoryUsage().rss;
    const e = await rejectsWith(scanTarLayer(chunked(bomb), opts({}, { maxLayerBytes: 8 * 1024 * 1024 })), 'LIMIT_LAYER_SIZE');
    assert.ok(e instanceof LimitError);
    assert.ok(Date.now() - t0 < 20_000, 'stops without hanging');
    assert.ok(process.memoryUsage().rss - rss0 < 100 * 1024 * 1024, 'does not buffer the bomb');
  });

  it('streams a 512 MiB layer in bounded memory', async () => {
    // A valid tar (the size is a multiple of 512, so no padding is needed) of one big file nobody requires.
    const blob = gzipBomb(512 * 1024 * 1024, 'usr/share/big');
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const scan = await scanTarLayer(chunked(blob), opts());
      assert.deepEqual(
        scan.entries.map((e) => [e.path, e.size]),
        [['/usr/share/big', 512 * 1024 * 1024]],
      );
    } finally {
      clearInterval(timer);
    }
    assert.ok(peak - rss0 < 64 * 1024 * 1024, `memory grew by ${((peak - rss0) / 1048576).toFixed(0)} MiB`);
  });

  it('stops at the image budget shared by layers', async () => {
    const blob = compress(await buildTar([{ path: 'a', content: Buffer.alloc(100_000) }]), 'gzip');
    const budget = { used: 0 };
    await scanTarLayer(chunked(blob), opts({ budget }, { maxImageBytes: 150_000 }));
    await rejectsWith(scanTarLayer(chunked(blob), opts({ budget }, { maxImageBytes: 150_000 })), 'LIMIT_IMAGE_SIZE');
  });

  it('stops a zstd bomb at the layer limit', async () => {
    const blob = compress(await buildTar([{ path: 'zeros', content: Buffer.alloc(64 * 1024 * 1024) }]), 'zstd');
    await rejectsWith(scanTarLayer(chunked(blob), opts({}, { maxLayerBytes: 4 * 1024 * 1024 })), 'LIMIT_LAYER_SIZE');
  });

  it('enforces the entry count, path length and required file size limits', async () => {
    const many = await buildTar(Array.from({ length: 50 }, (_, i) => ({ path: `f${i}`, content: 'x' })));
    await rejectsWith(scanTarLayer(chunked(many), opts({}, { maxEntries: 10 })), 'LIMIT_ENTRIES');
    const long = await buildTar([{ path: 'd/'.repeat(200) + 'file', content: 'x' }]);
    await rejectsWith(scanTarLayer(chunked(long), opts({}, { maxPathLength: 100 })), 'LIMIT_PATH_LENGTH');
    const big = await buildTar([
      { path: 'etc/huge', content: Buffer.alloc(10_000) },
      { path: 'usr/huge', content: Buffer.alloc(10_000) },
    ]);
    const e = await rejectsWith(scanTarLayer(chunked(big), opts({}, { maxFileSize: 1000 })), 'LIMIT_FILE_SIZE');
    assert.match(e.message, /\/etc\/huge/);
    // A big file nobody requires is fine.
    await scanTarLayer(chunked(await buildTar([{ path: 'usr/huge', content: Buffer.alloc(10_000) }])), opts({}, { maxFileSize: 1000 }));
  });

  it('surfaces a source stream error as an InputError', async () => {
    const src = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
      },
    });
    await rejectsWith(scanTarLayer(src, opts()), 'IMAGE_READ_ERROR');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const src = new Readable({ read() {} });
    const p = scanTarLayer(src, opts({ signal: ac.signal }));
    ac.abort();
    await rejectsWith(p, 'ABORTED');
  });
});
