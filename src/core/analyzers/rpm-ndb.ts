// A read-only walker of rpm's NDB package database (`Packages.db`, the
// backend SUSE Linux Enterprise 15 and openSUSE use), enough to list each
// package's header blob. The format is rpm's own (lib/backend/ndb/rpmpkg.c),
// all integers little endian:
// - a 32-byte database header: magic "RpmP", format version 0, generation,
//   the number of 4096-byte slot pages, 16 reserved bytes;
// - the slot pages follow from offset 0 (the header takes the first two of
//   the 256 16-byte slots of page 0): each slot is magic "Slot", the package
//   number (0: free slot), the blob's offset and length in 16-byte blocks;
// - a blob starts with a 16-byte header: magic "BlbS", the package number
//   again, a checksum and the header's length in bytes; the rpm header
//   follows.
// Every offset and length is checked against the file and blobs may not
// overlap, so the work is bounded by the file size.
import { InputError, LimitError } from '../errors.js';

const DB_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;
const BLOB_HEADER = 16;

export interface NdbLimits {
  /** Most slot pages (256 packages each); rpm's default databases have a few. */
  maxSlotPages: number;
}

export const DEFAULT_NDB_LIMITS: NdbLimits = { maxSlotPages: 2048 };

export interface NdbBlob {
  /** rpm's package number. */
  id: number;
  blob: Buffer;
}

export function readNdb(buf: Buffer, path: string, limits: NdbLimits = DEFAULT_NDB_LIMITS): NdbBlob[] {
  const fail = (message: string): InputError => new InputError('RPM_NDB_CORRUPT', message, path);
  if (buf.length < 32) throw fail(`${buf.length} bytes is too short for an NDB header`);
  if (buf.readUInt32LE(0) !== DB_MAGIC) throw fail('not an rpm NDB database (bad magic)');
  const version = buf.readUInt32LE(4);
  if (version !== 0) throw fail(`unsupported NDB format version ${version}`);
  const pages = buf.readUInt32LE(12);
  if (pages === 0) throw fail('no slot pages');
  if (pages > limits.maxSlotPages) throw new LimitError('RPM_NDB_TOO_MANY_SLOTS', `${pages} slot pages (more than ${limits.maxSlotPages})`, path);
  if (pages * PAGE > buf.length) throw fail(`${pages} slot pages need ${pages * PAGE} bytes, the file has ${buf.length}`);

  const out: (NdbBlob & { start: number; end: number })[] = [];
  for (let at = 2 * SLOT; at < pages * PAGE; at += SLOT) {
    const slotNo = at / SLOT - 2;
    if (buf.readUInt32LE(at) !== SLOT_MAGIC) throw fail(`slot ${slotNo}: bad magic`);
    const id = buf.readUInt32LE(at + 4);
    if (id === 0) continue; // a free slot
    const blockOffset = buf.readUInt32LE(at + 8);
    const blockCount = buf.readUInt32LE(at + 12);
    const start = blockOffset * BLOCK;
    const end = start + blockCount * BLOCK;
    if (blockOffset * BLOCK < pages * PAGE || blockCount === 0 || end > buf.length)
      throw fail(`package ${id}: blob at block ${blockOffset} (+${blockCount}) lies outside the data area`);
    if (buf.readUInt32LE(start) !== BLOB_MAGIC) throw fail(`package ${id}: bad blob magic at offset ${start}`);
    const blobId = buf.readUInt32LE(start + 4);
    if (blobId !== id) throw fail(`package ${id}: its blob says package ${blobId}`);
    const length = buf.readUInt32LE(start + 12);
    if (start + BLOB_HEADER + length > end) throw fail(`package ${id}: blob of ${length} bytes is longer than its ${blockCount} blocks`);
    out.push({ id, blob: buf.subarray(start + BLOB_HEADER, start + BLOB_HEADER + length), start, end });
  }
  const byOffset = [...out].sort((a, b) => a.start - b.start);
  for (let i = 1; i < byOffset.length; i++) {
    const [a, b] = [byOffset[i - 1]!, byOffset[i]!];
    if (b.start < a.end) throw fail(`package ${b.id}: its blob overlaps the blob of package ${a.id}`);
  }
  return out.map(({ id, blob }) => ({ id, blob }));
}
