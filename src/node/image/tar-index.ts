// Index of a tar archive's members (name -> offset and size) built in one pass
// over the headers only: member data is skipped with positional reads, never
// read or extracted. Sources then stream members in place by offset.
import type { FileHandle } from 'node:fs/promises';
import { InputError, LimitError } from '../../core/errors.js';
import type { ReadLimits } from '../../core/image/types.js';

export interface TarMember {
  name: string;
  /** Offset of the member's data in the archive. */
  offset: number;
  size: number;
}

/** Normalise an archive member name: no leading `./` or `/`, no trailing `/`. */
export function memberName(name: string): string {
  let s = name;
  while (s.startsWith('./')) s = s.slice(2);
  while (s.startsWith('/')) s = s.slice(1);
  while (s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

function cstr(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function octal(b: Buffer, start: number, len: number, where: string): number {
  // GNU base-256 for large values: high bit of the first byte set.
  if (b[start]! & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i]!;
    n += (b[start]! & 0x7f) * 256 ** (len - 1);
    if (!Number.isSafeInteger(n)) throw new InputError('TAR_INVALID', 'tar header has an impossible size', where);
    return n;
  }
  const s = cstr(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new InputError('TAR_INVALID', 'not a tar archive (bad number in header)', where);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = cstr(h, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === parseInt(stored, 8);
}

function parsePax(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < b.length) {
    const sp = b.indexOf(0x20, off);
    if (sp === -1) break;
    const len = parseInt(b.toString('utf8', off, sp), 10);
    if (!(len > 0) || off + len > b.length) break;
    const rec = b.toString('utf8', sp + 1, off + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

/**
 * Read the member list of a tar file. Only regular files are indexed. A
 * gzip-compressed archive, a non-tar file and a truncated archive each end
 * in an InputError naming the file.
 */
export async function indexTar(fh: FileHandle, fileSize: number, where: string, limits: ReadLimits): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const h = Buffer.alloc(512);
  let off = 0;
  let count = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  const maxMeta = 1024 * 1024;
  while (true) {
    if (off + 512 > fileSize) {
      if (off === 0)
        throw new InputError(
          'IMAGE_UNKNOWN_FORMAT',
          fileSize === 0 ? 'empty file, not an image archive' : `not an image archive (${fileSize} bytes, too short for a tar)`,
          where,
        );
      throw new InputError('TAR_TRUNCATED', `archive is truncated at byte ${off}`, where);
    }
    const { bytesRead } = await fh.read(h, 0, 512, off);
    if (bytesRead < 512) throw new InputError('TAR_TRUNCATED', `archive is truncated at byte ${off}`, where);
    if (off === 0 && h[0] === 0x1f && h[1] === 0x8b) {
      throw new InputError('ARCHIVE_COMPRESSED', 'archive is gzip-compressed; decompress it first (gunzip), archives are read in place', where);
    }
    if (h.every((x) => x === 0)) break; // end-of-archive marker
    if (!checksumOk(h)) {
      if (off === 0) throw new InputError('IMAGE_UNKNOWN_FORMAT', 'not a tar archive (no valid tar header)', where);
      throw new InputError('TAR_INVALID', `bad tar header checksum at byte ${off}`, where);
    }
    if (++count > limits.maxEntries) throw new LimitError('LIMIT_ENTRIES', `archive has more than ${limits.maxEntries} members`, where);
    const type = String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12, where);
    const dataOff = off + 512;
    const next = (sz: number): number => dataOff + Math.ceil(sz / 512) * 512;
    if (type === 'x' || type === 'L' || type === 'g') {
      if (size > maxMeta) throw new InputError('TAR_INVALID', `oversized tar metadata header at byte ${off}`, where);
      if (dataOff + size > fileSize) throw new InputError('TAR_TRUNCATED', `archive is truncated in the header at byte ${off}`, where);
      const b = Buffer.alloc(size);
      await fh.read(b, 0, size, dataOff);
      if (type === 'L') longName = cstr(b, 0, size);
      else if (type === 'x') {
        const pax = parsePax(b);
        if (pax.path !== undefined) paxPath = pax.path;
        if (pax.size !== undefined && /^\d+$/.test(pax.size)) paxSize = Number(pax.size);
      }
      off = next(size);
      continue;
    }
    let name = cstr(h, 0, 100);
    const magic = h.toString('latin1', 257, 262);
    if (magic === 'ustar') {
      const prefix = cstr(h, 345, 155);
      if (prefix && h[257 + 5] === 0) name = prefix + '/' + name;
    }
    if (longName !== undefined) name = longName;
    if (paxPath !== undefined) name = paxPath;
    if (paxSize !== undefined) size = paxSize;
    longName = paxPath = paxSize = undefined;
    if (name.length > limits.maxPathLength)
      throw new LimitError('LIMIT_PATH_LENGTH', `member name longer than ${limits.maxPathLength} characters at byte ${off}`, where);
    const hasData = type === '0' || type === '\0' || type === '7';
    if (hasData) {
      if (dataOff + size > fileSize)
        throw new InputError('TAR_TRUNCATED', `archive is truncated: member ${memberName(name)} needs ${size} bytes at byte ${dataOff}`, where);
      members.set(memberName(name), { name: memberName(name), offset: dataOff, size });
    }
    off = hasData || (size > 0 && type !== '1' && type !== '2' && type !== '5') ? next(size) : dataOff;
  }
  return members;
}
