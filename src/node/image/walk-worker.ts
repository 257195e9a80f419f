// The rootfs walk in a worker thread, so that the directory walk's system
// calls (readdir, lstat, readlink: most of a large tree's cost) run on one
// core while the main thread registers entries, reads the claimed files and
// runs the analyzers on the other. The worker walks exactly as the
// synchronous walk did (depth first, parents before children, names sorted,
// symlinks never followed, other file systems not entered) and posts the
// entries in batches: paths in one string, the numbers in one transferred
// typed array. Memory is bounded: the worker is at most MAX_AHEAD batches
// ahead of the consumer (a shared counter it waits on with Atomics.wait).
// The worker's code is a self-contained script (eval: only node:fs and
// node:worker_threads), as the SQLite checkpointer's, so that it runs the
// same from the TypeScript sources (tests) and the compiled CLI.
import { Worker } from 'node:worker_threads';
import type { EntryKind } from '../../core/inventory/types.js';

/** Entries per posted batch. */
export const BATCH = 1024;
/** Batches posted and not yet consumed, at most. */
export const MAX_AHEAD = 8;
/** Numbers per entry in a batch: kind, mode, size, uid, gid. */
const FIELDS = 5;
const KINDS: EntryKind[] = ['file', 'dir', 'symlink', 'char', 'block', 'fifo', 'other'];

const WORKER_SOURCE = `
const { lstatSync, readdirSync, readlinkSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const { root, batch, maxAhead, fields } = workerData;
const credits = new Int32Array(workerData.credits);
let paths = [];
let links = [];
let nums = new Float64Array(batch * fields);
let n = 0;
const flush = () => {
  if (n === 0) return;
  // Wait for room: at most maxAhead batches in flight.
  while (Atomics.load(credits, 0) >= maxAhead) Atomics.wait(credits, 0, Atomics.load(credits, 0), 1000);
  Atomics.add(credits, 0, 1);
  const buf = nums.buffer.slice(0, n * fields * 8);
  parentPort.postMessage({ paths: paths.join('\\0'), links, nums: buf }, [buf]);
  paths = [];
  links = [];
  n = 0;
};
const kindOf = (st) =>
  st.isFile() ? 0 : st.isDirectory() ? 1 : st.isSymbolicLink() ? 2 : st.isCharacterDevice() ? 3 : st.isBlockDevice() ? 4 : st.isFIFO() ? 5 : 6;
const fail = (e, where) => {
  flush();
  parentPort.postMessage({ error: { code: typeof e.code === 'string' ? e.code : '', message: String(e.message ?? e), where } });
};
const walk = () => {
  let rootDev;
  try {
    rootDev = lstatSync(root || '/').dev;
  } catch (e) {
    return fail(e, root || '/');
  }
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop();
    let names;
    try {
      names = readdirSync(root + rel || '/');
    } catch (e) {
      if (rel && e.code === 'ENOENT') continue; // a directory that vanished during the walk
      return fail(e, root + rel || '/');
    }
    names.sort();
    const dirs = [];
    for (const name of names) {
      const p = rel + '/' + name;
      const full = root + p;
      let st;
      try {
        st = lstatSync(full, { throwIfNoEntry: false });
      } catch (e) {
        return fail(e, full);
      }
      if (st === undefined) continue; // vanished during the walk
      const kind = kindOf(st);
      if (kind === 2) {
        try {
          links.push(readlinkSync(full));
        } catch (e) {
          return fail(e, full);
        }
      }
      const o = n * fields;
      nums[o] = kind;
      nums[o + 1] = st.mode & 0o7777;
      nums[o + 2] = kind === 0 ? st.size : 0;
      nums[o + 3] = st.uid;
      nums[o + 4] = st.gid;
      paths.push(p);
      if (++n === batch) {
        flush();
        nums = new Float64Array(batch * fields);
      }
      if (kind === 1 && st.dev === rootDev) dirs.push(p);
    }
    for (let i = dirs.length - 1; i >= 0; i--) stack.push(dirs[i]);
  }
  flush();
  parentPort.postMessage({ done: true });
};
walk();
`;

export interface WalkedRecord {
  path: string;
  kind: EntryKind;
  mode: number;
  size: number;
  uid: number;
  gid: number;
  linkTarget?: string;
}

export class WalkFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where: string,
  ) {
    super(message);
  }
}

interface Message {
  paths?: string;
  links?: string[];
  nums?: ArrayBuffer;
  error?: { code: string; message: string; where: string };
  done?: boolean;
}

/**
 * Walk `root` ('' for `/`) in a worker thread; yields the entries batch by
 * batch (paths relative to the root, starting with `/`). Stopping early (a
 * break, an error in the consumer) ends the worker.
 */
export async function* walkInWorker<T>(root: string, make: (r: WalkedRecord) => T): AsyncGenerator<T[]> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { root, batch: BATCH, maxAhead: MAX_AHEAD, fields: FIELDS, credits: credits.buffer } });
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  const push = (m: Message): void => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (e) => {
    failure = e;
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
        if (failure) throw failure;
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
      const out: T[] = new Array<T>(paths.length);
      let l = 0;
      for (let i = 0; i < paths.length; i++) {
        const o = i * FIELDS;
        const kind = KINDS[nums[o]!]!;
        const r: WalkedRecord = { path: paths[i]!, kind, mode: nums[o + 1]!, size: nums[o + 2]!, uid: nums[o + 3]!, gid: nums[o + 4]! };
        if (kind === 'symlink') r.linkTarget = links[l++]!;
        out[i] = make(r);
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
