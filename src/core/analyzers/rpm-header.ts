// The rpm header blob as rpm stores it in its package database (SQLite
// `Packages.blob`, Berkeley DB values): big-endian index count `il` and data
// length `dl`, `il` 16-byte index entries (tag, type, offset, count), then
// the `dl`-byte data store. Every entry is checked against the data store
// before its value is read; counts and sizes are bounded like rpm's own
// header checks.
import { InputError, type ErrorCode } from '../errors.js';
import { latin1ToUtf8Lenient, utf8Strict } from './decode.js';

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

const TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 1, 1];

/** rpm's own limits (hdrchkTags / hdrchkData). */
export const MAX_HEADER_TAGS = 0xffff;
export const MAX_HEADER_DATA = 0x0fffffff;

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private readonly entries = new Map<number, IndexEntry>();
  private readonly data: Buffer;

  /** `where` names the blob in errors (database path and package number). */
  constructor(
    blob: Buffer,
    private readonly where: string,
  ) {
    if (blob.length < 8) throw this.error('RPM_HEADER_TRUNCATED', `header of ${blob.length} bytes is shorter than its 8-byte preamble`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_HEADER_TAGS) throw this.error('RPM_HEADER_BAD_COUNT', `absurd index count ${il}`);
    if (dl > MAX_HEADER_DATA) throw this.error('RPM_HEADER_BAD_SIZE', `absurd data length ${dl}`);
    const need = 8 + il * 16 + dl;
    if (blob.length < need) throw this.error('RPM_HEADER_TRUNCATED', `header needs ${need} bytes (${il} tags, ${dl} data bytes) but has ${blob.length}`);
    this.data = blob.subarray(8 + il * 16, need);
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const e: IndexEntry = {
        tag: blob.readUInt32BE(at),
        type: blob.readUInt32BE(at + 4),
        offset: blob.readInt32BE(at + 8),
        count: blob.readUInt32BE(at + 12),
      };
      if (e.type > TYPE.I18NSTRING) throw this.error('RPM_HEADER_BAD_ENTRY', `tag ${e.tag}: unknown type ${e.type}`);
      if (e.offset < 0 || e.offset > dl) throw this.error('RPM_HEADER_BAD_OFFSET', `tag ${e.tag}: offset ${e.offset} outside the ${dl}-byte data store`);
      // Every element takes at least one byte, so a count beyond the data store is a lie.
      if (e.count < 1 || e.count > dl) throw this.error('RPM_HEADER_BAD_ENTRY', `tag ${e.tag}: absurd count ${e.count}`);
      if (e.type !== TYPE.STRING && e.type < TYPE.STRING_ARRAY && e.offset + e.count * TYPE_SIZE[e.type]! > dl) {
        throw this.error('RPM_HEADER_BAD_OFFSET', `tag ${e.tag}: ${e.count} values at offset ${e.offset} run past the ${dl}-byte data store`);
      }
      if (!this.entries.has(e.tag)) this.entries.set(e.tag, e);
    }
  }

  private error(code: ErrorCode, message: string): InputError {
    return new InputError(code, message, this.where);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** NUL-terminated strings starting at the entry's offset. */
  private rawStrings(e: IndexEntry): string[] {
    const out: string[] = [];
    let at = e.offset;
    for (let i = 0; i < e.count; i++) {
      const end = this.data.indexOf(0, at);
      if (end < 0) throw this.error('RPM_HEADER_BAD_STRING', `tag ${e.tag}: string ${i} at offset ${at} is not NUL-terminated inside the data store`);
      out.push(this.data.toString('latin1', at, end));
      at = end + 1;
    }
    return out;
  }

  private stringEntry(tag: number, types: number[]): IndexEntry | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (!types.includes(e.type)) throw this.error('RPM_HEADER_BAD_TYPE', `tag ${tag}: type ${e.type} where a string was expected`);
    return e;
  }

  /** A string tag (STRING, or the first of an I18NSTRING/STRING_ARRAY); strict UTF-8 unless `lenient`. */
  string(tag: number, lenient = false): string | undefined {
    const e = this.stringEntry(tag, [TYPE.STRING, TYPE.I18NSTRING, TYPE.STRING_ARRAY]);
    if (!e) return undefined;
    const s = this.rawStrings({ ...e, count: 1 })[0]!;
    return lenient ? latin1ToUtf8Lenient(s) : utf8Strict(Buffer.from(s, 'latin1'), 'RPM_HEADER_NOT_UTF8', `tag ${tag}`, this.where);
  }

  /** A STRING_ARRAY tag, leniently decoded (file names are bytes). */
  stringArray(tag: number): string[] | undefined {
    const e = this.stringEntry(tag, [TYPE.STRING_ARRAY, TYPE.I18NSTRING]);
    return e ? this.rawStrings(e).map(latin1ToUtf8Lenient) : undefined;
  }

  /** An INT32 (or INT16/INT8) tag's values. */
  ints(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) {
      if (e.type === TYPE.INT32) out.push(this.data.readUInt32BE(e.offset + i * 4));
      else if (e.type === TYPE.INT16) out.push(this.data.readUInt16BE(e.offset + i * 2));
      else if (e.type === TYPE.INT8 || e.type === TYPE.CHAR) out.push(this.data.readUInt8(e.offset + i));
      else throw this.error('RPM_HEADER_BAD_TYPE', `tag ${tag}: type ${e.type} where an integer was expected`);
    }
    return out;
  }
}
