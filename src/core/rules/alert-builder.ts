// Builds the public Alert (src/core/alerts/types.ts) from an event and what
// matched it: process, container and Kubernetes context come from the event.
import type { Alert, AlertK8s, Severity } from '../alerts/types.js';
import type { EngineEvent, SyscallEvent } from '../events/event.js';
import { procCmdline } from './fields/helpers.js';

export interface AlertParts {
  id: string;
  type: string;
  severity: Severity;
  message: string;
  rule: string;
  host: string;
  remedy?: string;
  tags?: string[];
  fields?: Record<string, unknown>;
  action?: Alert['action'];
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

function auditK8s(a: Record<string, unknown>): AlertK8s {
  const o: AlertK8s = {};
  const user = a.user as Record<string, unknown> | undefined;
  const ref = a.objectRef as Record<string, unknown> | undefined;
  if (typeof a.auditID === 'string') o.auditID = a.auditID;
  if (typeof user?.username === 'string') o.user = user.username;
  if (typeof a.verb === 'string') o.verb = a.verb;
  if (typeof ref?.resource === 'string') o.resource = ref.resource;
  if (typeof ref?.subresource === 'string') o.subresource = ref.subresource;
  if (typeof ref?.namespace === 'string') o.namespace = ref.namespace;
  if (typeof ref?.name === 'string') o.name = ref.name;
  if (Array.isArray(a.sourceIPs)) o.sourceIPs = a.sourceIPs.map(String);
  if (typeof a.userAgent === 'string') o.userAgent = a.userAgent;
  return o;
}

export function buildAlert(e: EngineEvent, p: AlertParts): Alert {
  const alert: Alert = {
    id: p.id,
    type: p.type,
    severity: p.severity,
    time: isoTime(e.time),
    message: p.message,
    rule: p.rule,
    host: e.host ?? p.host,
  };
  if (e.source === 'syscall') {
    const s = e as SyscallEvent;
    const pr = s.proc;
    alert.process = { pid: pr.pid, ppid: pr.ppid, name: pr.name, cmdline: procCmdline(pr), uid: pr.uid };
    if (pr.exepath) alert.process.exepath = pr.exepath;
    if (pr.user) alert.process.user = pr.user;
    if (pr.parents?.length)
      alert.process.parents = pr.parents.map((x) => (x.exepath ? { pid: x.pid, name: x.name, exepath: x.exepath } : { pid: x.pid, name: x.name }));
    const c = s.container;
    if (c && c.id !== 'host') {
      alert.container = { id: c.id };
      if (c.name) alert.container.name = c.name;
      if (c.image) alert.container.image = c.image;
      if (c.podName) alert.container.pod = c.podName;
      if (c.podNamespace) alert.container.namespace = c.podNamespace;
    }
  } else {
    alert.k8s = auditK8s(e.audit);
  }
  if (p.action) alert.action = p.action;
  if (p.remedy) alert.remedy = p.remedy;
  if (p.tags?.length) alert.tags = p.tags;
  if (p.fields && Object.keys(p.fields).length) alert.fields = p.fields;
  return alert;
}
