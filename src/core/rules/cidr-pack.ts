// A threat list as packed bytes (the agent link's ThreatList chunks,
// docs/agent.md): each entry is its family byte (4 or 6), its prefix length
// and its network address (4 or 16 bytes), so an IPv4 CIDR takes 6 bytes
// instead of up to 19 characters of JSON. Entries are canonical CIDRs
// (normalizeCidr); unpacking checks every byte and gives the canonical
// strings back. Pure.
import { normalizeCidr, parseCidr } from './cidr.js';

/** Packs canonical CIDRs; an entry that is not a CIDR is left out and counted. */
export function packCidrs(cidrs: readonly string[]): { bytes: Uint8Array; count: number; invalid: number } {
  const out = new Uint8Array(cidrs.length * 18);
  let o = 0;
  let count = 0;
  let invalid = 0;
  for (const s of cidrs) {
    const c = parseCidr(s);
    if (!c) {
      invalid++;
      continue;
    }
    if (c.v === 4) {
      out[o++] = 4;
      out[o++] = 32 - Math.log2(c.hi - c.lo + 1);
      out[o++] = Math.floor(c.lo / 16777216);
      out[o++] = Math.floor(c.lo / 65536) % 256;
      out[o++] = Math.floor(c.lo / 256) % 256;
      out[o++] = c.lo % 256;
    } else {
      let size = c.hi - c.lo + 1n;
      let host = 0;
      while (size > 1n) {
        size >>= 1n;
        host++;
      }
      out[o++] = 6;
      out[o++] = 128 - host;
      for (let i = 15; i >= 0; i--) out[o++] = Number((c.lo >> BigInt(i * 8)) & 0xffn);
    }
    count++;
  }
  return { bytes: out.subarray(0, o), count, invalid };
}

/** The canonical CIDRs of packed bytes; throws an Error naming the offset of the first bad entry. */
export function unpackCidrs(bytes: Uint8Array, max: number): string[] {
  const out: string[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (out.length >= max) throw new Error(`more than ${max} entries`);
    const fam = bytes[o];
    const len = fam === 4 ? 4 : fam === 6 ? 16 : -1;
    if (len < 0) throw new Error(`entry at byte ${o}: family ${fam}, expected 4 or 6`);
    if (o + 2 + len > bytes.length) throw new Error(`entry at byte ${o}: truncated`);
    const prefix = bytes[o + 1]!;
    if (prefix > len * 8) throw new Error(`entry at byte ${o}: prefix /${prefix} longer than the address`);
    const a = bytes.subarray(o + 2, o + 2 + len);
    let text: string;
    if (fam === 4) text = `${a[0]}.${a[1]}.${a[2]}.${a[3]}/${prefix}`;
    else {
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(((a[i]! << 8) | a[i + 1]!).toString(16));
      text = `${groups.join(':')}/${prefix}`;
    }
    // Canonical (host bits cleared, IPv6 compressed); the packer only writes canonical entries.
    out.push(normalizeCidr(text)!);
    o += 2 + len;
  }
  return out;
}
