import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Analyzer } from '../../core/analyzers/types.js';
import { InputError } from '../../core/errors.js';
import { analyzeImage } from '../../core/image/analyze.js';
import type { LayerEntry } from '../../core/image/types.js';
import { openImage } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-rootfs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rootfs source', () => {
  it('walks special files and symlinks without following them, and reads only required files', async () => {
    const root = join(dir, 'r1');
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'run'), { recursive: true });
    writeFileSync(join(root, 'etc/os-release'), 'ID=alpine\n');
    writeFileSync(join(root, 'etc/big'), Buffer.alloc(5000));
    execFileSync('mkfifo', [join(root, 'run/pipe')]);
    symlinkSync('/etc', join(root, 'host-etc')); // must stay inside the image
    symlinkSync('../../../../../../etc/passwd', join(root, 'etc/passwd-link'));
    const reads: string[] = [];
    const a: Analyzer = {
      id: 'r',
      version: 1,
      kind: 'os',
      required: (p) => p.startsWith('/etc/os'),
      analyze: (i) => {
        reads.push(...i.files.map((f) => f.path));
        return {};
      },
    };
    const img = await openImage(`rootfs:${root}`);
    const r = await analyzeImage(img, [a], { limits: { maxFileSize: 1000 } });
    await img.close();
    assert.equal(r.tree.get('/run/pipe')?.kind, 'fifo');
    assert.equal(r.tree.get('/host-etc')?.kind, 'symlink');
    assert.equal(r.tree.resolve('/host-etc/os-release')?.path, '/etc/os-release', 'absolute links resolve inside the image');
    assert.equal(r.tree.resolve('/etc/passwd-link'), undefined, 'the host /etc/passwd is never reached');
    assert.equal(r.tree.get('/etc/big')?.size, 5000, 'a big file nobody requires is fine');
    assert.deepEqual(reads, ['/etc/os-release']);
  });

  it('fails clearly on a missing directory or a file', async () => {
    await assert.rejects(openImage(`rootfs:${join(dir, 'missing')}`), (e: unknown) => e instanceof InputError && e.code === 'IMAGE_NOT_FOUND');
    const f = join(dir, 'file');
    writeFileSync(f, 'x');
    await assert.rejects(openImage(`rootfs:${f}`), (e: unknown) => e instanceof InputError && e.code === 'IMAGE_NOT_ROOTFS');
  });

  it('enforces the entry limit while walking', async () => {
    const root = join(dir, 'r2');
    mkdirSync(root);
    for (let i = 0; i < 30; i++) writeFileSync(join(root, `f${i}`), 'x');
    const img = await openImage(root);
    assert.equal(img.type, 'rootfs');
    await assert.rejects(
      analyzeImage(img, [], { limits: { maxEntries: 10 } }),
      (e: unknown) => e instanceof InputError && e.code === 'LIMIT_ENTRIES' && e.message.startsWith(root),
    );
  });
});

describe('rootfs:/ (issue 17: it failed with lstat "")', () => {
  it('walks the root directory with paths joined once', async () => {
    const image = await openImage('rootfs:/');
    const seen: string[] = [];
    walk: for await (const item of image.layers[0]!.entries!()) {
      for (const e of Array.isArray(item) ? (item as LayerEntry[]) : [item as LayerEntry]) {
        seen.push(e.entry.path);
        if (seen.length >= 20) break walk;
      }
    }
    await image.close();
    assert.ok(seen.length > 0);
    assert.ok(
      seen.every((p) => p.startsWith('/') && !p.startsWith('//')),
      seen.join(' '),
    );
    assert.ok(seen.includes('/etc') || seen.some((p) => p.startsWith('/etc/')), seen.join(' '));
  });
});
