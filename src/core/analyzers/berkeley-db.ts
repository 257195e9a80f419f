// A read-only walker of Berkeley DB hash databases (rpm's /var/lib/rpm/Packages
// on RHEL/CentOS 7 and 8), enough to list every key/value pair:
// - page 0 is the hash metadata page: magic (its byte order is the file's),
//   page size, the highest bucket and the `spares` table mapping buckets to
//   pages (page = bucket + spares[ceil(log2(bucket + 1))]);
// - each bucket is a chain of hash pages (next_pgno): a 26-byte page header,
//   `entries` 2-byte item offsets, items stored from the page end downwards,
//   keys and values alternating;
// - an item is inline (H.KEYDATA) or, when big, a pointer (H.OFFPAGE) to a
//   chain of overflow pages each holding `hf_offset` bytes.
// Every page number, offset and length is checked; every page may be
// visited once (a loop or a shared page is corruption), so the walk is
// bounded by the file size.
import { InputError, LimitError, type ErrorCode } from '../errors.js';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
/** Page types (db_page.h `P_*`). */
const P = { HASH_UNSORTED: 2, OVERFLOW: 7, HASHMETA: 8, HASH: 13 } as const;
/** Hash item types (db_page.h `H_*`). */
const H = { KEYDATA: 1, DUPLICATE: 2, OFFPAGE: 3, OFFDUP: 4 } as const;

export interface BdbLimits {
  /** Largest value (an rpm header); rpm itself caps headers at 256 MiB. */
  maxValueBytes: number;
  /** Most key/value pairs. */
  maxPairs: number;
}

export const DEFAULT_BDB_LIMITS: BdbLimits = { maxValueBytes: 256 * 1024 * 1024, maxPairs: 1_000_000 };

export interface BdbPair {
  key: Buffer;
  value: Buffer;
}

export interface BdbContents {
  /** Byte order of the file (and, for rpm, of its integer keys: the writing host's). */
  littleEndian: boolean;
  pairs: BdbPair[];
}

export function readBdbHash(buf: Buffer, path: string, limits: BdbLimits = DEFAULT_BDB_LIMITS): BdbContents {
  const fail = (code: ErrorCode, message: string): InputError => new InputError(code, message, path);
  if (buf.length < 512) throw fail('BDB_TRUNCATED', `${buf.length} bytes is too short for a Berkeley DB metadata page`);
  let le: boolean;
  if (buf.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (buf.readUInt32BE(12) === HASH_MAGIC) le = false;
  else throw fail('BDB_BAD_MAGIC', 'not a Berkeley DB hash database (bad magic number)');
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const u16 = (at: number): number => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));

  const version = u32(16);
  const pageSize = u32(20);
  if (version < 7 || version > 10) throw fail('BDB_UNSUPPORTED', `unsupported hash version ${version}`);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw fail('BDB_BAD_PAGESIZE', `invalid page size ${pageSize}`);
  if (buf[24] !== 0) throw fail('BDB_UNSUPPORTED', 'encrypted databases are not supported');
  if (buf[25] !== P.HASHMETA) throw fail('BDB_BAD_PAGE', `page 0 has type ${buf[25]}, not hash metadata`);
  if ((buf[26]! & 0x01) !== 0) throw fail('BDB_UNSUPPORTED', 'checksummed pages are not supported');
  const pageCount = Math.floor(buf.length / pageSize);
  const lastPgno = u32(32);
  if (lastPgno >= pageCount) throw fail('BDB_TRUNCATED', `last page ${lastPgno} is beyond the file's ${pageCount} pages`);
  const maxBucket = u32(72);
  // Bucket b's first page is b + spares[ceil(log2(b+1))]: more buckets than pages cannot be real.
  if (maxBucket >= pageCount) throw fail('BDB_BAD_META', `max bucket ${maxBucket} exceeds the ${pageCount} pages`);
  const spares: number[] = [];
  for (let i = 0; i < 32; i++) spares.push(u32(96 + i * 4));

  const visited = new Set<number>();
  const page = (pgno: number, what: string): number => {
    if (!(pgno >= 1 && pgno < pageCount)) throw fail('BDB_BAD_PAGE', `${what} points to page ${pgno}, outside the file's ${pageCount} pages`);
    if (visited.has(pgno)) throw fail('BDB_PAGE_LOOP', `${what}: page ${pgno} reached twice (loop or shared page)`);
    visited.add(pgno);
    return pgno * pageSize;
  };

  const readOverflow = (pgno: number, total: number, what: string): Buffer => {
    if (total > limits.maxValueBytes) throw new LimitError('LIMIT_BDB_VALUE_SIZE', `${what}: value of ${total} bytes exceeds ${limits.maxValueBytes}`, path);
    const out = Buffer.alloc(total);
    let filled = 0;
    let next = pgno;
    while (next !== 0) {
      const base = page(next, what);
      if (buf[base + 25] !== P.OVERFLOW) throw fail('BDB_BAD_PAGE', `${what}: page ${next} has type ${buf[base + 25]}, not overflow`);
      const len = u16(base + 22);
      if (len > pageSize - PAGE_HEADER || filled + len > total)
        throw fail('BDB_BAD_OVERFLOW', `${what}: overflow page ${next} holds ${len} bytes, more than the page or the value`);
      buf.copy(out, filled, base + PAGE_HEADER, base + PAGE_HEADER + len);
      filled += len;
      next = u32(base + 16);
    }
    if (filled !== total) throw fail('BDB_BAD_OVERFLOW', `${what}: overflow chain from page ${pgno} holds ${filled} of ${total} bytes`);
    return out;
  };

  const item = (base: number, pgno: number, idx: number, offsets: number[]): Buffer => {
    const off = offsets[idx]!;
    const end = idx === 0 ? pageSize : offsets[idx - 1]!;
    const what = `page ${pgno} item ${idx}`;
    if (end <= off) throw fail('BDB_BAD_ITEM', `${what}: empty or overlapping item (offset ${off}, end ${end})`);
    const type = buf[base + off];
    if (type === H.KEYDATA) return buf.subarray(base + off + 1, base + end);
    if (type === H.OFFPAGE) {
      if (end - off < 12) throw fail('BDB_BAD_ITEM', `${what}: off-page item of ${end - off} bytes`);
      return readOverflow(u32(base + off + 4), u32(base + off + 8), what);
    }
    if (type === H.DUPLICATE || type === H.OFFDUP) throw fail('BDB_UNSUPPORTED', `${what}: duplicate items are not supported`);
    throw fail('BDB_BAD_ITEM', `${what}: unknown item type ${type}`);
  };

  const pairs: BdbPair[] = [];
  for (let bucket = 0; bucket <= maxBucket; bucket++) {
    let log = 0;
    while (2 ** log < bucket + 1) log++;
    let pgno = bucket + spares[log]!;
    while (pgno !== 0) {
      const what = `bucket ${bucket}`;
      const base = page(pgno, what);
      const type = buf[base + 25];
      // A bucket page that was allocated by a table doubling but never written is all zeros: an empty bucket.
      if (type === 0 && u16(base + 20) === 0 && u32(base + 16) === 0) break;
      if (type !== P.HASH && type !== P.HASH_UNSORTED) throw fail('BDB_BAD_PAGE', `${what}: page ${pgno} has type ${type}, not a hash page`);
      const entries = u16(base + 20);
      const first = PAGE_HEADER + entries * 2;
      if (entries % 2 !== 0 || first > pageSize) throw fail('BDB_BAD_PAGE', `page ${pgno}: invalid item count ${entries}`);
      const offsets: number[] = [];
      for (let i = 0; i < entries; i++) {
        const off = u16(base + PAGE_HEADER + i * 2);
        if (off < first || off >= pageSize) throw fail('BDB_BAD_ITEM', `page ${pgno} item ${i}: offset ${off} outside the page's item area`);
        offsets.push(off);
      }
      for (let i = 0; i < entries; i += 2) {
        if (pairs.length >= limits.maxPairs) throw new LimitError('LIMIT_BDB_PAIRS', `more than ${limits.maxPairs} records`, path);
        pairs.push({ key: item(base, pgno, i, offsets), value: item(base, pgno, i + 1, offsets) });
      }
      pgno = u32(base + 16);
    }
  }
  return { littleEndian: le, pairs };
}
