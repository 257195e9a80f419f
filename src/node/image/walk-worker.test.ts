// The rootfs walk handed to a worker thread past its first entries: the same
// entries in the same order as a walk on the main thread alone, on the Debian
// rootfs and a tree with symlinks, a FIFO and a vanished directory's parent;
// stopping early ends the worker.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BATCH, walkTree, type WalkedRecord } from './walk-worker.js';

async function all(root: string, workerAfter: number): Promise<WalkedRecord[]> {
  const out: WalkedRecord[] = [];
  for await (const b of walkTree(root, (r) => r, workerAfter)) out.push(...b);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-walk-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('walkTree', () => {
  it('lists the same entries with and without the worker', async () => {
    for (let i = 0; i < 3000; i++) {
      const d = join(dir, 'd' + (i % 37), 'e' + (i % 5));
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `f${i}`), 'x'.repeat(i % 100));
    }
    symlinkSync('../d1', join(dir, 'd0', 'link'));
    execFileSync('mkfifo', [join(dir, 'd2', 'fifo')]);
    const alone = await all(dir, Infinity);
    const handed = await all(dir, 10);
    assert.ok(alone.length > 3000);
    assert.deepEqual(handed, alone);
    assert.equal(alone.find((r) => r.path === '/d0/link')?.linkTarget, '../d1');
    assert.equal(alone.find((r) => r.path === '/d2/fifo')?.kind, 'fifo');
    assert.equal(alone.find((r) => r.path === '/d3/e3/f3')?.size, 3);
  });

  it('walks the Debian rootfs the same way on both threads', async () => {
    const root = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
    const alone = await all(root, Infinity);
    assert.ok(alone.some((r) => r.path === '/var/lib/dpkg/status'));
    assert.deepEqual(await all(root, 0), alone);
  });

  it('ends the worker when the consumer stops early', async () => {
    let n = 0;
    for await (const b of walkTree(dir, (r) => r, 0)) {
      n += b.length;
      if (n >= BATCH) break;
    }
    assert.ok(n >= BATCH);
  });

  it('names the directory it cannot read', async () => {
    await assert.rejects(all(join(dir, 'missing'), 0), (e: Error & { where?: string }) => e.where === join(dir, 'missing'));
  });
});
