// Following a kube-apiserver audit log file into the cluster detection
// pipeline: `vigil k8s follow` prints what it raises, the node agent queues
// it for the server. Lines are parsed one by one (a bad line is reported and
// skipped, never fatal); aggregation windows expire by event time. Where a
// node's log is: ./apiserver-audit-log.ts.
import { InputError } from '../../core/errors.js';
import { parseAuditLine } from '../../core/k8s/audit-event.js';
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
  /** Whether events are evaluated now (the agent: cluster protection); off, lines are read past and not evaluated. */
  active?: () => boolean;
}

export async function followAuditLog(o: AuditFollowOptions): Promise<void> {
  let last = 0;
  const follower = new AuditLogFollower({
    path: o.path,
    ...(o.stateFile ? { stateFile: o.stateFile } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    onWarning: (m) => o.warn(m),
    onLines: (lines) => {
      if (o.active && !o.active()) return;
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
