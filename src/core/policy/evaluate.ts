// Policy evaluation: one normalised syscall event against the runtime
// policies, giving violations (alert type, message, whether to kill). Pure:
// the learn state and the clock are passed in. Owns: selector matching,
// the whitelist with its learn-then-lock window, file protection, and the
// reverse-shell enforcement hook; and the one decision, shared with the rules
// engine's process-whitelist and file-protection detectors, of whether an
// exec or file event violates a whitelist or protected paths and which alert
// type and severity that gives (processViolation, fileTouch + protectingPath,
// VIOLATION_ALERTS), so runtime watch and the engine never disagree.
import type { ContainerInfo, FdKind, ProcessInfo, SyscallEvent } from '../events/event.js';
import type { Severity } from '../alerts/types.js';
import { openAccessMode } from '../events/arg-render.js';
import { globMatch, globMatcher } from './glob.js';
import { parseDuration, type PolicyDocument, type RuntimePolicy } from './model.js';

/** Where and how often a learned executable was seen (the agent reports it to the server, docs/agent.md). */
export interface LearnedSighting {
  /** The image of the container it was first seen in ("" when unknown). */
  image: string;
  /** First seen (ms since the epoch, the stage's clock). */
  firstSeen: number;
  /** Execs seen while learning. */
  count: number;
}

/** Learned executables per policy; persisted by the agent between runs. */
export interface LearnState {
  version: 1;
  policies: Record<string, { startedAt: number; executables: string[]; seen?: Record<string, LearnedSighting> }>;
}

export const MAX_LEARNED = 10_000;

export function emptyLearnState(): LearnState {
  return { version: 1, policies: {} };
}

export type ViolationType = 'container/abnormal-process' | 'container/sensitive-file-access' | 'system/reverse-shell';

/** The alert each kind of violation gives, whoever finds it (runtime watch or the engine's detectors). */
export const VIOLATION_ALERTS = {
  process: { type: 'container/abnormal-process', severity: 'medium' },
  file: { type: 'container/sensitive-file-access', severity: 'high' },
  reverseShell: { type: 'system/reverse-shell', severity: 'critical' },
} as const satisfies Record<string, { type: ViolationType; severity: Severity }>;

export interface Violation {
  policy: string;
  type: ViolationType;
  severity: Severity;
  message: string;
  /** Kill the process (the policy is in enforce mode for this kind of violation). */
  enforce: boolean;
  /** What the violation is about: an executable or a path. */
  subject: string;
}

export interface Evaluation {
  violations: Violation[];
  /** The learn state changed (a new executable was learned, or a learn window started). */
  learned: boolean;
  /** A learned executable was seen again (its count went up). */
  counted?: boolean;
}

export function selectorMatches(p: RuntimePolicy, c: ContainerInfo | undefined): boolean {
  if (!c || c.id === 'host') return false;
  for (const s of p.selector.containers ?? []) {
    if (s === '*') return true;
    if (/^[0-9a-f]{12,64}$/.test(s) && c.id.startsWith(s)) return true;
    if (c.name && globMatch(s, c.name)) return true;
  }
  if (c.image) {
    for (const s of p.selector.images ?? []) if (globMatch(s, c.image) || (c.imageRepository && globMatch(s, c.imageRepository))) return true;
  }
  return false;
}

// O_WRONLY | O_RDWR | O_CREAT | O_TRUNC: an open with any of them can change the file.
const WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;
// Network sockets only, as the rules' `network_socket_types`. `socket` is a socket the sensor could not
// classify (the process exited before /proc/PID/net was read): a libuv or systemd child's stdio is a unix
// socketpair, and a shell restoring it with dup2 is no reverse shell.
const NET: ReadonlySet<FdKind> = new Set<FdKind>(['ipv4', 'ipv6']);

export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return path === d || path.startsWith(`${d}/`);
}

/** Event types fileTouch understands: the file-protection detector listens to exactly these. */
export const FILE_EVENT_TYPES: readonly string[] = [
  'open',
  'openat',
  'openat2',
  'creat',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'unlink',
  'unlinkat',
  'rmdir',
  'mkdir',
  'mkdirat',
  'chmod',
  'fchmodat',
  'chown',
  'fchownat',
  'filechange',
];

export interface FileTouch {
  path: string;
  /** A rename's old path: moving a protected file away changes it as much as replacing it. */
  from?: string;
  /** The event changes the path (write, create, truncate, rename, unlink, chmod, chown, content change); false for a read-only open. */
  change: boolean;
}

// Sensors fill different places (the bpftrace normaliser fd.name and args.name,
// recorded and hand-written events args.path or args.newpath); empty strings
// are builders' defaults, not paths.
function firstPath(...candidates: unknown[]): string | undefined {
  for (const c of candidates) if (typeof c === 'string' && c !== '') return c;
  return undefined;
}

function openChanges(flags: unknown): boolean {
  if (typeof flags === 'number') return (flags & WRITE_FLAGS) !== 0;
  // Flags already rendered by a sensor or a fixture: `O_WRONLY|O_CREAT|O_TRUNC`.
  if (typeof flags === 'string') return openAccessMode(flags) > 0 || /\bO_(CREAT|TRUNC)\b/.test(flags);
  return false;
}

/** The absolute path an event changes (or reads), and whether it is a change; undefined for a failed call or another event type. */
export function fileTouch(e: SyscallEvent): FileTouch | undefined {
  if (e.res !== undefined && e.res < 0) return undefined;
  let path: string | undefined;
  let from: string | undefined;
  let change = true;
  switch (e.type) {
    case 'open':
    case 'openat':
    case 'openat2':
      path = firstPath(e.fd?.name, e.args.name);
      change = openChanges(e.args.flags);
      break;
    case 'creat':
      path = firstPath(e.fd?.name, e.args.name);
      break;
    case 'rename':
    case 'renameat':
    case 'renameat2':
      path = firstPath(e.args.newpath, e.fd?.name, e.args.oldpath);
      from = firstPath(e.args.oldpath);
      break;
    case 'link':
    case 'linkat':
      // A new name for an existing file: a change of the new path (the old one is not touched).
      path = firstPath(e.args.newpath, e.fd?.name);
      break;
    case 'unlink':
    case 'unlinkat':
    case 'rmdir':
    case 'mkdir':
    case 'mkdirat':
    case 'chmod':
    case 'fchmodat':
    case 'chown':
    case 'fchownat':
      path = firstPath(e.args.path, e.fd?.name, e.args.name);
      break;
    case 'filechange':
      path = firstPath(e.args.path, e.fd?.name);
      break;
    default:
      return undefined;
  }
  if (!path?.startsWith('/')) return undefined;
  return from && from !== path && from.startsWith('/') ? { path, from, change } : { path, change };
}

/**
 * The touched path under protection and the protected entry it is at or
 * below, when the touch violates (a change, or any touch with `reads`). For a
 * rename both the new and the old path count.
 */
export function protectingPath(t: FileTouch, paths: readonly string[], reads = false): { path: string; dir: string } | undefined {
  if (!t.change && !reads) return undefined;
  for (const path of t.from ? [t.path, t.from] : [t.path]) {
    const dir = paths.find((d) => isUnder(path, d));
    if (dir !== undefined) return { path, dir };
  }
  return undefined;
}

/** The executable a successful exec ran (its path, or the process name when the path is unknown); undefined for any other event. */
export function execSubject(e: SyscallEvent): string | undefined {
  if (e.type !== 'execve' && e.type !== 'execveat') return undefined;
  if (e.res !== undefined && e.res < 0) return undefined;
  return e.proc.exepath ?? e.proc.name;
}

const NO_ENTRIES: readonly string[] = [];
const NO_LEARNED: readonly string[] = [];
const compiled = new WeakMap<readonly string[], { any: (s: string) => boolean; bare: (s: string) => boolean }>();

/**
 * Whether whitelist entries allow a process: every entry is matched against
 * the executable (path), entries without a slash (`sh`, `python3.*`) also
 * against the process name. Slash entries never match a name, so a process
 * cannot pass by calling itself `/usr/sbin/nginx`.
 */
export function whitelistAllows(entries: readonly string[], exe: string, proc: Pick<ProcessInfo, 'name'>): boolean {
  let m = compiled.get(entries);
  if (!m) compiled.set(entries, (m = { any: globMatcher(entries), bare: globMatcher(entries.filter((x) => !x.includes('/'))) }));
  return m.any(exe) || m.bare(proc.name);
}

/** The executable of an exec event that neither the whitelist entries nor the learned list allow; undefined when the event is no violation. */
export function processViolation(e: SyscallEvent, entries: readonly string[], learned: readonly string[] = NO_LEARNED): string | undefined {
  const exe = execSubject(e);
  if (exe === undefined || learned.includes(exe) || whitelistAllows(entries, exe, e.proc)) return undefined;
  return exe;
}

/** A shell-like process whose stdin and stdout are network sockets, or a socket dup'ed onto stdin/stdout/stderr. */
export function isReverseShell(e: SyscallEvent): boolean {
  if (e.type === 'execve' || e.type === 'execveat') return !!e.proc.stdin && !!e.proc.stdout && NET.has(e.proc.stdin) && NET.has(e.proc.stdout);
  if (e.type === 'dup2' || e.type === 'dup3' || e.type === 'dup') {
    const nfd = Number(e.args.newfd);
    return nfd >= 0 && nfd <= 2 && !!e.fd && NET.has(e.fd.type);
  }
  return false;
}

/** Whether the policy's learn window is still open at `now` (it starts when first applied). */
export function learning(p: RuntimePolicy, state: LearnState, now: number): boolean {
  const learn = p.processWhitelist?.learn;
  if (learn === undefined) return false;
  const st = state.policies[p.name];
  const started = st?.startedAt ?? now;
  return now - started < parseDuration(learn, `policy ${p.name}: processWhitelist.learn`);
}

/**
 * Forget learned executables of a policy (the server decided them: accepted
 * ones are in the whitelist now, rejected ones must alert again). Returns
 * whether anything was forgotten.
 */
export function forgetLearned(state: LearnState, policy: string, executables: readonly string[]): boolean {
  const st = state.policies[policy];
  if (!st) return false;
  const drop = new Set(executables);
  const before = st.executables.length;
  st.executables = st.executables.filter((x) => !drop.has(x));
  if (st.seen) for (const x of drop) delete st.seen[x];
  return st.executables.length !== before;
}

/** Start the learn windows of policies that have one (call when policies are loaded). */
export function startLearning(doc: PolicyDocument, state: LearnState, now: number): boolean {
  let changed = false;
  for (const p of doc.policies) {
    if (p.processWhitelist?.learn !== undefined && !state.policies[p.name]) {
      state.policies[p.name] = { startedAt: now, executables: [] };
      changed = true;
    }
  }
  return changed;
}

export function evaluate(doc: PolicyDocument, e: SyscallEvent, state: LearnState, now: number): Evaluation {
  const out: Evaluation = { violations: [], learned: false };
  if (!e.container || e.container.id === 'host') return out;
  for (const p of doc.policies) {
    if (!selectorMatches(p, e.container)) continue;
    const mode = p.mode ?? 'alert';
    const wl = p.processWhitelist;
    const exe = wl ? execSubject(e) : undefined;
    if (wl && exe !== undefined) {
      if (learning(p, state, now)) {
        const st = (state.policies[p.name] ??= { startedAt: now, executables: [] });
        const seen = (st.seen ??= {});
        if (!st.executables.includes(exe) && st.executables.length < MAX_LEARNED) {
          st.executables.push(exe);
          seen[exe] = { image: e.container.image ?? '', firstSeen: now, count: 1 };
          out.learned = true;
        } else if (seen[exe]) {
          seen[exe].count++;
          out.counted = true;
        }
      } else {
        const bad = processViolation(e, wl.executables ?? NO_ENTRIES, state.policies[p.name]?.executables);
        if (bad !== undefined) {
          out.violations.push({
            policy: p.name,
            ...VIOLATION_ALERTS.process,
            enforce: mode === 'enforce',
            subject: bad,
            message: `process ${bad} is not in the whitelist of policy ${p.name} (container ${e.container.name ?? e.container.id.slice(0, 12)})`,
          });
        }
      }
    }
    if (p.fileProtection) {
      const t = fileTouch(e);
      const hit = t && protectingPath(t, p.fileProtection.paths, p.fileProtection.reads);
      if (t && hit) {
        out.violations.push({
          policy: p.name,
          ...VIOLATION_ALERTS.file,
          enforce: mode === 'enforce',
          subject: hit.path,
          message: `${t.change ? 'change of' : 'read of'} ${hit.path} (protected by policy ${p.name}: ${hit.dir}) by ${e.proc.name}`,
        });
      }
    }
    const rs = p.reverseShell ?? mode;
    if (rs !== 'off' && isReverseShell(e)) {
      out.violations.push({
        policy: p.name,
        ...VIOLATION_ALERTS.reverseShell,
        enforce: rs === 'enforce',
        subject: e.proc.exepath ?? e.proc.name,
        message: `reverse shell: ${e.proc.name} has a network socket on its standard streams (policy ${p.name})`,
      });
    }
  }
  return out;
}

/** The runtime policies' decision for an event (./stage.ts): when given, the engine's policy detectors word its violations. */
export type PolicyDecision = (e: SyscallEvent) => readonly Violation[];
