// A bounded ELF reader: just enough of the headers to find a section by name
// and to read bytes at a virtual address (through the PT_LOAD segments), for
// the build metadata toolchains embed in executables (Go's `.go.buildinfo`,
// cargo-auditable's `.dep-v0`). Every offset and count read from the file is
// checked against the buffer and against fixed limits: an executable in an
// image is untrusted input, and a forged header yields "not readable", never
// an exception or a huge allocation.

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
  buf: Buffer;
}

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;
/** Real executables have a few dozen headers; more is a forged file. */
const MAX_HEADERS = 4096;
const MAX_SECTION_NAME = 256;

export function isElf(buf: Buffer): boolean {
  return buf.length >= 52 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** The ELF headers of `buf`, or an error message when it is not a readable ELF file. */
export function parseElf(buf: Buffer): ElfFile | string {
  if (!isElf(buf)) return 'not an ELF file';
  const cls = buf[4];
  const data = buf[5];
  if (cls !== 1 && cls !== 2) return `unknown ELF class ${cls}`;
  if (data !== 1 && data !== 2) return `unknown ELF byte order ${data}`;
  const bits = cls === 2 ? 64 : 32;
  const le = data === 1;
  if (bits === 64 && buf.length < 64) return 'truncated ELF header';
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number): number => {
    const v = le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const word = bits === 64 ? u64 : u32;
  const wsz = bits === 64 ? 8 : 4;
  const phoff = bits === 64 ? u64(0x20) : u32(0x1c);
  const shoff = bits === 64 ? u64(0x28) : u32(0x20);
  const [phentsize, phnum, shentsize, shnum, shstrndx] =
    bits === 64 ? [u16(0x36), u16(0x38), u16(0x3a), u16(0x3c), u16(0x3e)] : [u16(0x2a), u16(0x2c), u16(0x2e), u16(0x30), u16(0x32)];
  const segments: ElfSegment[] = [];
  const minPh = bits === 64 ? 56 : 32;
  if (phnum > 0) {
    if (phnum > MAX_HEADERS || phentsize < minPh || phoff + phnum * phentsize > buf.length) return 'program headers outside the file';
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (bits === 64) segments.push({ type: u32(o), flags: u32(o + 4), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) });
      else segments.push({ type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), flags: u32(o + 24) });
    }
  }
  const sections: ElfSection[] = [];
  const minSh = bits === 64 ? 64 : 40;
  // Section headers are optional at run time (some strippers remove them): missing or broken ones leave the segments.
  if (shnum > 0 && shnum <= MAX_HEADERS && shentsize >= minSh && shoff > 0 && shoff + shnum * shentsize <= buf.length) {
    const raw: Array<ElfSection & { nameOff: number }> = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        nameOff: u32(o),
        type: u32(o + 4),
        addr: word(o + 8 + wsz),
        offset: word(o + 8 + 2 * wsz),
        size: word(o + 8 + 3 * wsz),
        name: '',
      });
    }
    const strtab = raw[shstrndx];
    const strOk = strtab && strtab.type !== SHT_NOBITS && strtab.offset + strtab.size <= buf.length;
    for (const s of raw) {
      if (strOk && s.nameOff < strtab.size) {
        const start = strtab.offset + s.nameOff;
        const end = Math.min(strtab.offset + strtab.size, start + MAX_SECTION_NAME);
        const nul = buf.indexOf(0, start);
        s.name = buf.toString('latin1', start, nul >= 0 && nul < end ? nul : end);
      }
      sections.push({ name: s.name, type: s.type, addr: s.addr, offset: s.offset, size: s.size });
    }
  }
  if (segments.length === 0 && sections.length === 0) return 'no program or section headers';
  return { bits, littleEndian: le, sections, segments, buf };
}

/** A section's bytes (a view, not a copy), or undefined when absent, empty in the file, or outside it. */
export function sectionData(elf: ElfFile, name: string): Buffer | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.type === SHT_NOBITS || s.offset + s.size > elf.buf.length) return undefined;
  return elf.buf.subarray(s.offset, s.offset + s.size);
}

/** Up to `size` bytes at virtual address `addr`, from the PT_LOAD segment holding it; undefined when none does. */
export function readAt(elf: ElfFile, addr: number, size: number): Buffer | undefined {
  for (const p of elf.segments) {
    if (p.type !== PT_LOAD || addr < p.vaddr || addr >= p.vaddr + p.filesz) continue;
    const n = Math.min(size, p.vaddr + p.filesz - addr);
    const off = p.offset + (addr - p.vaddr);
    if (off >= elf.buf.length) return undefined;
    return elf.buf.subarray(off, Math.min(off + n, elf.buf.length));
  }
  return undefined;
}
