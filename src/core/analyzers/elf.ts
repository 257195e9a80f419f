// A bounded ELF reader: just enough of the headers to find a section by name
// and to read bytes at a virtual address (through the PT_LOAD segments), for
// the build metadata toolchains embed in executables (Go's `.go.buildinfo`,
// cargo-auditable's `.dep-v0`). It reads through a ByteSource, so a file on
// disk is read in a few small ranges (the first 4 KiB, the section headers,
// their names, then the one section wanted) instead of whole. Every offset
// and count read from the file is checked against the file's size and against
// fixed limits: an executable in an image is untrusted input, and a forged
// header yields "not readable", never an exception or a huge allocation.
import { bufferSource, readRange, type ByteSource } from './byte-source.js';

export interface ElfSection {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ElfFile {
  bits: 32 | 64;
  littleEndian: boolean;
  sections: ElfSection[];
  segments: ElfSegment[];
  src: ByteSource;
}

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;
/** Real executables have a few dozen headers; more is a forged file. */
const MAX_HEADERS = 4096;
const MAX_SECTION_NAME = 256;
/** Section names past this many bytes of `.shstrtab` are not read (real tables are a few hundred bytes). */
const MAX_SHSTRTAB = 64 * 1024;
/** Read at once from the start of the file: the ELF header and, in practice, the program headers. */
const HEAD = 4096;

/** Whether the bytes start like an ELF file (the first 52 bytes or more). */
export function isElf(buf: Buffer): boolean {
  return buf.length >= 52 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** The ELF headers of a file (its bytes, or a source to read ranges from), or an error message when it is not a readable ELF file. */
export function parseElf(input: Buffer | ByteSource): ElfFile | string {
  const src = Buffer.isBuffer(input) ? bufferSource(input) : input;
  const head = readRange(src, 0, HEAD);
  if (!isElf(head)) return 'not an ELF file';
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) return `unknown ELF class ${cls}`;
  if (data !== 1 && data !== 2) return `unknown ELF byte order ${data}`;
  const bits = cls === 2 ? 64 : 32;
  const le = data === 1;
  if (bits === 64 && head.length < 64) return 'truncated ELF header';
  // Header tables are read from the head when they lie in it, else with one read each.
  const table = (off: number, len: number): Buffer | undefined => {
    if (off + len > src.size) return undefined;
    if (off + len <= head.length) return head.subarray(off, off + len);
    const b = readRange(src, off, len);
    return b.length === len ? b : undefined;
  };
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number): number => {
    const v = le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const word = bits === 64 ? u64 : u32;
  const wsz = bits === 64 ? 8 : 4;
  const phoff = bits === 64 ? u64(head, 0x20) : u32(head, 0x1c);
  const shoff = bits === 64 ? u64(head, 0x28) : u32(head, 0x20);
  const [phentsize, phnum, shentsize, shnum, shstrndx] = (bits === 64 ? [0x36, 0x38, 0x3a, 0x3c, 0x3e] : [0x2a, 0x2c, 0x2e, 0x30, 0x32]).map((o) =>
    u16(head, o),
  ) as [number, number, number, number, number];
  const segments: ElfSegment[] = [];
  const minPh = bits === 64 ? 56 : 32;
  if (phnum > 0) {
    const ph = phnum <= MAX_HEADERS && phentsize >= minPh ? table(phoff, phnum * phentsize) : undefined;
    if (!ph) return 'program headers outside the file';
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      if (bits === 64) segments.push({ type: u32(ph, o), flags: u32(ph, o + 4), offset: u64(ph, o + 8), vaddr: u64(ph, o + 16), filesz: u64(ph, o + 32) });
      else segments.push({ type: u32(ph, o), offset: u32(ph, o + 4), vaddr: u32(ph, o + 8), filesz: u32(ph, o + 16), flags: u32(ph, o + 24) });
    }
  }
  const sections: ElfSection[] = [];
  const minSh = bits === 64 ? 64 : 40;
  // Section headers are optional at run time (some strippers remove them): missing or broken ones leave the segments.
  const sh = shnum > 0 && shnum <= MAX_HEADERS && shentsize >= minSh && shoff > 0 ? table(shoff, shnum * shentsize) : undefined;
  if (sh) {
    const raw: Array<ElfSection & { nameOff: number }> = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      raw.push({
        nameOff: u32(sh, o),
        type: u32(sh, o + 4),
        addr: word(sh, o + 8 + wsz),
        offset: word(sh, o + 8 + 2 * wsz),
        size: word(sh, o + 8 + 3 * wsz),
        name: '',
      });
    }
    const strtab = raw[shstrndx];
    const names =
      strtab && strtab.type !== SHT_NOBITS && strtab.offset + strtab.size <= src.size
        ? readRange(src, strtab.offset, Math.min(strtab.size, MAX_SHSTRTAB))
        : undefined;
    for (const s of raw) {
      if (names && s.nameOff < names.length) {
        const end = Math.min(names.length, s.nameOff + MAX_SECTION_NAME);
        const nul = names.indexOf(0, s.nameOff);
        s.name = names.toString('latin1', s.nameOff, nul >= 0 && nul < end ? nul : end);
      }
      sections.push({ name: s.name, type: s.type, addr: s.addr, offset: s.offset, size: s.size });
    }
  }
  if (segments.length === 0 && sections.length === 0) return 'no program or section headers';
  return { bits, littleEndian: le, sections, segments, src };
}

/** The section's header, when it has bytes in the file. */
export function fileSection(elf: ElfFile, name: string): ElfSection | undefined {
  const s = elf.sections.find((x) => x.name === name);
  return s && s.type !== SHT_NOBITS && s.offset + s.size <= elf.src.size ? s : undefined;
}

/** Up to `max` bytes of a section, or undefined when absent, empty in the file, or outside it. */
export function sectionData(elf: ElfFile, name: string, max: number): Buffer | undefined {
  const s = fileSection(elf, name);
  return s ? readRange(elf.src, s.offset, Math.min(s.size, max)) : undefined;
}

/** Up to `size` bytes at virtual address `addr`, from the PT_LOAD segment holding it; undefined when none does. */
export function readAt(elf: ElfFile, addr: number, size: number): Buffer | undefined {
  for (const p of elf.segments) {
    if (p.type !== PT_LOAD || addr < p.vaddr || addr >= p.vaddr + p.filesz) continue;
    const n = Math.min(size, p.vaddr + p.filesz - addr);
    const off = p.offset + (addr - p.vaddr);
    if (off >= elf.src.size) return undefined;
    return readRange(elf.src, off, n);
  }
  return undefined;
}
