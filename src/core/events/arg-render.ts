// Renders numeric syscall arguments the way Falco prints them, so rule
// conditions written for Falco (`evt.arg.flags contains O_WRONLY`,
// `evt.arg.request contains PTRACE_ATTACH`, `evt.res = ENOENT`) work on the
// numbers the sensors record. Rendered strings are cached by value: the hot
// path allocates nothing after warm-up.

const OPEN_FLAGS: Array<[number, string]> = [
  [0o100, 'O_CREAT'],
  [0o200, 'O_EXCL'],
  [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o10000, 'O_DSYNC'],
  [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'],
  [0o200000, 'O_DIRECTORY'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o4000000, 'O_SYNC'],
  [0o10000000, 'O_PATH'],
  [0o20000000, 'O_TMPFILE'],
];

const flagCache = new Map<number, string>();

/** Linux open(2) flags as Falco renders them: `O_WRONLY|O_CREAT|O_TRUNC`. */
export function renderOpenFlags(flags: number): string {
  let s = flagCache.get(flags);
  if (s !== undefined) return s;
  const acc = flags & 3;
  const parts = [acc === 0 ? 'O_RDONLY' : acc === 1 ? 'O_WRONLY' : acc === 2 ? 'O_RDWR' : 'O_ACCMODE'];
  for (const [bit, name] of OPEN_FLAGS) if ((flags & bit) === bit) parts.push(name);
  s = parts.join('|');
  if (flagCache.size < 4096) flagCache.set(flags, s);
  return s;
}

const PTRACE: Record<number, string> = {
  0: 'PTRACE_TRACEME',
  1: 'PTRACE_PEEKTEXT',
  2: 'PTRACE_PEEKDATA',
  3: 'PTRACE_PEEKUSR',
  4: 'PTRACE_POKETEXT',
  5: 'PTRACE_POKEDATA',
  6: 'PTRACE_POKEUSR',
  7: 'PTRACE_CONT',
  8: 'PTRACE_KILL',
  9: 'PTRACE_SINGLESTEP',
  12: 'PTRACE_GETREGS',
  13: 'PTRACE_SETREGS',
  14: 'PTRACE_GETFPREGS',
  15: 'PTRACE_SETFPREGS',
  16: 'PTRACE_ATTACH',
  17: 'PTRACE_DETACH',
  24: 'PTRACE_SYSCALL',
  0x4200: 'PTRACE_SETOPTIONS',
  0x4201: 'PTRACE_GETEVENTMSG',
  0x4204: 'PTRACE_GETREGSET',
  0x4205: 'PTRACE_SETREGSET',
  0x4206: 'PTRACE_SEIZE',
  0x4207: 'PTRACE_INTERRUPT',
  0x4208: 'PTRACE_LISTEN',
};

const AF: Record<number, string> = {
  0: 'AF_UNSPEC',
  1: 'AF_UNIX',
  2: 'AF_INET',
  10: 'AF_INET6',
  16: 'AF_NETLINK',
  17: 'AF_PACKET',
  38: 'AF_ALG',
  40: 'AF_VSOCK',
};

const ERRNO: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  8: 'ENOEXEC',
  9: 'EBADF',
  10: 'ECHILD',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  18: 'EXDEV',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  25: 'ENOTTY',
  26: 'ETXTBSY',
  27: 'EFBIG',
  28: 'ENOSPC',
  29: 'ESPIPE',
  30: 'EROFS',
  31: 'EMLINK',
  32: 'EPIPE',
  36: 'ENAMETOOLONG',
  38: 'ENOSYS',
  39: 'ENOTEMPTY',
  40: 'ELOOP',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  103: 'ECONNABORTED',
  104: 'ECONNRESET',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
  114: 'EALREADY',
  115: 'EINPROGRESS',
};

/** `evt.res`: `SUCCESS` for 0, the errno name for a negative result, else the number as text. */
export function renderRes(res: number): string {
  if (res === 0) return 'SUCCESS';
  if (res < 0) return ERRNO[-res] ?? `E${-res}`;
  return String(res);
}

const MODE_BITS: Array<[number, string]> = [
  [0o4000, 'S_ISUID'],
  [0o2000, 'S_ISGID'],
  [0o1000, 'S_ISVTX'],
  [0o400, 'S_IRUSR'],
  [0o200, 'S_IWUSR'],
  [0o100, 'S_IXUSR'],
  [0o40, 'S_IRGRP'],
  [0o20, 'S_IWGRP'],
  [0o10, 'S_IXGRP'],
  [0o4, 'S_IROTH'],
  [0o2, 'S_IWOTH'],
  [0o1, 'S_IXOTH'],
];

/** chmod modes as Falco renders them: `S_ISUID|S_IRUSR|...`. */
export function renderMode(mode: number): string {
  const parts: string[] = [];
  for (const [bit, name] of MODE_BITS) if ((mode & bit) === bit) parts.push(name);
  return parts.join('|') || '0';
}

/** Falco-style rendering of one named argument of one syscall. */
export function renderArg(evtType: string, name: string, v: string | number | undefined): string | number | undefined {
  if (typeof v !== 'number') return v;
  switch (name) {
    case 'flags':
      if (evtType === 'open' || evtType === 'openat' || evtType === 'openat2' || evtType === 'open_by_handle_at') return renderOpenFlags(v);
      return v;
    case 'mode':
      return evtType === 'chmod' || evtType === 'fchmod' || evtType === 'fchmodat' ? renderMode(v) : v;
    case 'request':
      return evtType === 'ptrace' ? (PTRACE[v] ?? v) : v;
    case 'domain':
      return evtType === 'socket' || evtType === 'socketpair' ? (AF[v] ?? v) : v;
    default:
      return v;
  }
}

/** Open flags of an event, numeric or already rendered, as the access mode: 0 read, 1 write, 2 read-write, -1 unknown. */
export function openAccessMode(flags: string | number | undefined): number {
  if (typeof flags === 'number') return flags & 3;
  if (typeof flags !== 'string') return -1;
  if (flags.includes('O_RDWR')) return 2;
  if (flags.includes('O_WRONLY')) return 1;
  if (flags.includes('O_RDONLY') || flags !== '') return 0;
  return -1;
}
