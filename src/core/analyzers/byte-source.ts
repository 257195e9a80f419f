// Random access to one file's bytes, for the analyzers that read a few ranges
// of a large file (an executable's headers and one section) instead of all of
// it. A buffer is one (`bufferSource`); the edges give one over an open file
// (src/node/image/rootfs.ts reads with pread), so the core stays free of I/O.
// Reads are synchronous: a handful of small preads per file cost less than
// the promise round trips of asynchronous ones.

export interface ByteSource {
  /** The file's size in bytes. */
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the file; never more). Callers bound `length`. */
  read(offset: number, length: number): Buffer;
}

/** A buffer as a ByteSource: reads are views, not copies. */
export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (offset, length) => buf.subarray(offset, offset + length) };
}

/** `src.read` clamped to the file: an empty buffer for an offset past the end or a negative range. */
export function readRange(src: ByteSource, offset: number, length: number): Buffer {
  if (!(offset >= 0) || !(length > 0) || offset >= src.size) return Buffer.alloc(0);
  return src.read(offset, Math.min(length, src.size - offset));
}
