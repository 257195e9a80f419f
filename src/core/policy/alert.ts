// Alerts raised by runtime policies (and by the sensor itself), in the one
// Alert shape of src/core/alerts/types.ts. Pure: id and time come in.
import type { Alert, AlertContainer, AlertProcess, Severity } from '../alerts/types.js';
import type { SyscallEvent } from '../events/event.js';
import type { Violation } from './evaluate.js';

export const REMEDIES: Record<string, string> = {
  'container/abnormal-process':
    'Check why the container ran this program; add it to the policy whitelist if it is legitimate, otherwise rebuild the container from a clean image.',
  'container/sensitive-file-access':
    'Find out which process changed the protected path and why; restore the file from the image and rotate any credentials it holds.',
  'system/reverse-shell': 'Isolate the container, find how the shell was started (web exploit, stolen credentials) and rebuild from a clean image.',
  'sensor/lost-events': 'The sensor could not keep up: events were dropped by the kernel buffers. Raise BPFTRACE_PERF_RB_PAGES or reduce the event volume.',
};

export function alertProcess(e: SyscallEvent): AlertProcess {
  const p = e.proc;
  const out: AlertProcess = { pid: p.pid, ppid: p.ppid, name: p.name, uid: p.uid };
  if (p.exepath) out.exepath = p.exepath;
  if (p.args?.length) out.cmdline = [p.name, ...p.args.slice(1)].join(' ');
  if (p.user) out.user = p.user;
  if (p.parents?.length) out.parents = p.parents.map((a) => ({ pid: a.pid, name: a.name, ...(a.exepath ? { exepath: a.exepath } : {}) }));
  return out;
}

export function alertContainer(e: SyscallEvent): AlertContainer | undefined {
  const c = e.container;
  if (!c || c.id === 'host') return undefined;
  const out: AlertContainer = { id: c.id };
  if (c.name) out.name = c.name;
  if (c.image) out.image = c.image;
  if (c.podName) out.pod = c.podName;
  if (c.podNamespace) out.namespace = c.podNamespace;
  return out;
}

export function violationAlert(v: Violation, e: SyscallEvent, id: string, host: string): Alert {
  const a: Alert = {
    id,
    type: v.type,
    severity: v.severity,
    time: new Date(e.time).toISOString(),
    message: v.message,
    rule: `policy:${v.policy}`,
    host,
    process: alertProcess(e),
    action: { kind: 'alert' },
    remedy: REMEDIES[v.type],
    fields: { 'evt.type': e.type, subject: v.subject, policy: v.policy },
  };
  const c = alertContainer(e);
  if (c) a.container = c;
  return a;
}

/** The sensor lost kernel events: never silent (docs/runtime.md, type `sensor/lost-events`). */
export function lostEventsAlert(lost: number, total: number, id: string, host: string, timeMs: number, severity: Severity = 'high'): Alert {
  return {
    id,
    type: 'sensor/lost-events',
    severity,
    time: new Date(timeMs).toISOString(),
    message: `the eBPF sensor lost ${lost} kernel events (${total} since start): detections may be missing`,
    rule: 'sensor',
    host,
    remedy: REMEDIES['sensor/lost-events'],
    fields: { lost, totalLost: total },
  };
}
