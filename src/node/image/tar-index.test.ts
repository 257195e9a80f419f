import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildTar, truncate } from '../../../test/helpers/image-builder.js';
import { InputError } from '../../core/errors.js';
import { resolveLimits } from '../../core/image/limits.js';
import { indexTar } from './tar-index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-tarindex-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function index(bytes: Buffer, limits = resolveLimits()) {
  const f = join(dir, `t${Math.random().toString(36).slice(2)}.tar`);
  writeFileSync(f, bytes);
  const fh = await open(f, 'r');
  try {
    return await indexTar(fh, bytes.length, f, limits);
  } finally {
    await fh.close();
  }
}

describe('indexTar', () => {
  it('indexes members by offset, with ustar prefixes, pax long names and ./ prefixes', async () => {
    const long = 'blobs/' + 'x'.repeat(180);
    const nested = 'a'.repeat(90) + '/' + 'b'.repeat(90) + '/file';
    const bytes = await buildTar([
      { path: './manifest.json', content: '[1]' },
      { path: 'dir/', type: 'dir' },
      { path: long, content: 'long name' },
      { path: nested, content: 'prefixed' },
      { path: 'link', type: 'symlink', linkname: 'manifest.json' },
      { path: 'empty', content: '' },
    ]);
    const m = await index(bytes);
    assert.deepEqual([...m.keys()].sort(), [nested, long, 'empty', 'manifest.json'].sort());
    for (const [name, want] of [
      ['manifest.json', '[1]'],
      [long, 'long name'],
      [nested, 'prefixed'],
      ['empty', ''],
    ] as const) {
      const x = m.get(name)!;
      assert.equal(bytes.subarray(x.offset, x.offset + x.size).toString(), want, name);
    }
  });

  it('rejects truncated archives, non-tars and too many members', async () => {
    const bytes = await buildTar([
      { path: 'a', content: 'x'.repeat(2000) },
      { path: 'b', content: 'y' },
    ]);
    await assert.rejects(index(truncate(bytes, 1000)), (e: unknown) => e instanceof InputError && e.code === 'TAR_TRUNCATED');
    await assert.rejects(index(Buffer.from('x'.repeat(4096))), (e: unknown) => e instanceof InputError && e.code === 'IMAGE_UNKNOWN_FORMAT');
    const corrupt = Buffer.from(bytes);
    corrupt[512 * 5 + 10] = 0x41; // inside the second header
    await assert.rejects(index(corrupt), (e: unknown) => e instanceof InputError && e.code === 'TAR_INVALID');
    await assert.rejects(index(bytes, resolveLimits({ maxEntries: 1 })), (e: unknown) => e instanceof InputError && e.code === 'LIMIT_ENTRIES');
  });
});
