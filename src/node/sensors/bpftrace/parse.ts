// Reads bpftrace's JSON output (`bpftrace -f json`, one object per line) back
// into raw sensor records. Owns: the JSON envelope ({"type": "printf" |
// "lost_events" | "attached_probes" | ...}) and the tab-separated
// line format ./program.ts prints. A malformed line is reported as `bad`
// (counted by the caller), never thrown: one odd record must not stop the sensor.

import { DIR_NAME_MAX } from './program.js';

/** Fields every probe prints first. */
export interface RawHeader {
  /** Event code from program.ts: E exec, Ea its argv, O open, C connect, ... */
  code: string;
  /** Kernel monotonic time (bpftrace `nsecs`, CLOCK_MONOTONIC) in ns. */
  ktimeNs: number;
  pid: number;
  tid: number;
  ppid: number;
  uid: number;
  pidnsInode: number;
  /** cgroup v2 id of the task (bpftrace `cgroup`). */
  cgroupId: number;
  comm: string;
  /** Code-specific fields, after the header; the last one keeps any embedded tabs. */
  rest: string[];
}

export type BpftraceRecord =
  | { kind: 'event'; ev: RawHeader }
  | { kind: 'ready' }
  | { kind: 'attached'; probes: number }
  | { kind: 'lost'; count: number }
  /** Processes that exited (pid, kernel time in ns), from the program's batched exit map. */
  | { kind: 'exits'; exits: Array<[number, number]> }
  /** Execs the program counted instead of printing them (burst aggregation): each key hash (as the `E` line prints it) with its count. */
  | { kind: 'repeats'; counts: Array<[string, number]> }
  | { kind: 'other'; type: string }
  | { kind: 'bad'; reason: string };

/** Fields of a directory chain (program.ts dirChain()): the depth, then the words of two names. */
const DIR_FIELDS = 1 + (2 * DIR_NAME_MAX) / 8;

/** Number of code-specific fields per code (the last one may contain tabs). */
const FIELD_COUNT: Record<string, number> = {
  E: 12,
  Cg: 3,
  Dx: 1,
  Dm: 0,
  Q: 0,
  O: 7 + DIR_FIELDS,
  C: 4,
  Cu: 2,
  K: 4,
  D: 3,
  P: 2,
  S: 2,
  So: 2,
  U: 1,
  M: 3,
  H: 2,
  B: 1,
  Y: 1,
  I: 3,
  W: 4,
  V: 4,
  G: 1,
  J: 0,
  Z: 2,
  N: 1,
  L: 3 + DIR_FIELDS,
  T: 3,
  Sy: 2,
  Lo: 2,
  Lk: 2,
  Cx: 5 + DIR_FIELDS,
  X: 1,
};

/** Longest line read: the batched exit map (program.ts EXIT_BATCH_MS) holds at most BPFTRACE_MAP_KEYS_MAX exits of ~25 bytes. */
export const MAX_LINE_BYTES = 1024 * 1024;

export function parseBpftraceLine(line: string): BpftraceRecord {
  if (line.length > MAX_LINE_BYTES) return { kind: 'bad', reason: `line longer than ${MAX_LINE_BYTES} bytes` };
  const trimmed = line.trim();
  if (!trimmed) return { kind: 'other', type: 'empty' };
  // Non-JSON text: bpftrace prints some notices (e.g. "Lost 12 events") as plain text.
  if (trimmed[0] !== '{') {
    const m = /^Lost (\d+) events/i.exec(trimmed);
    if (m) return { kind: 'lost', count: Number(m[1]) };
    return { kind: 'bad', reason: 'not a JSON object' };
  }
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch {
    return { kind: 'bad', reason: 'invalid JSON' };
  }
  if (!obj || typeof obj !== 'object') return { kind: 'bad', reason: 'not a JSON object' };
  const { type, data } = obj as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') return { kind: 'bad', reason: 'no "type"' };
  switch (type) {
    case 'printf':
      if (typeof data !== 'string') return { kind: 'bad', reason: 'printf without string data' };
      return parsePrintf(data);
    case 'lost_events': {
      const n = lostCount(data);
      return n === undefined ? { kind: 'bad', reason: 'lost_events without a count' } : { kind: 'lost', count: n };
    }
    case 'map': {
      const d = data as { '@xn0'?: unknown; '@xn1'?: unknown } | undefined;
      const xn = d?.['@xn0'] ?? d?.['@xn1'];
      if (xn !== undefined) return repeats(xn);
      const q = (data as { '@q'?: unknown } | undefined)?.['@q'];
      if (q === undefined) return { kind: 'other', type };
      if (!q || typeof q !== 'object') return { kind: 'bad', reason: 'exit map is not an object' };
      const exits: Array<[number, number]> = [];
      for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
        const pid = Number(k);
        if (Number.isInteger(pid) && pid > 0 && typeof v === 'number') exits.push([pid, v]);
      }
      return { kind: 'exits', exits };
    }
    case 'attached_probes': {
      const p = (data as { probes?: unknown } | undefined)?.probes;
      return { kind: 'attached', probes: typeof p === 'number' ? p : 0 };
    }
    default:
      return { kind: 'other', type };
  }
}

function repeats(xn: unknown): BpftraceRecord {
  if (!xn || typeof xn !== 'object') return { kind: 'bad', reason: 'exec count map is not an object' };
  const counts: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(xn as Record<string, unknown>))
    if (/^-?\d{1,20}$/.test(k) && typeof v === 'number' && Number.isInteger(v) && v > 0) counts.push([k, v]);
  return { kind: 'repeats', counts };
}

function lostCount(data: unknown): number | undefined {
  if (typeof data === 'number') return data;
  if (data && typeof data === 'object') {
    const v = (data as { events?: unknown }).events;
    if (typeof v === 'number') return v;
  }
  return undefined;
}

const HEADER_FIELDS = 9;

function parsePrintf(data: string): BpftraceRecord {
  const text = data.endsWith('\n') ? data.slice(0, -1) : data;
  if (text === 'R\tready') return { kind: 'ready' };
  const code = text.slice(0, text.indexOf('\t'));
  if (code === 'Ea') return argvRecord(text);
  if (code === 'Pn' || code === 'Pe') return chainRecord(code, text);
  const extra = FIELD_COUNT[code];
  if (extra === undefined) return { kind: 'bad', reason: `unknown event code ${JSON.stringify(code.slice(0, 8))}` };
  // Split into exactly header + extra fields; the last field keeps whatever tabs it had.
  const want = HEADER_FIELDS + extra;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < want - 1; i++) {
    const t = text.indexOf('\t', start);
    if (t < 0) return { kind: 'bad', reason: `event ${code}: ${i + 1} fields, expected ${want}` };
    parts.push(text.slice(start, t));
    start = t + 1;
  }
  parts.push(text.slice(start));
  const nums = parts.slice(1, 8).map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return { kind: 'bad', reason: `event ${code}: non-numeric header field` };
  // comm is at most 15 bytes in the kernel; with extra = 0 it is the last field and may not contain a tab.
  return {
    kind: 'event',
    ev: {
      code,
      ktimeNs: nums[0]!,
      pid: nums[1]!,
      tid: nums[2]!,
      ppid: nums[3]!,
      uid: nums[4]!,
      pidnsInode: nums[5]!,
      cgroupId: nums[6]!,
      comm: parts[8]!,
      rest: parts.slice(HEADER_FIELDS),
    },
  };
}

/** `Ea\tPID\tARGV`: an exec's argv, printed with the pid only (the `E` line after it carries the rest). */
function argvRecord(text: string): BpftraceRecord {
  const t = text.indexOf('\t', 3);
  const pid = Number(text.slice(3, t));
  if (t < 0 || !Number.isInteger(pid) || pid <= 0) return { kind: 'bad', reason: 'event Ea: no pid' };
  return { kind: 'event', ev: { code: 'Ea', ktimeNs: 0, pid, tid: pid, ppid: 0, uid: 0, pidnsInode: 0, cgroupId: 0, comm: '', rest: [text.slice(t + 1)] } };
}

/**
 * A level of a directory's full chain (program.ts fullChain()): `Pn\tTID\tLEN\tNAME` (the name's length
 * in the kernel, the name as read, cut at CHAIN_NAME_MAX bytes), or its end, `Pe\tTID\tLEVELS`
 * (-1: not placed). Printed with the tid only: the record that uses the chain carries the rest.
 */
function chainRecord(code: 'Pn' | 'Pe', text: string): BpftraceRecord {
  const parts = code === 'Pn' ? splitFields(text, 4) : text.split('\t');
  const tid = Number(parts[1]);
  const n = Number(parts[2]);
  if (parts.length !== (code === 'Pn' ? 4 : 3) || !Number.isInteger(tid) || tid <= 0 || !Number.isInteger(n))
    return { kind: 'bad', reason: `event ${code}: expected a tid and a number` };
  return { kind: 'event', ev: { code, ktimeNs: 0, pid: tid, tid, ppid: 0, uid: 0, pidnsInode: 0, cgroupId: 0, comm: '', rest: parts.slice(2) } };
}

/** `text` split at its first `count - 1` tabs (the last field keeps any tabs). */
function splitFields(text: string, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < count - 1; i++) {
    const t = text.indexOf('\t', start);
    if (t < 0) break;
    out.push(text.slice(start, t));
    start = t + 1;
  }
  out.push(text.slice(start));
  return out;
}

/**
 * The argv of an `Ea` line: the new program's argument area as bpftrace's `%r` prints it (bytes
 * outside printable ASCII as `\xNN`), NUL-separated. A last argument cut at the probe's limit is kept as read.
 */
export function decodeArgv(text: string): string[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const m = text.charCodeAt(i) === 0x5c && text[i + 1] === 'x' ? /^[0-9a-fA-F]{2}$/.exec(text.slice(i + 2, i + 4)) : null;
    if (m) {
      bytes.push(parseInt(m[0], 16));
      i += 3;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  const args = Buffer.from(bytes).toString('utf8').split('\0');
  if (args.length > 1 && args[args.length - 1] === '') args.pop();
  return args;
}

/**
 * The directory a probe placed with its chain (program.ts dirChain(): depth, then the directory's own
 * name and its parent's as hex little-endian words up to a NUL), as an absolute path of the process's
 * root; undefined when the probe could not place it (deeper, another mount, a long name). With
 * `fsRoot`: the directory's place on its own filesystem when it is on another mount (depths 10-12).
 */
export function dirChainPath(fields: readonly string[], fsRoot = false): string | undefined {
  const per = DIR_NAME_MAX / 8;
  const name = (from: number): string | undefined => {
    const b = Buffer.alloc(DIR_NAME_MAX);
    for (let k = 0; k < per; k++) {
      const w = fields[from + k] ?? '';
      if (!/^[0-9a-f]{1,16}$/i.test(w)) return undefined;
      b.writeBigUInt64LE(BigInt(`0x${w}`), 8 * k);
    }
    const end = b.indexOf(0);
    const n = b.subarray(0, end < 0 ? DIR_NAME_MAX : end).toString('utf8');
    return n && !n.includes('/') && n !== '.' && n !== '..' ? n : undefined;
  };
  const dep = fields[0];
  if (fsRoot) return dep === '10' || dep === '11' || dep === '12' ? dirChainPath([String(Number(dep) - 10), ...fields.slice(1)]) : undefined;
  if (dep === '0') return '/';
  const own = name(1);
  if (dep === '1') return own === undefined ? undefined : `/${own}`;
  const parent = name(1 + per);
  if (dep === '2') return own === undefined || parent === undefined ? undefined : `/${parent}/${own}`;
  return undefined;
}
