// The socket tables of procfs (/proc/PID/net/tcp, tcp6, udp, udp6): rows with
// addresses, ports, state and inode, and the outbound connections of one
// process among them. Pure parsing with a row limit; malformed rows are
// counted, not guessed at.

export interface SocketRow {
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** Kernel TCP state number (1 ESTABLISHED, 2 SYN_SENT, 10 LISTEN; UDP: 1 connected, 7 unconnected). */
  state: number;
  inode: number;
}

export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_LISTEN = 10;
export const MAX_SOCKET_ROWS = 65_536;

/** An address of the tables: 8 hex digits (IPv4, host byte order, little-endian) or 32 (IPv6, four little-endian words). */
export function decodeProcAddr(hex: string): string | undefined {
  if (/^[0-9A-Fa-f]{8}$/.test(hex)) {
    const n = Number.parseInt(hex, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  if (/^[0-9A-Fa-f]{32}$/.test(hex)) {
    const bytes: number[] = [];
    for (let w = 0; w < 4; w++) {
      const n = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16);
      bytes.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);
    }
    // An IPv4-mapped address reads as IPv4.
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return bytes.slice(12).join('.');
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  return undefined;
}

function endpoint(s: string | undefined): { addr: string; port: number } | undefined {
  if (!s) return undefined;
  const i = s.indexOf(':');
  if (i < 0) return undefined;
  const addr = decodeProcAddr(s.slice(0, i));
  const portHex = s.slice(i + 1);
  if (addr === undefined || !/^[0-9A-Fa-f]{1,4}$/.test(portHex)) return undefined;
  return { addr, port: Number.parseInt(portHex, 16) };
}

/** Rows of one table (the header line skipped); `bad` counts rows that are not of the format. */
export function parseSocketTable(text: string, maxRows = MAX_SOCKET_ROWS): { rows: SocketRow[]; bad: number } {
  const rows: SocketRow[] = [];
  let bad = 0;
  const lines = text.split('\n', maxRows + 1);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const c = line.split(/\s+/);
    const l = endpoint(c[1]);
    const r = endpoint(c[2]);
    const state = c[3] && /^[0-9A-Fa-f]{2}$/.test(c[3]) ? Number.parseInt(c[3], 16) : NaN;
    const inode = Number(c[9]);
    if (!l || !r || Number.isNaN(state) || !Number.isInteger(inode) || inode < 0) {
      bad++;
      continue;
    }
    rows.push({ localAddr: l.addr, localPort: l.port, remoteAddr: r.addr, remotePort: r.port, state, inode });
  }
  return { rows, bad };
}

export interface OutboundConnection {
  proto: 'tcp' | 'udp';
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
}

/**
 * The connections a process opened: rows of its socket inodes that are
 * connected (TCP established or connecting, UDP connected) and whose local
 * port is not a listening port of the table (that would be an accepted,
 * inbound connection).
 */
export function outboundConnections(tables: Array<{ proto: 'tcp' | 'udp'; rows: readonly SocketRow[] }>, inodes: ReadonlySet<number>): OutboundConnection[] {
  const listening = new Set<number>();
  for (const t of tables) if (t.proto === 'tcp') for (const r of t.rows) if (r.state === TCP_LISTEN) listening.add(r.localPort);
  const out: OutboundConnection[] = [];
  for (const t of tables)
    for (const r of t.rows) {
      if (!inodes.has(r.inode) || r.remotePort === 0) continue;
      if (t.proto === 'tcp' && r.state !== TCP_ESTABLISHED && r.state !== TCP_SYN_SENT) continue;
      if (t.proto === 'tcp' && listening.has(r.localPort)) continue;
      out.push({ proto: t.proto, localAddr: r.localAddr, localPort: r.localPort, remoteAddr: r.remoteAddr, remotePort: r.remotePort });
    }
  return out;
}
