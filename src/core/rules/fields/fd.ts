// Field family `fd.*`: the file descriptor the call used: a file path or a
// socket. Socket fields follow Falco's client/server model (see the note in
// event.ts): fd.cip/cport = client, fd.sip/sport = server, fd.lip/rip by
// event type; fd.dip/dport are Vigil's aliases of the server side.
import type { FdInfo, SyscallEvent } from '../../events/event.js';
import { basename, dirname, field, syscallFamily } from './helpers.js';

const TYPECHAR: Record<string, string> = {
  file: 'f',
  directory: 'd',
  ipv4: '4',
  ipv6: '6',
  unix: 'u',
  pipe: 'p',
  event: 'e',
  signalfd: 's',
  inotify: 'i',
  timerfd: 't',
  netlink: 'n',
  memfd: 'f',
  tty: 'f',
  socket: 'o',
  unknown: 'o',
};

/** Event types where the local end of the socket is the server. */
const SERVER_SIDE = new Set(['accept', 'accept4', 'listen', 'bind']);

const isFile = (fd: FdInfo) => fd.type === 'file' || fd.type === 'directory' || fd.type === 'memfd' || fd.type === 'tty';
const isSock = (fd: FdInfo) => fd.type === 'ipv4' || fd.type === 'ipv6' || fd.type === 'socket';

function local(e: SyscallEvent, ip: boolean): string | number | undefined {
  const fd = e.fd;
  if (!fd || !isSock(fd)) return undefined;
  const server = SERVER_SIDE.has(e.type);
  return ip ? (server ? fd.dip : fd.sip) : server ? fd.dport : fd.sport;
}
function remote(e: SyscallEvent, ip: boolean): string | number | undefined {
  const fd = e.fd;
  if (!fd || !isSock(fd)) return undefined;
  const server = SERVER_SIDE.has(e.type);
  return ip ? (server ? fd.sip : fd.dip) : server ? fd.sport : fd.dport;
}
function both<T>(a: T | undefined, b: T | undefined): T[] | undefined {
  if (a === undefined && b === undefined) return undefined;
  const out: T[] = [];
  if (a !== undefined) out.push(a);
  if (b !== undefined) out.push(b);
  return out;
}

export const fdFields = syscallFamily('fd', [
  field(
    'fd.num',
    'number',
    'Descriptor number (-1 when the open failed).',
    (e) => e.fd?.num ?? (e.fd && e.res !== undefined ? (e.res < 0 ? -1 : e.res) : undefined),
  ),
  field('fd.type', 'string', 'file, directory, ipv4, ipv6, unix, pipe, memfd, ...', (e) => e.fd?.type),
  field('fd.typechar', 'string', 'One letter: f file, d directory, 4 ipv4, 6 ipv6, u unix, p pipe, ...', (e) =>
    e.fd ? (TYPECHAR[e.fd.type] ?? 'o') : undefined,
  ),
  field('fd.name', 'string', 'File path, or `cip:cport->sip:sport` for sockets.', (e) => e.fd?.name),
  field(
    'fd.nameraw',
    'string',
    'The path as passed to the call (before normalisation; fd.name when the sensor gives no raw path).',
    (e) => e.fd?.nameRaw ?? e.fd?.name,
  ),
  field('fd.directory', 'string', 'Directory of the file (the path itself for a directory).', (e) =>
    e.fd && isFile(e.fd) ? (e.fd.type === 'directory' ? e.fd.name : dirname(e.fd.name)) : undefined,
  ),
  field('fd.filename', 'string', 'Base name of the file.', (e) => (e.fd && isFile(e.fd) && e.fd.type !== 'directory' ? basename(e.fd.name) : undefined)),
  field('fd.cip', 'ipaddr', 'Client IP.', (e) => (e.fd && isSock(e.fd) ? e.fd.sip : undefined)),
  field('fd.cport', 'port', 'Client port.', (e) => (e.fd && isSock(e.fd) ? e.fd.sport : undefined)),
  field('fd.sip', 'ipaddr', 'Server IP (Falco semantics: the side that accepted).', (e) => (e.fd && isSock(e.fd) ? e.fd.dip : undefined)),
  field('fd.sport', 'port', 'Server port.', (e) => (e.fd && isSock(e.fd) ? e.fd.dport : undefined)),
  field('fd.dip', 'ipaddr', 'Destination (server) IP: alias of fd.sip.', (e) => (e.fd && isSock(e.fd) ? e.fd.dip : undefined)),
  field('fd.dport', 'port', 'Destination (server) port: alias of fd.sport.', (e) => (e.fd && isSock(e.fd) ? e.fd.dport : undefined)),
  field('fd.lip', 'ipaddr', 'Local IP.', (e) => local(e, true)),
  field('fd.lport', 'port', 'Local port.', (e) => local(e, false)),
  field('fd.rip', 'ipaddr', 'Remote IP.', (e) => remote(e, true)),
  field('fd.rport', 'port', 'Remote port.', (e) => remote(e, false)),
  field('fd.ip', 'ipaddr', 'Client or server IP (matches either).', (e) => (e.fd && isSock(e.fd) ? both(e.fd.sip, e.fd.dip) : undefined)),
  field('fd.port', 'port', 'Client or server port (matches either).', (e) => (e.fd && isSock(e.fd) ? both(e.fd.sport, e.fd.dport) : undefined)),
  field('fd.net', 'ipaddr', 'Client or server IP, compared with CIDRs (`fd.net = "10.0.0.0/8"`).', (e) =>
    e.fd && isSock(e.fd) ? both(e.fd.sip, e.fd.dip) : undefined,
  ),
  field('fd.cnet', 'ipaddr', 'Client IP for CIDR comparison.', (e) => (e.fd && isSock(e.fd) ? e.fd.sip : undefined)),
  field('fd.snet', 'ipaddr', 'Server IP for CIDR comparison.', (e) => (e.fd && isSock(e.fd) ? e.fd.dip : undefined)),
  field('fd.lnet', 'ipaddr', 'Local IP for CIDR comparison.', (e) => local(e, true)),
  field('fd.rnet', 'ipaddr', 'Remote IP for CIDR comparison.', (e) => remote(e, true)),
  field('fd.l4proto', 'string', 'tcp, udp, icmp or raw.', (e) => e.fd?.l4proto),
  field('fd.sip.name', 'string', 'DNS name of the server IP, when the sensor resolved it.', (e) => e.fd?.dipName),
  field('fd.connected', 'bool', 'The socket is connected.', (e) => e.fd?.connected ?? (e.fd && isSock(e.fd) ? e.type === 'connect' : undefined)),
  field('fd.created', 'bool', 'The open that returned this fd created the file (a new file: its O_TRUNC truncated nothing).', (e) =>
    e.fd && isFile(e.fd) && e.type.startsWith('open') ? (e.fd.created ?? false) : undefined,
  ),
  field('fd.name_changed', 'bool', 'The fd name changed with this event.', (e) => e.fd?.nameChanged ?? (e.fd ? false : undefined)),
]);
