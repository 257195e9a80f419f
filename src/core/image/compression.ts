// Layer compression: detection by magic bytes (media types lie, and classic
// docker-archive layers carry none) and streaming decompressors behind one
// small push interface, so the layer reader wires them without extra stream hops.
import { createGunzip, constants as zc } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import type { Compression } from './types.js';

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Bytes needed to tell the formats apart. */
export const MAGIC_LENGTH = 4;

/**
 * A push decompressor. `write` returns false when the consumer should wait
 * for `onDrain` before writing more (backpressure); output and errors go to
 * the callbacks given at creation.
 */
export interface Decompressor {
  write(chunk: Buffer): boolean;
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
}

export interface DecompressorCallbacks {
  /** Return false to ask the decompressor to pause until `resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  onError(err: unknown): void;
  onDrain(): void;
}

const GUNZIP_CHUNK = 512 * 1024;

export function createDecompressor(kind: Compression, cb: DecompressorCallbacks): Decompressor {
  if (kind === 'gzip') return gunzipDecompressor(cb);
  if (kind === 'zstd') return zstdDecompressor(cb);
  return {
    write: (chunk) => cb.onData(chunk),
    end: () => cb.onEnd(),
    destroy() {},
    pause() {},
    resume: () => cb.onDrain(),
  };
}

function gunzipDecompressor(cb: DecompressorCallbacks): Decompressor {
  // Inflate runs on the libuv thread pool. zlib hands each output chunk over
  // before it starts inflating the next one, so consuming the chunk right in
  // the 'data' event would serialise inflating and tar parsing. Handing it
  // over in a microtask lets the pool inflate the next chunk meanwhile.
  const z = createGunzip({ chunkSize: GUNZIP_CHUNK, finishFlush: zc.Z_FINISH });
  const queue: Buffer[] = [];
  let scheduled = false;
  let blocked = false;
  let ended = false;
  let done = false;
  const drain = (): void => {
    scheduled = false;
    while (queue.length > 0 && !blocked && !done) {
      if (!cb.onData(queue.shift()!)) {
        blocked = true;
        z.pause();
      }
    }
    if (ended && queue.length === 0 && !done) {
      done = true;
      cb.onEnd();
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(drain);
  };
  z.on('data', (c: Buffer) => {
    queue.push(c);
    schedule();
  });
  z.on('end', () => {
    ended = true;
    schedule();
  });
  z.on('error', (e) => {
    done = true;
    cb.onError(e);
  });
  z.on('drain', () => cb.onDrain());
  return {
    write: (chunk) => z.write(chunk),
    end: () => {
      z.end();
    },
    destroy: () => {
      done = true;
      z.destroy();
    },
    pause: () => {
      blocked = true;
      z.pause();
    },
    resume: () => {
      blocked = false;
      drain();
      if (!blocked) z.resume();
    },
  };
}

/**
 * Compressed bytes pushed into fzstd at once. fzstd emits one callback per
 * block (at most 128 KiB) but cannot pause inside a push, so a slice bounds
 * how much a hostile run of RLE blocks can expand before backpressure and the
 * size limits apply (4 KiB of 4-byte RLE blocks = 128 MiB at worst).
 */
const ZSTD_SLICE = 4 * 1024;

function zstdDecompressor(cb: DecompressorCallbacks): Decompressor {
  let failed = false;
  let ended = false;
  let paused = false;
  let endPending = false;
  let pending: Buffer | null = null;
  const d = new ZstdDecompress((data) => {
    if (failed || data.length === 0) return;
    if (!cb.onData(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) paused = true;
  });
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      d.push(chunk, final);
    } catch (e) {
      failed = true;
      cb.onError(e);
    }
  };
  /** Push slices of `pending` until done or paused; true when all consumed. */
  const pump = (): boolean => {
    while (pending && !failed && !paused) {
      const slice = pending.subarray(0, ZSTD_SLICE);
      pending = pending.length > ZSTD_SLICE ? pending.subarray(ZSTD_SLICE) : null;
      push(slice, false);
    }
    return pending === null;
  };
  const finish = (): void => {
    if (failed || ended) return;
    ended = true;
    push(new Uint8Array(0), true);
    if (!failed) cb.onEnd();
  };
  return {
    write(chunk) {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      return pump() && !paused;
    },
    end() {
      if (pending || paused) endPending = true;
      else finish();
    },
    destroy() {
      failed = true;
      pending = null;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      if (!pump()) return;
      if (paused) return;
      if (endPending) {
        endPending = false;
        finish();
        return;
      }
      cb.onDrain();
    },
  };
}
