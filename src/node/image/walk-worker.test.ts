// The rootfs walk handed to a worker thread past its first entries: the same
// entries in the same order as a walk on the main thread alone, on the Debian
// rootfs and a tree with symlinks, a FIFO and a vanished directory's parent;
// stopping early ends the worker; a filter leaves out exactly the regular
// files it does not keep.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { EntryFilter } from '../../core/image/types.js';
import { BATCH, numbersLstat, walkTree, type WalkedRecord } from './walk-worker.js';

/** The walk's entries; past `workerAfter` entries the main thread waits for the workers (unless `handOffWhenReady`), so that they walk the rest. */
async function all(root: string, workerAfter: number, handOffWhenReady = false): Promise<WalkedRecord[]> {
  const out: WalkedRecord[] = [];
  for await (const b of walkTree(root, (r) => r, workerAfter, undefined, !handOffWhenReady)) out.push(...b);
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
    // Handed over whenever the workers run (the main thread walking on meanwhile), or never when it finishes first: the same.
    for (const after of [0, 10, 2000]) assert.deepEqual(await all(dir, after, true), alone);
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
    for await (const b of walkTree(dir, (r) => r, 0, undefined, true)) {
      n += b.length;
      if (n >= BATCH) break;
    }
    assert.ok(n >= BATCH);
  });

  it('names the directory it cannot read', async () => {
    await assert.rejects(all(join(dir, 'missing'), 0), (e: Error & { where?: string }) => e.where === join(dir, 'missing'));
  });
});

describe('walkTree with an entry filter', () => {
  const filter = (executables: boolean): EntryFilter => ({
    paths: new Set(['/d1/e1/f1']),
    names: new Set(['keep.me']),
    exts: new Set(['.lock']),
    dirs: ['/d2/'],
    executables,
  });
  const kept = (f: EntryFilter, r: WalkedRecord): boolean => {
    if (r.kind !== 'file') return true;
    const name = r.path.slice(r.path.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    return (
      f.paths.has(r.path) ||
      f.names.has(name) ||
      (dot >= 0 && f.exts.has(name.slice(dot).toLowerCase())) ||
      f.dirs.some((d) => r.path.startsWith(d)) ||
      (f.executables && (r.mode & 0o111) !== 0)
    );
  };
  async function filtered(root: string, workerAfter: number, f: EntryFilter): Promise<{ out: WalkedRecord[]; skipped: number }> {
    const out: WalkedRecord[] = [];
    let skipped = 0;
    for await (const b of walkTree(root, (r) => r, workerAfter, f, true)) {
      out.push(...b);
      skipped += b.skipped ?? 0;
    }
    return { out, skipped };
  }

  it('leaves out exactly the regular files it does not keep, and counts them, on both threads', async () => {
    const root = join(dir, 'filtered');
    for (let i = 0; i < 1200; i++) {
      const d = join(root, 'd' + (i % 7), 'e' + (i % 3));
      mkdirSync(d, { recursive: true });
      const name = i % 50 === 0 ? 'keep.me' : i % 61 === 0 ? `x${i}.LOCK` : `f${i}`;
      writeFileSync(join(d, name), 'x', { mode: i % 13 === 0 ? 0o755 : 0o644 });
    }
    symlinkSync('f1', join(root, 'd0', 'ln'));
    const all: WalkedRecord[] = [];
    for await (const b of walkTree(root, (r) => r, Infinity)) all.push(...b);
    for (const executables of [false, true]) {
      const f = filter(executables);
      const want = all.filter((r) => kept(f, r));
      for (const workerAfter of [Infinity, 0, 100]) {
        const { out, skipped } = await filtered(root, workerAfter, f);
        assert.deepEqual(out, want, `executables ${executables}, worker after ${workerAfter}`);
        assert.equal(skipped, all.length - want.length);
      }
      assert.ok(want.some((r) => r.path.endsWith('.LOCK')) && want.some((r) => r.path === '/d1/e1/f1') && want.some((r) => r.path === '/d0/ln'));
      // Executables that only the executable bit keeps: there only with `executables`.
      assert.equal(
        want.some((r) => r.kind === 'file' && (r.mode & 0o111) !== 0 && !kept(filter(false), r)),
        executables,
      );
      assert.ok(want.length < all.length / 2);
    }
  });
});

describe('numbersLstat', () => {
  const root = process.env.VIGIL_TEST_DEBIAN_ROOTFS ?? '/var/cache/vigil-ci/bookworm-minbase';
  const numbers = (st: Stats): number[] => [st.dev, st.mode, st.nlink, st.uid, st.gid, st.rdev, st.blksize, st.ino, st.size];

  it("gives lstatSync's numbers for every entry of the Debian rootfs, through Node 20's fs binding", () => {
    const lstat = numbersLstat({ lstatSync }, root);
    // Node 20 builds four Dates per Stats object; the binding's reused array is the fast path this test must exercise.
    if (process.versions.node.startsWith('20.')) assert.ok(lstat(root) instanceof Float64Array, 'the fs binding is used on Node 20');
    let n = 0;
    const stack = [root];
    while (stack.length > 0) {
      const d = stack.pop()!;
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        const st = lstatSync(p);
        assert.deepEqual([...Array.prototype.slice.call(lstat(p)!, 0, 9)], numbers(st), p);
        if (st.isDirectory()) stack.push(p);
        n++;
      }
    }
    assert.ok(n > 5000);
    assert.equal(lstat(join(root, 'no-such-file')), undefined);
    assert.throws(
      () => lstat(join(root, 'etc', 'passwd', 'below-a-file')),
      (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR',
    );
  });

  it('falls back to lstatSync when the binding does not answer as lstatSync does', () => {
    const probe = join(root, 'etc', 'passwd');
    const real = lstatSync(probe);
    // An lstatSync that disagrees with the binding on the probe (another inode): the binding is not trusted.
    const other = Object.assign(Object.create(Object.getPrototypeOf(real) as object) as typeof real, real, { ino: real.ino + 1 });
    let calls = 0;
    const fake = ((path: string, opts?: object) => {
      calls++;
      return path === probe ? other : lstatSync(path, opts as { throwIfNoEntry: false });
    }) as unknown as typeof lstatSync;
    const lstat = numbersLstat({ lstatSync: fake }, probe);
    const before = calls;
    const got = lstat(join(root, 'etc', 'hostname'));
    assert.ok(Array.isArray(got), 'the fallback builds its numbers from lstatSync');
    assert.equal(calls, before + 1);
    assert.deepEqual(got, numbers(lstatSync(join(root, 'etc', 'hostname'))));
  });
});
