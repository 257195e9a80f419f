// Following a kube-apiserver audit log file into the cluster detection
// pipeline: `vigil k8s follow` prints what it raises, the node agent queues
// it for the server. Lines are parsed one by one (a bad line is reported and
// skipped, never fatal); aggregation windows expire by event time. Also finds
// the audit log of a kube-apiserver running on this node (its
// --audit-log-path), for the agent.
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { InputError } from '../../core/errors.js';
import { parseAuditLine } from '../../core/k8s/audit-event.js';
import { parseFlags } from '../../core/k8s/apiserver-check.js';
import type { Alert } from '../../core/alerts/types.js';
import type { K8sAuditEvent } from '../../core/events/event.js';
import type { ClusterEngine } from './cluster-engine.js';
import { AuditLogFollower } from './log-follower.js';

export interface AuditFollowOptions {
  path: string;
  /** Where the read position is kept across restarts. */
  stateFile?: string;
  pollMs?: number;
  ce: ClusterEngine;
  emit: (alerts: Alert[]) => void;
  /** One line per problem (bad line, rotation notice). */
  warn: (line: string) => void;
  signal: AbortSignal;
}

export async function followAuditLog(o: AuditFollowOptions): Promise<void> {
  let last = 0;
  const follower = new AuditLogFollower({
    path: o.path,
    ...(o.stateFile ? { stateFile: o.stateFile } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    onWarning: (m) => o.warn(m),
    onLines: (lines) => {
      for (const l of lines) {
        if (l.text === undefined) {
          o.warn(`${l.file}: line ${l.lineNo}: line too long (skipped)`);
          continue;
        }
        if (l.text.trim() === '') continue;
        let events: K8sAuditEvent[];
        try {
          events = parseAuditLine(l.text, l.lineNo);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          o.warn(`${l.file}: ${e.message}`);
          continue;
        }
        for (const ev of events) {
          o.emit(o.ce.pipeline.process(ev));
          last = ev.time;
        }
      }
      // Expired aggregation windows (forbidden bursts) are dropped by event time.
      if (last) o.ce.engine.flush(last);
    },
  });
  await follower.init();
  await follower.run(o.signal);
}

/** The --audit-log-path of a kube-apiserver running on this node (file backend only), if any. */
export function findApiserverAuditLog(proc = '/proc'): string | undefined {
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`${proc}/${pid}/comm`, 'utf8').trim() !== 'kube-apiserver') continue;
      const argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8')
        .slice(0, 256 * 1024)
        .split('\0')
        .filter(Boolean);
      const path = parseFlags(argv).get('--audit-log-path');
      // "-" is the apiserver's stdout; a relative path is relative to its cwd, which we do not follow.
      if (path && path !== '-' && isAbsolute(path)) return path;
    } catch {
      // gone, or not readable
    }
  }
  return undefined;
}
