// The rootfs walk: depth first, parents before children, names sorted,
// symlinks never followed, other file systems not entered. A large tree's
// cost is mostly the walk's system calls (readdir, lstat, readlink), so once
// a walk has passed WORKER_AFTER entries the directories still to visit go
// to a worker thread, which walks them on the second core while the main
// thread registers entries, reads the claimed files and runs the analyzers.
// Small trees (a base image, test fixtures) never pay for a worker's start
// (~0.1 s of CPU). The worker posts entries in batches (paths in one string,
// the numbers in one transferred typed array) and is at most MAX_AHEAD
// batches ahead of the consumer (a shared counter it waits on with
// Atomics.wait), so memory stays bounded. Both sides run the same
// `walkDirs`; the worker is a self-contained script (eval, as the SQLite
// checkpointer's: `walkDirs` is inserted as source), so it runs the same
// from the TypeScript sources (tests) and the compiled CLI. With an
// EntryFilter (the analysis reads nothing but the analyzers' files), the
// regular files it does not keep are neither posted nor, when no file's mode
// matters, lstat'ed; each batch says how many were left out.
import { lstatSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { EntryFilter } from '../../core/image/types.js';
import type { EntryKind, FileEntry } from '../../core/inventory/types.js';

/** Entries walked on the main thread before the rest of the walk moves to a worker. */
export const WORKER_AFTER = 16_384;
/** Entries per batch. */
export const BATCH = 1024;
/** Batches posted and not yet consumed, at most. */
export const MAX_AHEAD = 8;
/** Numbers per entry in a batch: kind, mode, size, uid, gid. */
const FIELDS = 5;
/** Kind codes of walkDirs (its index into this list). */
const KINDS: EntryKind[] = ['file', 'dir', 'symlink', 'char', 'block', 'fifo', 'other'];

type Emit = (path: string, kind: number, mode: number, size: number, uid: number, gid: number, link: string | undefined) => void;
interface WalkFs {
  lstatSync: typeof lstatSync;
  readdirSync: typeof readdirSync;
  readlinkSync: typeof readlinkSync;
}

/**
 * Visit directories from `stack` (relative paths, the next one last) until
 * it is empty or at least `limit` entries were visited; returns how many
 * (emitted or left out). With a `filter` (EntryFilter), a regular file it
 * does not keep is not emitted, and, when the filter needs no file's mode
 * (no `executables`), not even lstat'ed: the directory's file types come
 * from readdir. Throws an error carrying `where` (the path) for what cannot
 * be read. Its source runs in the worker too: no imports, closures or
 * nested functions.
 */
export function walkDirs(fs: WalkFs, root: string, rootDev: number, stack: string[], limit: number, emit: Emit, filter?: EntryFilter): number {
  let n = 0;
  const typed = filter !== undefined && !filter.executables;
  while (stack.length > 0 && n < limit) {
    const rel = stack.pop()!;
    let list: Array<string | Dirent>;
    try {
      list = typed ? fs.readdirSync(root + rel || '/', { withFileTypes: true }) : fs.readdirSync(root + rel || '/');
    } catch (e) {
      if (rel && (e as { code?: string }).code === 'ENOENT') continue; // a directory that vanished during the walk
      throw Object.assign(e as Error, { where: root + rel || '/' });
    }
    if (typed) (list as Dirent[]).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    else (list as string[]).sort();
    const dirs: string[] = [];
    for (const item of list) {
      const name = typeof item === 'string' ? item : item.name;
      const p = rel + '/' + name;
      n++;
      // Whether a claim may match this path if it is a regular file (without a filter: every file is kept).
      let keep = filter === undefined || filter.names.has(name) || filter.paths.has(p);
      if (!keep) {
        const dot = name.lastIndexOf('.');
        keep = dot >= 0 && filter!.exts.has(name.slice(dot).toLowerCase());
        for (let i = 0; !keep && i < filter!.dirs.length; i++) keep = p.startsWith(filter!.dirs[i]!);
      }
      if (!keep && typeof item !== 'string' && item.isFile()) continue;
      const full = root + p;
      let link: string | undefined;
      let st;
      try {
        st = fs.lstatSync(full, { throwIfNoEntry: false });
        if (st && st.isSymbolicLink()) link = fs.readlinkSync(full);
      } catch (e) {
        throw Object.assign(e as Error, { where: full });
      }
      if (st === undefined) continue; // vanished during the walk
      const kind = st.isFile() ? 0 : st.isDirectory() ? 1 : link !== undefined ? 2 : st.isCharacterDevice() ? 3 : st.isBlockDevice() ? 4 : st.isFIFO() ? 5 : 6;
      if (kind === 0 && !keep && !(filter!.executables && (st.mode & 0o111) !== 0)) continue;
      emit(p, kind, st.mode & 0o7777, kind === 0 ? st.size : 0, st.uid, st.gid, link);
      if (kind === 1 && st.dev === rootDev) dirs.push(p);
    }
    for (let i = dirs.length - 1; i >= 0; i--) stack.push(dirs[i]!);
  }
  return n;
}

const WORKER_SOURCE = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { root, rootDev, stack, batch, maxAhead, fields, filter } = workerData;
const credits = new Int32Array(workerData.credits);
const walkDirs = ${walkDirs.toString()};
let paths = [];
let links = [];
let nums = new Float64Array(batch * fields);
let n = 0;
// Regular files the filter left out, not yet reported; emitted in the current walkDirs call.
let skipped = 0;
let emitted = 0;
const flush = (last) => {
  if (n === 0 && !(last && skipped > 0)) return;
  // Wait for room: at most maxAhead batches in flight.
  while (Atomics.load(credits, 0) >= maxAhead) Atomics.wait(credits, 0, Atomics.load(credits, 0), 1000);
  Atomics.add(credits, 0, 1);
  const buf = nums.buffer;
  parentPort.postMessage({ paths: paths.join('\\0'), links, nums: buf, n, skipped }, [buf]);
  skipped = 0;
  paths = [];
  links = [];
  nums = new Float64Array(batch * fields);
  n = 0;
};
const emit = (p, kind, mode, size, uid, gid, link) => {
  const o = n * fields;
  nums[o] = kind;
  nums[o + 1] = mode;
  nums[o + 2] = size;
  nums[o + 3] = uid;
  nums[o + 4] = gid;
  paths.push(p);
  if (link !== undefined) links.push(link);
  emitted++;
  if (++n === batch) flush(false);
};
try {
  while (stack.length > 0) {
    emitted = 0;
    skipped += walkDirs(fs, root, rootDev, stack, batch, emit, filter) - emitted;
  }
  flush(true);
  parentPort.postMessage({ done: true });
} catch (e) {
  flush(false);
  parentPort.postMessage({ error: { code: typeof e.code === 'string' ? e.code : '', message: String(e.message ?? e), where: e.where ?? root } });
}
`;

/** One walked entry: a FileEntry's metadata (no layer, no hash). */
export type WalkedRecord = Pick<FileEntry, 'path' | 'kind' | 'mode' | 'size' | 'uid' | 'gid' | 'linkTarget'>;

/** A walk that could not read something: the system error's code and message, and the path. */
export class WalkFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where: string,
  ) {
    super(message);
  }
}

const failure = (e: unknown, root: string): WalkFailure => {
  const x = e as { code?: unknown; message?: unknown; where?: unknown };
  return new WalkFailure(typeof x.code === 'string' ? x.code : '', String(x.message ?? e), typeof x.where === 'string' ? x.where : root || '/');
};

const record = (path: string, kind: number, mode: number, size: number, uid: number, gid: number, link: string | undefined): WalkedRecord => {
  const r: WalkedRecord = { path, kind: KINDS[kind]!, mode, size, uid, gid };
  if (link !== undefined) r.linkTarget = link;
  return r;
};

interface Message {
  paths?: string;
  links?: string[];
  nums?: ArrayBuffer;
  n?: number;
  skipped?: number;
  error?: { code: string; message: string; where: string };
  done?: boolean;
}

/** The rest of a walk (`stack`) in a worker thread, batch by batch; stopping early ends the worker. */
async function* walkRestInWorker<T>(
  root: string,
  rootDev: number,
  stack: string[],
  make: (r: WalkedRecord) => T,
  filter: EntryFilter | undefined,
): AsyncGenerator<WalkBatch<T>> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { root, rootDev, stack, batch: BATCH, maxAhead: MAX_AHEAD, fields: FIELDS, credits: credits.buffer, filter },
  });
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  let crashed: Error | undefined;
  let exited = false;
  worker.on('message', (m: Message) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    crashed = e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (crashed) throw crashed;
        if (exited) throw new Error('the walk worker ended early');
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      if (m.done) return;
      if (m.error) throw new WalkFailure(m.error.code, m.error.message, m.error.where);
      const nums = new Float64Array(m.nums!);
      const paths = m.paths!.split('\0');
      const links = m.links!;
      const out: WalkBatch<T> = new Array<T>(m.n!);
      if (m.skipped) out.skipped = m.skipped;
      let l = 0;
      for (let i = 0; i < m.n!; i++) {
        const o = i * FIELDS;
        out[i] = make(record(paths[i]!, nums[o]!, nums[o + 1]!, nums[o + 2]!, nums[o + 3]!, nums[o + 4]!, nums[o] === 2 ? links[l++] : undefined));
      }
      // This batch is taken: the worker may post one more.
      Atomics.sub(credits, 0, 1);
      Atomics.notify(credits, 0);
      yield out;
    }
  } finally {
    if (!exited) await worker.terminate();
  }
}

/** Walked entries, and how many regular files the filter left out before them. */
export type WalkBatch<T> = T[] & { skipped?: number };

/**
 * Walk `root` ('' for `/`), yielding entries in batches (paths relative to
 * the root, starting with `/`); failures are WalkFailures naming the path.
 * With a `filter`, the regular files it does not keep are left out (see
 * walkDirs) and counted in the batches' `skipped`.
 */
export async function* walkTree<T>(root: string, make: (r: WalkedRecord) => T, workerAfter = WORKER_AFTER, filter?: EntryFilter): AsyncGenerator<WalkBatch<T>> {
  const fs: WalkFs = { lstatSync, readdirSync, readlinkSync };
  let rootDev: number;
  try {
    rootDev = lstatSync(root || '/').dev;
  } catch (e) {
    throw failure(Object.assign(e as Error, { where: root || '/' }), root);
  }
  const stack = [''];
  let walked = 0;
  let batch: WalkBatch<T> = [];
  const emit: Emit = (p, kind, mode, size, uid, gid, link) => {
    batch.push(make(record(p, kind, mode, size, uid, gid, link)));
  };
  while (stack.length > 0) {
    if (walked >= workerAfter) {
      yield* walkRestInWorker(root, rootDev, stack, make, filter);
      return;
    }
    let visited: number;
    try {
      visited = walkDirs(fs, root, rootDev, stack, BATCH, emit, filter);
    } catch (e) {
      throw failure(e, root);
    }
    walked += visited;
    if (visited > batch.length) batch.skipped = visited - batch.length;
    if (visited > 0) yield batch;
    batch = [];
  }
}
