// IP addresses and CIDR sets: `fd.snet in (rfc_1918_addresses)`, the
// threat-IP list of network/abnormal-outbound. IPv4 ranges are kept as
// merged, sorted uint32 intervals and searched by bisection.

export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (p === '' || p.length > 3 || !/^\d+$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function parseIpv6(s: string): bigint | undefined {
  let str = s;
  const pct = str.indexOf('%');
  if (pct >= 0) str = str.slice(0, pct);
  const tail: number[] = [];
  const lastColon = str.lastIndexOf(':');
  if (lastColon >= 0 && str.indexOf('.', lastColon) > 0) {
    // IPv4-mapped or -embedded tail: ::ffff:1.2.3.4
    const v4 = parseIpv4(str.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    str = str.slice(0, lastColon + 1);
    if (str.endsWith(':') && !str.endsWith('::')) str = str.slice(0, -1);
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const used = head.length + rest.length + tail.length;
  if (halves.length === 1 ? used !== 8 : used > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - used).fill(0), ...rest, ...tail];
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(g);
  return n;
}

export interface CidrSet {
  has(ip: string): boolean;
  readonly size: number;
}

/** Parse `a.b.c.d/n`, `a.b.c.d`, `x::y/n` or `x::y`. Undefined when invalid. */
export function parseCidr(s: string): { v: 4; lo: number; hi: number } | { v: 6; lo: bigint; hi: bigint } | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addr = slash >= 0 ? t.slice(0, slash) : t;
  const bitsText = slash >= 0 ? t.slice(slash + 1) : undefined;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits > 32) return undefined;
    const size = 2 ** (32 - bits);
    const lo = Math.floor(v4 / size) * size;
    return { v: 4, lo, hi: lo + size - 1 };
  }
  const v6 = parseIpv6(addr);
  if (v6 !== undefined) {
    const bits = bitsText === undefined ? 128 : Number(bitsText);
    if (bits > 128) return undefined;
    const size = 1n << BigInt(128 - bits);
    const lo = (v6 / size) * size;
    return { v: 6, lo, hi: lo + size - 1n };
  }
  return undefined;
}

export function isCidrLike(s: string): boolean {
  return parseCidr(s) !== undefined;
}

/** Build a set from CIDR strings; invalid entries are returned in `invalid`. */
export function cidrSet(entries: Iterable<string>): CidrSet & { invalid: string[] } {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  const invalid: string[] = [];
  for (const e of entries) {
    const c = parseCidr(e);
    if (!c) invalid.push(e);
    else if (c.v === 4) v4.push([c.lo, c.hi]);
    else v6.push([c.lo, c.hi]);
  }
  v4.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of v4) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const los = Float64Array.from(merged.map((r) => r[0]));
  const his = Float64Array.from(merged.map((r) => r[1]));
  const size = merged.length + v6.length;
  return {
    invalid,
    size,
    has(ip: string): boolean {
      const n = parseIpv4(ip);
      if (n !== undefined) {
        let lo = 0;
        let hi = los.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (los[mid]! > n) hi = mid - 1;
          else if (his[mid]! < n) lo = mid + 1;
          else return true;
        }
        return false;
      }
      if (v6.length === 0) return false;
      const b = parseIpv6(ip);
      if (b === undefined) return false;
      for (const [l, h] of v6) if (b >= l && b <= h) return true;
      return false;
    },
  };
}

function formatIpv6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // The longest run of two or more zero groups becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical form of an address or CIDR (`10.1.2.3/24` -> `10.1.2.0/24`, `1.2.3.4` -> `1.2.3.4/32`); undefined when invalid. */
export function normalizeCidr(s: string): string | undefined {
  const c = parseCidr(s);
  if (!c) return undefined;
  if (c.v === 4) {
    const bits = 32 - Math.log2(c.hi - c.lo + 1);
    const lo = c.lo;
    return `${Math.floor(lo / 16777216)}.${Math.floor(lo / 65536) % 256}.${Math.floor(lo / 256) % 256}.${lo % 256}/${bits}`;
  }
  let size = c.hi - c.lo + 1n;
  let host = 0;
  while (size > 1n) {
    size >>= 1n;
    host++;
  }
  return `${formatIpv6(c.lo)}/${128 - host}`;
}
