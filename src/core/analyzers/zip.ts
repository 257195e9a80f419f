// A bounded ZIP reader for analyzers (jar, war, ear, egg): the central
// directory (ZIP64 included) and single entries inflated with a hard output
// cap, so a zip bomb, a lying size field or a huge entry count costs a
// notice, never memory or time. Reads from a Buffer: pure, no I/O.
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Central-directory entries read from one archive. */
  maxEntries: number;
  /** Largest uncompressed entry extracted. */
  maxEntryBytes: number;
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  flags: number;
}

export class ZipError extends Error {}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;
const MAX_COMMENT = 0xffff;

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('ZIP64 field out of range');
  return Number(v);
}

/** Whether the bytes start like a ZIP archive (local header or empty archive). */
export function looksLikeZip(buf: Buffer): boolean {
  return buf.length >= 4 && (buf.readUInt32LE(0) === LFH || buf.readUInt32LE(0) === EOCD);
}

/** The entries of the central directory; throws ZipError on a broken or over-limit archive. */
export function zipEntries(buf: Buffer, limits: ZipLimits): ZipEntry[] {
  if (buf.length < 22) throw new ZipError('too short for a ZIP archive');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - MAX_COMMENT); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end of central directory record');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
    const at = u64(buf, eocd - 20 + 8);
    if (at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64) throw new ZipError('broken ZIP64 end of central directory');
    count = u64(buf, at + 32);
    cdSize = u64(buf, at + 40);
    cdOffset = u64(buf, at + 48);
  }
  if (count > limits.maxEntries) throw new ZipError(`more than ${limits.maxEntries} entries`);
  if (cdOffset + cdSize > buf.length) throw new ZipError('central directory outside the archive');
  const out: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CDH) throw new ZipError(`central directory entry ${i} is broken`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > buf.length) throw new ZipError(`central directory entry ${i} runs past the archive`);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extended information: the fields that overflowed, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = buf.readUInt16LE(x);
      const len = buf.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const qEnd = Math.min(q + len, xEnd);
        if (size === 0xffffffff && q + 8 <= qEnd) {
          size = u64(buf, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff && q + 8 <= qEnd) {
          compressedSize = u64(buf, q);
          q += 8;
        }
        if (localOffset === 0xffffffff && q + 8 <= qEnd) localOffset = u64(buf, q);
      }
      x += 4 + len;
    }
    out.push({ name, method, compressedSize, size, localOffset, flags });
    p = end;
  }
  return out;
}

/** The uncompressed bytes of an entry (stored or deflated); throws ZipError past the limits or on broken data. */
export function zipRead(buf: Buffer, e: ZipEntry, limits: ZipLimits): Buffer {
  if (e.flags & 1) throw new ZipError(`${e.name}: encrypted`);
  if (e.size > limits.maxEntryBytes) throw new ZipError(`${e.name}: ${e.size} bytes uncompressed, over the ${limits.maxEntryBytes}-byte limit`);
  const h = e.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LFH) throw new ZipError(`${e.name}: broken local header`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + e.compressedSize;
  if (end > buf.length) throw new ZipError(`${e.name}: data runs past the archive`);
  const data = buf.subarray(start, end);
  if (e.method === 0) {
    if (data.length > limits.maxEntryBytes) throw new ZipError(`${e.name}: over the ${limits.maxEntryBytes}-byte limit`);
    return data;
  }
  if (e.method !== 8) throw new ZipError(`${e.name}: compression method ${e.method} not supported`);
  try {
    // The declared size may lie: the cap is on what inflate actually produces.
    return inflateRawSync(data, { maxOutputLength: Math.max(1, limits.maxEntryBytes) });
  } catch (err) {
    const msg = (err as Error).message;
    if (/maxOutputLength|Cannot create a Buffer larger/i.test(msg) || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ZipError(`${e.name}: inflates past the ${limits.maxEntryBytes}-byte limit`);
    throw new ZipError(`${e.name}: broken deflate data`);
  }
}
