// The alert: the one shape every detector (runtime rules, cluster audit
// rules, admission, image scans) emits, and the server stores. JSON lines in
// this shape are a public contract (docs/architecture.md): add fields, never rename.

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface AlertProcess {
  pid: number;
  ppid?: number;
  name: string;
  exepath?: string;
  cmdline?: string;
  uid?: number;
  user?: string;
  /** Ancestors, nearest first: name and pid. */
  parents?: Array<{ pid: number; name: string; exepath?: string }>;
}

export interface AlertContainer {
  /** Full 64-hex container id. */
  id: string;
  name?: string;
  image?: string;
  pod?: string;
  namespace?: string;
}

export interface AlertK8s {
  auditID?: string;
  user?: string;
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  sourceIPs?: string[];
  userAgent?: string;
}

export interface AlertAction {
  kind: 'alert' | 'killed' | 'denied';
  detail?: string;
  /** Microseconds from event to action, for enforcement. */
  delayUs?: number;
}

export interface Alert {
  /** Unique id (uuid or ULID). */
  id: string;
  /** A catalog type (`system/reverse-shell`) or `custom/<rule name>` for user rules. */
  type: string;
  severity: Severity;
  /** ISO 8601 time of the event. */
  time: string;
  message: string;
  /** Name of the rule or detector that raised it. */
  rule: string;
  /** Node / host name. */
  host: string;
  process?: AlertProcess;
  container?: AlertContainer;
  k8s?: AlertK8s;
  /** An image scan's finding (malware in an image): the image and the file. */
  image?: { ref: string; file?: string; sha256?: string; layer?: string };
  action?: AlertAction;
  remedy?: string;
  tags?: string[];
  /** Extra output fields of the rule (field name -> value). */
  fields?: Record<string, unknown>;
}
