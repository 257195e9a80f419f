// Authentication logs: follows syslog auth files (/var/log/auth.log,
// /var/log/secure) and Docker json-file container logs, and turns login
// attempts into `auth` events (docs/rules.md: args {service, result, user,
// sip}) that the engine aggregates into user/brute-force. Owns the line
// parser (sshd, PAM, su, sudo) and a polling tail that survives rotation
// (inode change or truncation) and reads a bounded amount per poll. A
// `Sensor` (./sensor.ts): lines longer than the limit and broken Docker log
// lines count as bad input.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { PollingSensor, type SensorSink } from './sensor.js';

export const DEFAULT_AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];

export interface AuthRecord {
  service: string;
  result: 'failure' | 'success';
  user: string;
  sip?: string;
  pid?: number;
}

const SYSLOG_PREFIX = /^(?:\S+\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-][\d:]+))\s+\S+\s+([\w.\-/]+)(?:\[(\d+)\])?:\s+(.*)$/;

/** Longest auth log line read (longer ones are bad input). */
export const MAX_AUTH_LINE = 8192;

/** One auth log line (syslog, classic or RFC 3339 timestamps), or undefined when it is no login attempt. */
export function parseAuthLine(line: string): AuthRecord | undefined {
  if (line.length > MAX_AUTH_LINE) return undefined;
  const m = SYSLOG_PREFIX.exec(line);
  const prog = m ? m[1]! : '';
  const pid = m?.[2] ? Number(m[2]) : undefined;
  const msg = m ? m[3]! : line;
  const base = (r: AuthRecord): AuthRecord => (pid !== undefined ? { ...r, pid } : r);
  let x: RegExpExecArray | null;
  if ((x = /^Failed (?:password|publickey|keyboard-interactive\/pam|none) for (?:invalid user )?(\S*) from (\S+) port \d+/.exec(msg))) {
    return base({ service: 'ssh', result: 'failure', user: x[1]!, sip: x[2]! });
  }
  if ((x = /^Invalid user (\S*) from (\S+)(?: port \d+)?/.exec(msg))) return base({ service: 'ssh', result: 'failure', user: x[1]!, sip: x[2]! });
  if ((x = /^Accepted (?:password|publickey|keyboard-interactive\/pam|gssapi-with-mic) for (\S+) from (\S+) port \d+/.exec(msg))) {
    return base({ service: 'ssh', result: 'success', user: x[1]!, sip: x[2]! });
  }
  if ((x = /pam_unix\(([\w-]+):auth\): authentication failure;.*?(?:rhost=(\S*))?\s*(?:user=(\S+))?\s*$/.exec(msg))) {
    const svc = x[1] === 'sshd' ? 'ssh' : x[1]!;
    // sshd's PAM failures are followed by its own "Failed password" line: count those once.
    if (svc === 'ssh') return undefined;
    return base({ service: svc, result: 'failure', user: x[3] ?? '', ...(x[2] ? { sip: x[2] } : {}) });
  }
  if ((x = /^FAILED SU \(to (\S+)\) (\S+)/.exec(msg)) || (prog === 'su' && (x = /^FAILED su for (\S+) by (\S+)/.exec(msg)))) {
    return base({ service: 'su', result: 'failure', user: x[1]! });
  }
  if (prog === 'sudo' && (x = /^\s*(\S+) : (?:\d+ incorrect password attempts?|user NOT in sudoers)/.exec(msg))) {
    return base({ service: 'sudo', result: 'failure', user: x[1]! });
  }
  return undefined;
}

/** Docker's json-file log line: `{"log":"...\n","stream":"stderr","time":"..."}`. */
export function dockerLogLine(line: string): string | undefined {
  try {
    const o = JSON.parse(line) as { log?: unknown };
    return typeof o.log === 'string' ? o.log.replace(/\n$/, '') : undefined;
  } catch {
    return undefined;
  }
}

const DOCKER_LOG = /\/containers\/([0-9a-f]{64})\/\1-json\.log$/;

export interface AuthLogOptions {
  files: readonly string[];
  host: string;
  intervalMs?: number;
  /** Bytes read per file per poll (the rest waits for the next poll). */
  maxReadBytes?: number;
  now?: () => number;
  /** Start at the end of existing files (default) or at their beginning. */
  fromStart?: boolean;
}

interface TailState {
  ino: number;
  pos: number;
  partial: string;
  /** The start of an over-long line was dropped: drop the rest of it too. */
  skip?: boolean;
}

export class AuthLogTail extends PollingSensor {
  readonly name = 'auth-log';
  private readonly st = new Map<string, TailState>();
  records = 0;

  constructor(private readonly o: AuthLogOptions) {
    super(`auth logs ${o.files.join(', ')}`, o.intervalMs ?? 500);
    for (const f of o.files) {
      try {
        const s = statSync(f);
        this.st.set(f, { ino: s.ino, pos: o.fromStart ? 0 : s.size, partial: '' });
      } catch {
        // appears later: read from its beginning then
      }
    }
  }

  poll(): void {
    if (!this.sink) return;
    for (const f of this.o.files) this.pollFile(f, this.sink);
  }

  private pollFile(f: string, sink: SensorSink): void {
    let s;
    try {
      s = statSync(f);
    } catch {
      return;
    }
    let t = this.st.get(f);
    // Rotated (new inode) or truncated: start over at the beginning of the new file.
    if (!t || t.ino !== s.ino || s.size < t.pos) {
      t = { ino: s.ino, pos: 0, partial: '' };
      this.st.set(f, t);
    }
    if (s.size === t.pos) return;
    const max = this.o.maxReadBytes ?? 1024 * 1024;
    const n = Math.min(max, s.size - t.pos);
    const buf = Buffer.allocUnsafe(n);
    let fd: number;
    try {
      fd = openSync(f, 'r');
    } catch {
      return;
    }
    let got = 0;
    try {
      got = readSync(fd, buf, 0, n, t.pos);
    } finally {
      closeSync(fd);
    }
    t.pos += got;
    const text = t.partial + buf.subarray(0, got).toString('utf8');
    const lines = text.split('\n');
    t.partial = lines.pop() ?? '';
    // The end of a runaway line whose start was dropped is no line of its own.
    const from = t.skip && lines.length > 0 ? 1 : 0;
    if (from) t.skip = false;
    if (t.partial.length > MAX_AUTH_LINE) {
      this.status.bad++;
      t.partial = '';
      t.skip = true;
    }
    const cid = DOCKER_LOG.exec(f)?.[1];
    for (const raw of lines.slice(from)) {
      if (raw.length > MAX_AUTH_LINE * 4) {
        this.status.bad++;
        continue;
      }
      const line = cid ? dockerLogLine(raw) : raw;
      if (line === undefined) {
        if (raw.trim()) this.status.bad++;
        continue;
      }
      if (line.length > MAX_AUTH_LINE) {
        this.status.bad++;
        continue;
      }
      const r = parseAuthLine(line);
      if (!r) continue;
      this.records++;
      this.status.events++;
      sink.event({
        source: 'syscall',
        type: 'auth',
        time: (this.o.now ?? Date.now)(),
        args: { service: r.service, result: r.result, user: r.user, ...(r.sip ? { sip: r.sip } : {}), file: f },
        proc: { pid: r.pid ?? 0, ppid: 0, name: r.service === 'ssh' ? 'sshd' : r.service, uid: -1 },
        ...(r.sip ? { fd: { type: r.sip.includes(':') ? ('ipv6' as const) : ('ipv4' as const), name: `${r.sip}:0->`, sip: r.sip } } : {}),
        container: { id: cid ?? 'host' },
        host: this.o.host,
      });
    }
  }
}
