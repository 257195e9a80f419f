// The rootfs walk: depth first, parents before children, names sorted,
// symlinks never followed, other file systems not entered. A large tree's
// cost is mostly the walk's system calls (readdir, lstat, readlink), so once
// a walk has passed WORKER_AFTER entries two worker threads start, and once
// they run (a worker's start takes ~50 ms, which the main thread spends
// walking on) the directories still to visit (the subtrees on its stack) go
// to them, every other subtree to
// each, which walk them on both cores while the main thread registers
// entries, reads the claimed files and runs the analyzers; the main thread
// takes the subtrees back in walk order (each batch marks where subtrees
// end), so the order is that of a walk on one thread. Small trees (a base
// image, test fixtures) never pay for a worker's start (~0.05-0.1 s of CPU
// each). A worker posts entries in batches (paths in one string, the numbers
// in one transferred typed array) and is at most MAX_AHEAD batches ahead of
// the consumer (a shared counter it waits on with Atomics.wait), so memory
// stays bounded. Both sides run the same
// `walkDirs`; the worker is a self-contained script (eval, as the SQLite
// checkpointer's: `walkDirs` is inserted as source), so it runs the same
// from the TypeScript sources (tests) and the compiled CLI. With an
// EntryFilter (the analysis reads nothing but the analyzers' files), the
// regular files it does not keep are neither posted nor, when no file's mode
// matters, lstat'ed; each batch says how many were left out.
import { lstatSync, readdirSync, readlinkSync, type Dirent } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EntryFilter } from '../../core/image/types.js';
import type { EntryKind, FileEntry } from '../../core/inventory/types.js';

/** Entries walked on the main thread before the walk workers start (the rest of the walk moves to them once they run). */
export const WORKER_AFTER = 8192;
/** Entries per batch. */
export const BATCH = 1024;
/** Batches posted and not yet consumed, at most. */
export const MAX_AHEAD = 8;
/** Numbers per entry in a batch: kind, mode, size, uid, gid. */
const FIELDS = 5;
/** Kind codes of walkDirs (its index into this list). */
const KINDS: EntryKind[] = ['file', 'dir', 'symlink', 'char', 'block', 'fifo', 'other'];

type Emit = (path: string, kind: number, mode: number, size: number, uid: number, gid: number, link: string | undefined) => void;
/**
 * A path's lstat numbers in the order of Node's fs binding (dev, mode,
 * nlink, uid, gid, rdev, blksize, ino, size, ...), or undefined when it does
 * not exist. The array may be reused by the next call.
 */
type LstatNumbers = (path: string) => ArrayLike<number> | undefined;
interface WalkFs {
  lstat: LstatNumbers;
  readdirSync: typeof readdirSync;
  readlinkSync: typeof readlinkSync;
}

/**
 * The walk's lstat: numbers only. Node 20's `lstatSync` builds a Stats
 * object with four Dates on every call (Node 22 makes them lazy), which is
 * more than half of its cost on a walk of 50,000 entries (~6 us a call
 * against ~2.5 us); its fs binding fills one reused Float64Array with the
 * same numbers. The binding is not a public API, so it is used only when it
 * answers a probe of `probe` (a path that exists) exactly as `lstatSync`
 * does, and never under --pending-deprecation (where process.binding
 * warns); otherwise the numbers come from `lstatSync`. Its source runs in
 * the worker too: no imports or closures over this module.
 */
export function numbersLstat(fs: { lstatSync: typeof lstatSync }, probe: string): LstatNumbers {
  const proc = process as unknown as { binding?: (name: string) => unknown; execArgv: string[]; env: Record<string, string | undefined> };
  type BindingLstat = (path: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean) => unknown;
  let b: { lstat?: BindingLstat } | undefined;
  if (typeof proc.binding === 'function' && !proc.execArgv.includes('--pending-deprecation') && !/pending-deprecation/.test(proc.env.NODE_OPTIONS ?? '')) {
    try {
      b = proc.binding('fs') as { lstat?: BindingLstat };
      const want = fs.lstatSync(probe);
      const got = typeof b.lstat === 'function' ? b.lstat(probe, false, undefined, false) : undefined;
      const same =
        got instanceof Float64Array &&
        got.length >= 10 &&
        got[0] === want.dev &&
        got[1] === want.mode &&
        got[3] === want.uid &&
        got[4] === want.gid &&
        got[7] === want.ino &&
        got[8] === want.size &&
        b.lstat!(`${probe}/.vigil-walk-probe-${process.pid}-${Math.random()}`, false, undefined, false) === undefined;
      if (!same) b = undefined;
    } catch {
      b = undefined;
    }
  }
  // Anonymous functions only: a named one would be wrapped in a helper (esbuild's keepNames) the worker lacks.
  if (b) return (path) => b.lstat!(path, false, undefined, false) as Float64Array | undefined;
  return (path) => {
    const st = fs.lstatSync(path, { throwIfNoEntry: false });
    return st && [st.dev, st.mode, st.nlink, st.uid, st.gid, st.rdev, st.blksize, st.ino, st.size];
  };
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
        st = fs.lstat(full);
        // S_IFLNK
        if (st && (st[1]! & 0o170000) === 0o120000) link = fs.readlinkSync(full);
      } catch (e) {
        throw Object.assign(e as Error, { where: full });
      }
      if (st === undefined) continue; // vanished during the walk
      const mode = st[1]!;
      // File type bits: regular, directory, symlink, character device, block device, FIFO, other.
      const t = mode & 0o170000;
      const kind = t === 0o100000 ? 0 : t === 0o040000 ? 1 : link !== undefined ? 2 : t === 0o020000 ? 3 : t === 0o060000 ? 4 : t === 0o010000 ? 5 : 6;
      if (kind === 0 && !keep && !(filter!.executables && (mode & 0o111) !== 0)) continue;
      emit(p, kind, mode & 0o7777, kind === 0 ? st[8]! : 0, st[3]!, st[4]!, link);
      if (kind === 1 && st[0] === rootDev) dirs.push(p);
    }
    for (let i = dirs.length - 1; i >= 0; i--) stack.push(dirs[i]!);
  }
  return n;
}

const WORKER_SOURCE = `
const nodeFs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { root, rootDev, batch, maxAhead, fields, filter } = workerData;
// [0]: batches posted and not yet taken; [1]: 1 once this script runs (the main thread then hands it its subtrees).
const credits = new Int32Array(workerData.credits);
const walkDirs = ${walkDirs.toString()};
const numbersLstat = ${numbersLstat.toString()};
const fs = { lstat: numbersLstat(nodeFs, root || '/'), readdirSync: nodeFs.readdirSync, readlinkSync: nodeFs.readlinkSync };
let paths = [];
let links = [];
let nums = new Float64Array(batch * fields);
let n = 0;
// Regular files the filter left out, not yet reported; emitted in the current walkDirs call.
let skipped = 0;
let emitted = 0;
// Where subtrees ended in the batch being filled (entry offsets).
let ends = [];
const flush = () => {
  if (n === 0 && ends.length === 0 && skipped === 0) return;
  // Wait for room: at most maxAhead batches in flight.
  while (Atomics.load(credits, 0) >= maxAhead) Atomics.wait(credits, 0, Atomics.load(credits, 0), 1000);
  Atomics.add(credits, 0, 1);
  const buf = nums.buffer;
  parentPort.postMessage({ paths: paths.join('\\0'), links, nums: buf, n, skipped, ends }, [buf]);
  skipped = 0;
  ends = [];
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
  if (++n === batch) flush();
};
parentPort.once('message', ({ subtrees }) => {
  try {
    for (const sub of subtrees) {
      const stack = [sub];
      while (stack.length > 0) {
        emitted = 0;
        skipped += walkDirs(fs, root, rootDev, stack, batch, emit, filter) - emitted;
      }
      ends.push(n);
    }
    flush();
    parentPort.postMessage({ done: true });
  } catch (e) {
    flush();
    parentPort.postMessage({ error: { code: typeof e.code === 'string' ? e.code : '', message: String(e.message ?? e), where: e.where ?? root } });
  }
});
Atomics.store(credits, 1, 1);
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
  ends?: number[];
  error?: { code: string; message: string; where: string };
  done?: boolean;
}

/** One walk worker: its messages in order, and the count of its batches not yet taken. */
class WalkWorker {
  private readonly worker: Worker;
  readonly credits = new Int32Array(new SharedArrayBuffer(8));
  private readonly queue: Message[] = [];
  private wake: (() => void) | undefined;
  private crashed: Error | undefined;
  exited = false;

  constructor(workerData: Record<string, unknown>) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...workerData, credits: this.credits.buffer } });
    this.worker.on('message', (m: Message) => {
      this.queue.push(m);
      this.wake?.();
    });
    this.worker.on('error', (e) => {
      this.crashed = e;
      this.wake?.();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  /** Whether the worker has started (its script runs) and waits for its subtrees. */
  get ready(): boolean {
    return Atomics.load(this.credits, 1) === 1;
  }

  /** Hands the worker the subtrees it walks. */
  start(subtrees: string[]): void {
    this.worker.postMessage({ subtrees });
  }

  /** The next batch (taken: the worker may post one more); a failure of the walk or of the worker throws. */
  async next(): Promise<Message> {
    for (;;) {
      const m = this.queue.shift();
      if (m) {
        if (m.error) throw new WalkFailure(m.error.code, m.error.message, m.error.where);
        if (m.done) throw new Error('the walk worker ended early');
        Atomics.sub(this.credits, 0, 1);
        Atomics.notify(this.credits, 0);
        return m;
      }
      if (this.crashed) throw this.crashed;
      if (this.exited) throw new Error('the walk worker ended early');
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }
}

/** Walk workers: two, on a machine with two cores or more. */
const WORKERS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * The rest of a walk (`stack`) in worker threads, batch by batch; stopping
 * early ends them. The directories on the stack are disjoint subtrees;
 * worker w walks every WORKERS-th of them (in walk order), marking where
 * each ends, and the subtrees are yielded in walk order, so the entries come
 * in the order of a walk on one thread.
 */
async function* walkRestInWorkers<T>(pool: WalkWorker[], stack: string[], make: (r: WalkedRecord) => T): AsyncGenerator<WalkBatch<T>> {
  const subtrees = [...stack].reverse();
  const k = Math.min(pool.length, subtrees.length);
  const workers = pool.slice(0, k);
  for (let w = 0; w < k; w++) workers[w]!.start(subtrees.filter((_s, i) => i % k === w));
  // Each worker's batch being read: its entries, the offsets where its subtrees end, how far it was read.
  const cursors: Array<{ out: T[]; ends: number[]; pos: number; end: number } | undefined> = [];
  let skipped = 0;
  try {
    for (let s = 0; s < subtrees.length; s++) {
      const w = s % k;
      for (;;) {
        let c = cursors[w];
        if (!c || (c.pos >= c.out.length && c.end >= c.ends.length)) {
          const m = await workers[w]!.next();
          skipped += m.skipped ?? 0;
          cursors[w] = c = { out: decode(m, make), ends: m.ends ?? [], pos: 0, end: 0 };
        }
        const to = c.end < c.ends.length ? c.ends[c.end]! : c.out.length;
        if (to > c.pos || skipped > 0) {
          const out: WalkBatch<T> = c.out.slice(c.pos, to);
          if (skipped > 0) out.skipped = skipped;
          skipped = 0;
          yield out;
        }
        c.pos = to;
        if (c.end < c.ends.length) {
          c.end++;
          break; // subtree s is done
        }
      }
    }
  } finally {
    await Promise.all(pool.map((w) => w.stop()));
  }
}

function decode<T>(m: Message, make: (r: WalkedRecord) => T): T[] {
  const nums = new Float64Array(m.nums!);
  const paths = m.paths!.split('\0');
  const links = m.links!;
  const out = new Array<T>(m.n!);
  let l = 0;
  for (let i = 0; i < m.n!; i++) {
    const o = i * FIELDS;
    out[i] = make(record(paths[i]!, nums[o]!, nums[o + 1]!, nums[o + 2]!, nums[o + 3]!, nums[o + 4]!, nums[o] === 2 ? links[l++] : undefined));
  }
  return out;
}

/** Walked entries, and how many regular files the filter left out before them. */
export type WalkBatch<T> = T[] & { skipped?: number };

/**
 * Walk `root` ('' for `/`), yielding entries in batches (paths relative to
 * the root, starting with `/`); failures are WalkFailures naming the path.
 * With a `filter`, the regular files it does not keep are left out (see
 * walkDirs) and counted in the batches' `skipped`. Past `workerAfter`
 * entries the walk workers start; this thread keeps walking while they
 * boot (~50 ms) and hands them the rest once they run, or, with `wait`
 * (tests), waits for them there; a walk that ends first stops them.
 */
export async function* walkTree<T>(
  root: string,
  make: (r: WalkedRecord) => T,
  workerAfter = WORKER_AFTER,
  filter?: EntryFilter,
  wait = false,
): AsyncGenerator<WalkBatch<T>> {
  const fs: WalkFs = { lstat: numbersLstat({ lstatSync }, root || '/'), readdirSync, readlinkSync };
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
  let pool: WalkWorker[] | undefined;
  try {
    while (stack.length > 0) {
      if (!pool && walked >= workerAfter) {
        pool = Array.from({ length: WORKERS }, () => new WalkWorker({ root, rootDev, batch: BATCH, maxAhead: MAX_AHEAD, fields: FIELDS, filter }));
        if (wait) for (const w of pool) while (!w.ready && !w.exited) Atomics.wait(w.credits, 1, 0, 20);
      }
      if (pool && pool.every((w) => w.ready)) {
        const workers = pool;
        pool = undefined; // walkRestInWorkers stops them
        yield* walkRestInWorkers(workers, stack, make);
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
  } finally {
    // The walk ended (or stopped, or failed) before the workers were handed anything.
    if (pool) await Promise.all(pool.map((w) => w.stop()));
  }
}
