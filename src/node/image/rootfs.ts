// `rootfs:DIR`: an unpacked root filesystem as a one-layer image. The walk
// never follows symlinks (lstat/readlink only), stays on the directory's file
// system (mounts such as a live /proc are skipped), and reads only the files
// an analyzer requires, when it asks.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, constants as fsc } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { ByteSource } from '../../core/analyzers/byte-source.js';
import { InputError } from '../../core/errors.js';
import type { EntryFilter, Image, LayerEntry } from '../../core/image/types.js';
import type { OpenImageOptions } from './types.js';
import { fdSource } from './spill.js';
import { walkTree, WalkFailure } from './walk-worker.js';

function walkError(e: unknown, where: string): InputError {
  if (e instanceof InputError) return e;
  const code = (e as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM') return new InputError('IMAGE_READ_ERROR', 'permission denied', where);
  return new InputError('IMAGE_READ_ERROR', (e as Error).message ?? String(e), where);
}

/**
 * Run `fn` over a regular file read at offsets (pread), then close it. The
 * file is opened without following a symlink (O_NOFOLLOW: the walk saw a
 * regular file; one swapped in since is not followed out of the tree) and
 * its size is taken from the open file.
 */
export function withFileRanges<T>(full: string, fn: (src: ByteSource) => T): T {
  const fd = openSync(full, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError('IMAGE_READ_ERROR', 'no longer a regular file', full);
    return fn(fdSource(fd, st.size));
  } finally {
    closeSync(fd);
  }
}

/** One walked entry; its file is read only when asked (a class: no closures per entry of a large tree). */
class WalkedEntry implements LayerEntry {
  /** Built as `${parent}/${name}` from readdir names: already normal. */
  readonly normalPath = true;
  constructor(
    readonly entry: LayerEntry['entry'],
    private readonly full: string,
  ) {}

  async read(): Promise<Buffer> {
    try {
      // Sync, as the walk: the files analyzers read whole are small (package databases, manifests), and a
      // thread-pool round trip per file cost more than the read.
      return readFileSync(this.full);
    } catch (e) {
      throw walkError(e, this.full);
    }
  }

  async readRanges<T>(fn: (src: ByteSource) => T): Promise<T> {
    try {
      return withFileRanges(this.full, fn);
    } catch (e) {
      throw walkError(e, this.full);
    }
  }
}

/**
 * Entries of a directory tree, depth first, parents before children, in
 * batches: past the first entries the walk runs in a worker thread
 * (walk-worker.ts), so its system calls use the second core while this
 * thread analyses. A filter leaves out the regular files no analyzer may
 * claim (EntryFilter).
 */
async function* walk(root: string, filter: EntryFilter | undefined): AsyncGenerator<LayerEntry[]> {
  try {
    // root is '' for `/` (so that paths join as `/bin`, not `//bin`).
    yield* walkTree(root, (r) => new WalkedEntry(r, root + r.path), undefined, filter);
  } catch (e) {
    if (e instanceof WalkFailure) throw walkError(e, e.where);
    throw e;
  }
}

export async function openRootfs(dir: string, name: string, _opts: OpenImageOptions = {}): Promise<Image> {
  const root = resolvePath(dir);
  const st = await stat(root).catch(() => undefined);
  if (!st) throw new InputError('IMAGE_NOT_FOUND', 'no such directory', dir);
  if (!st.isDirectory()) throw new InputError('IMAGE_NOT_ROOTFS', 'rootfs: needs a directory', dir);
  // Not a content digest (the tree is not hashed): stable per path, never used as a cache key (no `open`).
  const digest = 'sha256:' + createHash('sha256').update(`vigil-rootfs\0${root}`).digest('hex');
  return {
    name,
    type: 'rootfs',
    config: { os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    layers: [{ ref: { index: 0, digest }, entries: (filter) => walk(root === '/' ? '' : root, filter) }],
    close: async () => {},
  };
}
