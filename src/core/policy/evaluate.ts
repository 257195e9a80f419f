// Policy evaluation: one normalised syscall event against the runtime
// policies, giving violations (alert type, message, whether to kill). Pure:
// the learn state and the clock are passed in. Owns: selector matching,
// the whitelist with its learn-then-lock window, file protection, and the
// reverse-shell enforcement hook.
import type { ContainerInfo, FdKind, SyscallEvent } from '../rules/event.js';
import type { Severity } from '../alerts/types.js';
import { globMatch } from './glob.js';
import { parseDuration, type PolicyDocument, type RuntimePolicy } from './model.js';

/** Learned executables per policy; persisted by the agent between runs. */
export interface LearnState {
  version: 1;
  policies: Record<string, { startedAt: number; executables: string[] }>;
}

export const MAX_LEARNED = 10_000;

export function emptyLearnState(): LearnState {
  return { version: 1, policies: {} };
}

export type ViolationType = 'container/abnormal-process' | 'container/sensitive-file-access' | 'system/reverse-shell';

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

const WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;
const NET: ReadonlySet<FdKind> = new Set<FdKind>(['socket', 'ipv4', 'ipv6']);

export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir;
  return path === d || path.startsWith(`${d}/`);
}

/** The path an event changes (or reads), and whether it is a change. */
export function fileTouch(e: SyscallEvent): { path: string; change: boolean } | undefined {
  const path = e.fd?.name;
  if (!path || !path.startsWith('/')) return undefined;
  switch (e.type) {
    case 'open':
    case 'openat':
    case 'openat2': {
      if (e.res !== undefined && e.res < 0) return undefined;
      const flags = Number(e.args.flags ?? 0);
      return { path, change: (flags & WRITE_FLAGS) !== 0 };
    }
    case 'rename':
    case 'renameat':
    case 'renameat2':
    case 'unlink':
    case 'unlinkat':
    case 'mkdir':
    case 'mkdirat':
    case 'chmod':
    case 'fchmodat':
      return { path, change: true };
    default:
      return undefined;
  }
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
    if (p.processWhitelist && (e.type === 'execve' || e.type === 'execveat') && (e.res === undefined || e.res >= 0)) {
      const exe = e.proc.exepath ?? e.proc.name;
      const wl = p.processWhitelist;
      if (learning(p, state, now)) {
        const st = (state.policies[p.name] ??= { startedAt: now, executables: [] });
        if (!st.executables.includes(exe) && st.executables.length < MAX_LEARNED) {
          st.executables.push(exe);
          out.learned = true;
        }
      } else {
        const learned = state.policies[p.name]?.executables ?? [];
        const allowed = (wl.executables ?? []).some((g) => globMatch(g, exe)) || learned.includes(exe);
        if (!allowed) {
          out.violations.push({
            policy: p.name, type: 'container/abnormal-process', severity: 'medium', enforce: mode === 'enforce', subject: exe,
            message: `process ${exe} is not in the whitelist of policy ${p.name} (container ${e.container.name ?? e.container.id.slice(0, 12)})`,
          });
        }
      }
    }
    if (p.fileProtection) {
      const t = fileTouch(e);
      if (t && (t.change || p.fileProtection.reads)) {
        const dir = p.fileProtection.paths.find((d) => isUnder(t.path, d));
        if (dir) {
          out.violations.push({
            policy: p.name, type: 'container/sensitive-file-access', severity: 'high', enforce: mode === 'enforce', subject: t.path,
            message: `${t.change ? 'change of' : 'read of'} ${t.path} (protected by policy ${p.name}: ${dir}) by ${e.proc.name}`,
          });
        }
      }
    }
    const rs = p.reverseShell ?? mode;
    if (rs !== 'off' && isReverseShell(e)) {
      out.violations.push({
        policy: p.name, type: 'system/reverse-shell', severity: 'critical', enforce: rs === 'enforce', subject: e.proc.exepath ?? e.proc.name,
        message: `reverse shell: ${e.proc.name} has a network socket on its standard streams (policy ${p.name})`,
      });
    }
  }
  return out;
}
