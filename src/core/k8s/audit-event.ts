// Kubernetes audit events: validation and normalisation of `audit.k8s.io`
// Event objects (v1, v1beta1, and older recordings without apiVersion) into
// the engine's K8sAuditEvent, and the framings they arrive in: one event per
// line (the apiserver's log backend), a JSON array, or an EventList (the
// webhook backend's body). Pure: callers hand in text; I/O is in src/node/k8s.
import { InputError, LimitError } from '../errors.js';
import type { K8sAuditEvent } from '../events/event.js';

export interface AuditReadLimits {
  /** Longest accepted line of a line-framed log (bytes, counted as UTF-16 units here). */
  maxLineBytes: number;
  /** Largest accepted whole document (array / EventList / webhook body). */
  maxDocumentBytes: number;
  /** Most events accepted from one document. */
  maxEventsPerDocument: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditReadLimits = {
  // A RequestResponse event with a large object (a ConfigMap near etcd's
  // 1.5 MiB value limit, twice: request and response) fits in 4 MiB.
  maxLineBytes: 4 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024 * 1024,
  maxEventsPerDocument: 100_000,
};

const KNOWN_API_VERSIONS = new Set(['audit.k8s.io/v1', 'audit.k8s.io/v1beta1', 'audit.k8s.io/v1alpha1']);
const STAGES = new Set(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);

const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown) => typeof v === 'string' && v !== '';

/** Why an object is not an audit event, or undefined when it is one. Straight-line: it runs for every event. */
export function auditEventProblem(o: unknown): string | undefined {
  if (!isObj(o)) return 'data not recognized as a k8s audit event: not a JSON object';
  const ev = o as Record<string, unknown>;
  const apiVersion = ev.apiVersion;
  if (apiVersion !== undefined && apiVersion !== 'audit.k8s.io/v1' && (typeof apiVersion !== 'string' || !KNOWN_API_VERSIONS.has(apiVersion))) {
    return `data not recognized as a k8s audit event: apiVersion ${JSON.stringify(apiVersion).slice(0, 80)}`;
  }
  if (ev.kind !== undefined && ev.kind !== 'Event') return `data not recognized as a k8s audit event: kind ${JSON.stringify(ev.kind).slice(0, 80)}`;
  if (!isText(ev.auditID)) return 'data not recognized as a k8s audit event: missing or invalid "auditID"';
  if (!isText(ev.stage)) return 'data not recognized as a k8s audit event: missing or invalid "stage"';
  if (!isText(ev.verb)) return 'data not recognized as a k8s audit event: missing or invalid "verb"';
  if (!isText(ev.requestURI)) return 'data not recognized as a k8s audit event: missing or invalid "requestURI"';
  if (!STAGES.has(ev.stage as string)) return `data not recognized as a k8s audit event: unknown stage ${JSON.stringify(ev.stage).slice(0, 80)}`;
  if (ev.user !== undefined && !isObj(ev.user)) return 'invalid "user": not an object';
  if (ev.objectRef !== undefined && !isObj(ev.objectRef)) return 'invalid "objectRef": not an object';
  if (ev.responseStatus !== undefined && !isObj(ev.responseStatus)) return 'invalid "responseStatus": not an object';
  if (ev.annotations !== undefined && !isObj(ev.annotations)) return 'invalid "annotations": not an object';
  if (ev.sourceIPs !== undefined && !Array.isArray(ev.sourceIPs)) return 'invalid "sourceIPs": not an array';
  return undefined;
}

/** Milliseconds since epoch from the event's timestamps (stage time first, as the engine's event says). */
export function auditEventTime(ev: Record<string, unknown>): number {
  // Named loads, not a loop over key names: a keyed load with changing names goes megamorphic.
  return timeOf(ev.stageTimestamp) ?? timeOf(ev.requestReceivedTimestamp) ?? timeOf(ev.timestamp) ?? 0;
}

function timeOf(v: unknown): number | undefined {
  return typeof v === 'string' ? parseRfc3339(v) : undefined;
}

// The apiserver writes RFC 3339 UTC times with microseconds
// ("2018-10-26T13:38:34.867116Z"); that layout is decoded by hand (Date.parse
// and a regex cost more than the rules), anything else goes to Date.parse.
// The sub-millisecond part is kept as a fraction: two stages of one request
// often differ by microseconds only.
/** Decimal digits s[a..b) as a number; NaN when one is not a digit. */
function digits(s: string, a: number, b: number): number {
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

// Consecutive events mostly share their second: remember the last one
// decoded (compared in place: a slice per event was measurable garbage).
let lastSecond = '';
let lastSecondMs = NaN;
// 10 ** n without Math.pow for the fraction lengths the apiserver writes (exact: the same doubles).
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

function parseRfc3339(s: string): number | undefined {
  if (s.length >= 20 && s.charCodeAt(4) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(s.length - 1) === 90) {
    if (lastSecond === '' || !s.startsWith(lastSecond)) {
      lastSecond = s.slice(0, 19);
      lastSecondMs = Date.UTC(digits(s, 0, 4), digits(s, 5, 7) - 1, digits(s, 8, 10), digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19));
    }
    let ms = lastSecondMs;
    if (s.length > 21 && s.charCodeAt(19) === 46) ms += (digits(s, 20, s.length - 1) / (POW10[s.length - 21] ?? 10 ** (s.length - 21))) * 1000;
    else if (s.length !== 20) ms = NaN;
    if (!Number.isNaN(ms)) return ms;
  }
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return undefined;
  const m = /\.(\d{4,9})/.exec(s);
  return m ? ms + Number(`0.${m[1]!.slice(3)}`) : ms;
}

/** Nanoseconds since epoch, exact to the digits the timestamp has (for `jevt.rawtime`). */
export function auditEventRawTimeNs(ev: Record<string, unknown>): bigint {
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp']) {
    const v = ev[key];
    if (typeof v !== 'string') continue;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) continue;
    const m = /\.(\d+)/.exec(v);
    const frac = m ? (m[1]! + '000000000').slice(0, 9) : '000000000';
    // Date.parse already counted the first three fraction digits.
    return BigInt(ms) * 1_000_000n + BigInt(frac.slice(3));
  }
  return 0n;
}

/** Validate one decoded object and wrap it as an engine event; throws InputError AUDIT_EVENT_INVALID. */
export function toAuditEvent(o: unknown, where?: string, host?: string): K8sAuditEvent {
  const problem = auditEventProblem(o);
  if (problem) throw new InputError('AUDIT_EVENT_INVALID', problem, where);
  return wrapAuditEvent(o as Record<string, unknown>, host);
}

/** An already validated audit object as an engine event. */
function wrapAuditEvent(audit: Record<string, unknown>, host: string | undefined): K8sAuditEvent {
  const e: K8sAuditEvent = { source: 'k8s_audit', time: auditEventTime(audit), audit };
  if (host) e.host = host;
  return e;
}

/** The events a decoded JSON value holds: an Event, an EventList or an array of events. */
export function eventsOfValue(v: unknown, where: string, limits: AuditReadLimits = DEFAULT_AUDIT_LIMITS, host?: string): K8sAuditEvent[] {
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (v !== null && typeof v === 'object' && (v as Record<string, unknown>).kind === 'EventList') {
    const list = v as Record<string, unknown>;
    if (list.apiVersion !== undefined && (typeof list.apiVersion !== 'string' || !KNOWN_API_VERSIONS.has(list.apiVersion))) {
      throw new InputError('AUDIT_EVENT_INVALID', `EventList with unknown apiVersion ${JSON.stringify(list.apiVersion).slice(0, 80)}`, where);
    }
    if (list.items === null || list.items === undefined) return [];
    if (!Array.isArray(list.items)) throw new InputError('AUDIT_EVENT_INVALID', 'EventList "items" is not an array', where);
    items = list.items;
  } else return [toAuditEvent(v, where, host)];
  if (items.length > limits.maxEventsPerDocument) {
    throw new LimitError('LIMIT_AUDIT_EVENTS', `${items.length} events in one document, limit ${limits.maxEventsPerDocument}`, where);
  }
  return items.map((it, i) => toAuditEvent(it, `${where} item ${i}`, host));
}

/** Parse one line of a line-framed audit log (an Event, or an EventList/array on one line). */
export function parseAuditLine(line: string, lineNo: number, limits: AuditReadLimits = DEFAULT_AUDIT_LIMITS, host?: string): K8sAuditEvent[] {
  if (line.length > limits.maxLineBytes) throw new LimitError('LIMIT_AUDIT_LINE', `line longer than ${limits.maxLineBytes} bytes`, `line ${lineNo}`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new InputError('AUDIT_JSON_INVALID', `malformed JSON: ${(e as Error).message.slice(0, 200)}`, `line ${lineNo}`);
  }
  // One event per line is the common case: its "line N" is only built for an error.
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>).kind !== 'EventList') {
    const problem = auditEventProblem(v);
    if (problem) throw new InputError('AUDIT_EVENT_INVALID', problem, `line ${lineNo}`);
    return [wrapAuditEvent(v as Record<string, unknown>, host)];
  }
  return eventsOfValue(v, `line ${lineNo}`, limits, host);
}

/** Parse a whole document: a webhook body or a file holding one JSON value (EventList, array, pretty-printed event). */
export function parseAuditDocument(text: string, where: string, limits: AuditReadLimits = DEFAULT_AUDIT_LIMITS, host?: string): K8sAuditEvent[] {
  if (text.length > limits.maxDocumentBytes) throw new LimitError('LIMIT_AUDIT_DOCUMENT', `document larger than ${limits.maxDocumentBytes} bytes`, where);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError('AUDIT_JSON_INVALID', `malformed JSON: ${(e as Error).message.slice(0, 200)}`, where);
  }
  return eventsOfValue(v, where, limits, host);
}

/**
 * How a file is framed, from its first bytes: a JSON array or a pretty-printed
 * object (first line is a lone `{`) is one document; anything else is one
 * JSON value per line, as the apiserver's log backend writes.
 */
export function detectFraming(head: string): 'document' | 'lines' {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('[')) return 'document';
  const firstLine = t.split('\n', 1)[0]!.trim();
  if (firstLine === '{') return 'document';
  return 'lines';
}

/**
 * A whole document read leniently (offline analysis): every item that is an
 * audit event is kept, every other item becomes an error naming it, so one
 * bad item does not hide the rest.
 */
export function parseAuditDocumentLenient(
  text: string,
  where: string,
  limits: AuditReadLimits = DEFAULT_AUDIT_LIMITS,
  host?: string,
): { events: K8sAuditEvent[]; errors: InputError[] } {
  if (text.length > limits.maxDocumentBytes) {
    return { events: [], errors: [new LimitError('LIMIT_AUDIT_DOCUMENT', `document larger than ${limits.maxDocumentBytes} bytes`, where)] };
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { events: [], errors: [new InputError('AUDIT_JSON_INVALID', `malformed JSON: ${(e as Error).message.slice(0, 200)}`, where)] };
  }
  const list = v as Record<string, unknown> | null;
  const items = Array.isArray(v) ? v : list && typeof list === 'object' && list.kind === 'EventList' && Array.isArray(list.items) ? list.items : [v];
  const events: K8sAuditEvent[] = [];
  const errors: InputError[] = [];
  if (items.length > limits.maxEventsPerDocument) {
    errors.push(
      new LimitError('LIMIT_AUDIT_EVENTS', `${items.length} events in one document, limit ${limits.maxEventsPerDocument}; the rest is skipped`, where),
    );
  }
  items.slice(0, limits.maxEventsPerDocument).forEach((it: unknown, i: number) => {
    try {
      events.push(toAuditEvent(it, items === v || list?.kind === 'EventList' ? `${where} item ${i}` : where, host));
    } catch (e) {
      errors.push(e as InputError);
    }
  });
  return { events, errors };
}
