// The outbound request guard of the server: every connection the server
// opens on its own (registries and their token realms, webhooks, syslog)
// goes to an address this guard checked. Loopback, private, link-local (the
// cloud metadata endpoints), shared, reserved and multicast ranges are
// refused unless the operator allowlisted them (`outboundAllow`). Names are
// resolved once and the connection is made to the checked address (the
// `lookup` given to the socket), so a DNS answer that changes between the
// check and the connect (rebinding) cannot reach a refused address; literal
// IPs in URLs are checked before connecting, because the socket does not
// look them up. Redirects are checked because each hop opens a new socket
// through the same lookup.
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { InputError } from '../../core/errors.js';

/** Why an address is refused, by range (the first that holds it): IPv4, then IPv6. */
const REFUSED: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'private (unique local, incl. fd00:ec2::254 metadata)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

export interface OutboundGuardOptions {
  /** Allowed despite the refused ranges: IP addresses or CIDR ranges (the `outboundAllow` setting). */
  allow?: readonly string[];
  /** DNS resolution (default node:dns lookup with all addresses); tests inject names. */
  resolve?: (host: string) => Promise<LookupAddress[]>;
  /** How the refusal tells the reader to allow an address (default: the server's `outboundAllow` setting). */
  allowHint?: string;
}

/** The outboundAllow setting as a list of addresses / CIDR ranges; a bad entry is an error naming it. */
export function parseAllowList(value: string | readonly string[], where = 'outboundAllow'): string[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  const out: string[] = [];
  for (const raw of items) {
    const e = raw.trim();
    if (!e) continue;
    const [addr, prefix, extra] = e.split('/');
    const kind = isIP(addr ?? '');
    const max = kind === 4 ? 32 : 128;
    if (!kind || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max)))
      throw new InputError('CONFIG', `${where}: not an IP address or CIDR range: ${JSON.stringify(e)}`, where);
    out.push(e);
  }
  if (out.length > 1000) throw new InputError('CONFIG', `${where}: more than 1000 entries`, where);
  return out;
}

function defaultResolve(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (e, a) => (e ? reject(e) : resolve(a))));
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4), if any. */
export function embeddedV4(addr: string): string | undefined {
  const lower = addr.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const words = expandV6(lower);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6]!, words[7]!); // ::ffff:a.b.c.d
  if (zero(0, 6) && (words[6] !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!); // ::a.b.c.d (deprecated)
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6]!, words[7]!); // NAT64
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!); // 6to4
  return undefined;
}

function expandV6(a: string): number[] | undefined {
  if (isIP(a) !== 6) return undefined;
  let s = a;
  const dot = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dot) {
    const p = dot[1]!.split('.').map(Number);
    s = s.slice(0, -dot[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  if (all.length !== 8) return undefined;
  return all.map((x) => parseInt(x, 16));
}

export class OutboundGuard {
  private readonly refused4 = new BlockList();
  private readonly refused6 = new BlockList();
  private readonly reasons: Array<{ list: BlockList; family: 'ipv4' | 'ipv6'; reason: string }> = [];
  private readonly allowed = new BlockList();
  private readonly resolveName: (host: string) => Promise<LookupAddress[]>;
  private readonly allowHint: string;

  constructor(o: OutboundGuardOptions = {}) {
    this.allowHint = o.allowHint ?? 'an administrator can allow it with outboundAllow';
    for (const [net, prefix, reason] of REFUSED) {
      const family = isIP(net) === 4 ? 'ipv4' : 'ipv6';
      const one = new BlockList();
      one.addSubnet(net, prefix, family);
      (family === 'ipv4' ? this.refused4 : this.refused6).addSubnet(net, prefix, family);
      this.reasons.push({ list: one, family, reason });
    }
    for (const e of parseAllowList(o.allow ?? [])) {
      const [addr, prefix] = e.split('/') as [string, string | undefined];
      const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.allowed.addAddress(addr, family);
      else this.allowed.addSubnet(addr, Number(prefix), family);
    }
    this.resolveName = o.resolve ?? defaultResolve;
  }

  /** Why this address is refused, or undefined when the server may connect to it. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (!family) return 'not an IP address';
    const fam = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, fam)) return undefined;
    if (family === 6) {
      const v4 = embeddedV4(address);
      // An IPv6 form of an IPv4 address is judged as that address.
      if (v4 !== undefined) return this.allowed.check(v4, 'ipv4') ? undefined : this.reasonOf(v4, 'ipv4');
    }
    return this.reasonOf(address, fam);
  }

  private reasonOf(address: string, fam: 'ipv4' | 'ipv6'): string | undefined {
    if (!(fam === 'ipv4' ? this.refused4 : this.refused6).check(address, fam)) return undefined;
    return this.reasons.find((r) => r.family === fam && r.list.check(address, fam))?.reason ?? 'reserved';
  }

  /** Throws OUTBOUND_REFUSED unless the address may be reached. `host` names what was asked for (a name or the address). */
  checkAddress(address: string, host: string, where: string): void {
    const why = this.refusal(address);
    if (why) {
      const shown = host === address ? address : `${host} (${address})`;
      throw new InputError('OUTBOUND_REFUSED', `connection to ${shown} refused: ${why} address; ${this.allowHint}`, where);
    }
  }

  /** Resolves a host name (or takes a literal IP) and checks every address; returns them in resolver order. */
  async resolve(host: string, where: string): Promise<LookupAddress[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare)) {
      this.checkAddress(bare, bare, where);
      return [{ address: bare, family: isIP(bare) }];
    }
    let addrs: LookupAddress[];
    try {
      addrs = await this.resolveName(bare);
    } catch (e) {
      throw new InputError('OUTBOUND_UNRESOLVED', `cannot resolve ${bare} (${(e as NodeJS.ErrnoException).code ?? 'lookup failed'})`, where, { cause: e });
    }
    if (!addrs.length) throw new InputError('OUTBOUND_UNRESOLVED', `cannot resolve ${bare} (no addresses)`, where);
    // Every answer must pass: a name with one public and one internal address is refused.
    for (const a of addrs) this.checkAddress(a.address, bare, where);
    return addrs;
  }

  /** Checks a URL before a request: http(s) only, a literal IP host checked now (the socket does not look it up). */
  checkUrl(url: URL, where: string): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('OUTBOUND_REFUSED', `refused: ${url.protocol} is not http(s)`, where);
    const bare = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare)) this.checkAddress(bare, bare, where);
  }

  /**
   * A `lookup` for sockets (http.Agent, net.connect, tls.connect): the name is
   * resolved and checked here and the socket connects to what was checked.
   */
  lookupFor(where: string): LookupFunction {
    return ((hostname: string, options: { all?: boolean; family?: number | string } | number, callback: (...a: unknown[]) => void) => {
      const all = typeof options === 'object' && options !== null && options.all === true;
      const famOpt = typeof options === 'object' && options !== null ? options.family : options;
      const fam = famOpt === 'IPv4' || famOpt === 4 ? 4 : famOpt === 'IPv6' || famOpt === 6 ? 6 : 0;
      this.resolve(hostname, where).then(
        (addrs) => {
          const pick = fam ? addrs.filter((a) => a.family === fam) : addrs;
          if (!pick.length) {
            const e = Object.assign(new Error(`no IPv${fam} address for ${hostname}`), { code: 'ENOTFOUND' });
            return callback(e);
          }
          if (all) callback(null, pick);
          else callback(null, pick[0]!.address, pick[0]!.family);
        },
        (e: unknown) => callback(e),
      );
    }) as LookupFunction;
  }
}
