// The tar-layer spill (src/core/image/tar-layer.ts, Spill) as a temporary
// file: a large file only a reducer reads (an executable whose build info is
// wanted) is written out chunk by chunk as the layer streams, then read back
// at the few offsets the reducer asks for. The file is created exclusively
// (0600) in the temporary directory and unlinked at once, so it is gone with
// the descriptor even if the process dies. `fdSource` also serves rootfs.ts
// (pread on a file of the tree).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync, constants as fsc } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSource } from '../../core/analyzers/byte-source.js';
import type { Spill } from '../../core/image/tar-layer.js';

/** A ByteSource over an open descriptor of `size` bytes, read at offsets (pread). */
export function fdSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, offset + got);
        if (r === 0) break; // shrank since it was measured
        got += r;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
  };
}

export function tempSpill(dir = tmpdir()): Spill {
  const path = join(dir, `vigil-spill-${process.pid}-${randomBytes(8).toString('hex')}`);
  const fd = openSync(path, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  unlinkSync(path);
  let size = 0;
  let closed = false;
  return {
    write(chunk) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off, size + off);
      size += chunk.length;
    },
    source: () => fdSource(fd, size),
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
