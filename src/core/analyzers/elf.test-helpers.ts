// Test helpers for ELF files (64-bit little-endian): patching a section of a real binary.

/** The ELF with a section's bytes replaced (appended at the end, its header pointed there). */
export function patchSection(bin: Buffer, name: string, data: Buffer): Buffer {
  const shoff = Number(bin.readBigUInt64LE(0x28));
  const shentsize = bin.readUInt16LE(0x3a);
  const shnum = bin.readUInt16LE(0x3c);
  const shstrndx = bin.readUInt16LE(0x3e);
  const strOff = Number(bin.readBigUInt64LE(shoff + shstrndx * shentsize + 24));
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const n = strOff + bin.readUInt32LE(o);
    if (bin.toString('latin1', n, bin.indexOf(0, n)) !== name) continue;
    const out = Buffer.concat([bin, data]);
    out.writeBigUInt64LE(BigInt(bin.length), o + 24);
    out.writeBigUInt64LE(BigInt(data.length), o + 32);
    return out;
  }
  throw new Error(`no section ${name}`);
}
