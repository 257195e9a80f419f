// Test helper: writes real ZIP archives (stored or deflated entries, CRC-32
// filled in, optional lying size fields) so the bounded reader, the Java and
// egg analyzers, the OSV all.zip importer and the downloader are tested on
// archives no tool is needed for, hostile ones included.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipSpec {
  name: string;
  data: Buffer | string;
  /** Default deflate. */
  stored?: boolean;
  /** Uncompressed size written in the headers (default: the real one). */
  claimedSize?: number;
}

/** A little-endian record of `size` bytes: [offset, value, 2 or 4 bytes] fields, the rest zero. */
function record(size: number, fields: Array<[number, number, 2 | 4]>): Buffer {
  const b = Buffer.alloc(size);
  for (const [at, v, width] of fields) {
    if (width === 2) b.writeUInt16LE(v, at);
    else b.writeUInt32LE(v, at);
  }
  return b;
}

export function makeZip(entries: ZipSpec[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const body = e.stored ? raw : deflateRawSync(raw);
    const name = Buffer.from(e.name);
    const method = e.stored ? 0 : 8;
    const crc = crc32(raw);
    const size = e.claimedSize ?? raw.length;
    // The fields a local file header (30 bytes) and a central directory header (46 bytes) share, from the
    // version needed on: version, method, CRC-32, compressed and uncompressed size, name length.
    const shared = (at: number): Array<[number, number, 2 | 4]> => [
      [at, 20, 2],
      [at + 4, method, 2],
      [at + 10, crc, 4],
      [at + 14, body.length, 4],
      [at + 18, size, 4],
      [at + 22, name.length, 2],
    ];
    const lh = record(30, [[0, 0x04034b50, 4], ...shared(4)]);
    // Central: version made by, the shared fields, the local header's offset.
    const ch = record(46, [[0, 0x02014b50, 4], [4, 20, 2], ...shared(6), [42, offset, 4]]);
    locals.push(lh, name, body);
    central.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const eocd = record(22, [
    [0, 0x06054b50, 4],
    [8, entries.length, 2],
    [10, entries.length, 2],
    [12, cd.length, 4],
    [16, offset, 4],
  ]);
  return Buffer.concat([...locals, cd, eocd]);
}
