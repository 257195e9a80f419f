// The detection policy (product.md policy.detection): tuning without code.
// Owns the document (JSON and YAML serialisable: the same document is a
// `--policy` file, a policy row of the server and what agents receive) and
// its validation, which names the field and the reason. A policy turns alert
// types on or off, overrides their severity, sets the thresholds of the
// aggregating rules (./thresholds.ts) and allowlists what a team trusts
// (images, containers, users, processes, command lines, destinations,
// Kubernetes users and service accounts). How a policy changes the engine
// lives in src/core/rules/tuning.ts; docs/detection-policy.md documents it.
import { InputError } from '../errors.js';
import { SEVERITIES, type Severity } from '../alerts/types.js';
import { isCatalogType } from '../alerts/catalog.js';
import { isThresholdKey, THRESHOLD_KEYS, THRESHOLDS, type ThresholdDef } from './thresholds.js';

export const DETECTION_KIND = 'DetectionPolicy';
export const DETECTION_API_VERSION = 'vigil.dev/v1';
export const DETECTION_LIMITS = { policies: 1000, allowEntries: 1000, listEntries: 10_000, stringBytes: 4096, types: 500 };

export interface DetectionScope {
  /** Image references or globs (`nginx:*`, `registry.example.com/team/*`). */
  images?: string[];
  /** Container ids (full, or a prefix of at least 12 hex) or container names (globs). */
  containers?: string[];
  /** Kubernetes namespaces (globs): the pod's namespace of a container, the target namespace of an audit event. */
  namespaces?: string[];
}

export interface TypeSetting {
  enabled?: boolean;
  severity?: Severity;
}

/** One allowlist entry: an event is trusted when every field the entry names matches (one value of each list). */
export interface AllowEntry {
  /** Shown in the effective configuration. */
  name?: string;
  /** Alert types the entry applies to (default: every type). */
  types?: string[];
  images?: string[];
  containers?: string[];
  /** Process users (`user.name`). */
  users?: string[];
  /** Process names (`proc.name`) or, starting with `/`, executable paths (`proc.exepath`); globs. */
  processes?: string[];
  /** Command lines (`proc.cmdline`, name and arguments); globs. */
  cmdlines?: string[];
  /** Remote addresses of connections (`fd.rip`): IPs or CIDRs. */
  destinations?: string[];
  /** Kubernetes users (`ka.user.name`); globs. */
  k8sUsers?: string[];
  /** Kubernetes service accounts as `namespace/name` (globs), i.e. `system:serviceaccount:namespace:name`. */
  serviceAccounts?: string[];
}

export const ALLOW_FIELDS = ['images', 'containers', 'users', 'processes', 'cmdlines', 'destinations', 'k8sUsers', 'serviceAccounts'] as const;
export type AllowField = (typeof ALLOW_FIELDS)[number];

export interface DetectionPolicy {
  name: string;
  description?: string;
  /** Absent: the whole project (or file). */
  scope?: DetectionScope;
  /** Alert type -> on/off and severity. */
  types?: Record<string, TypeSetting>;
  /** Threshold key (thresholds.ts) -> parameter -> number (durations in milliseconds once validated). */
  thresholds?: Record<string, Record<string, number>>;
  allow?: AllowEntry[];
}

export interface DetectionDocument {
  apiVersion?: string;
  kind: typeof DETECTION_KIND;
  policies: DetectionPolicy[];
}

function bad(where: string, message: string): never {
  throw new InputError('DETECTION_POLICY_INVALID', message, where);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function only(o: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) bad(`${where}.${k}`, `unknown field (expected one of ${keys.join(', ')})`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0) bad(where, 'must be a non-empty string');
  if (v.length > DETECTION_LIMITS.stringBytes) bad(where, `longer than ${DETECTION_LIMITS.stringBytes} characters`);
  return v;
}

function strings(v: unknown, where: string, check?: (s: string, where: string) => void): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) bad(where, 'must be a list of strings');
  if (v.length === 0) bad(where, 'must not be empty (leave the field out instead)');
  if (v.length > DETECTION_LIMITS.listEntries) bad(where, `more than ${DETECTION_LIMITS.listEntries} entries`);
  return v.map((s, i) => {
    const x = str(s, `${where}[${i}]`);
    check?.(x, `${where}[${i}]`);
    return x;
  });
}

/** An alert type a policy may name: a catalog type or `custom/<rule name>` (user rule files). */
function alertTypeKey(t: string, where: string): void {
  if (isCatalogType(t)) return;
  if (/^custom\/.+/.test(t)) return;
  bad(where, `unknown alert type ${JSON.stringify(t.slice(0, 80))} (a catalog type such as user/brute-force, or custom/<rule name>)`);
}

/** `500ms`, `90s`, `10m`, `2h`, `1d`, or a number of seconds -> milliseconds. */
export function detectionDuration(v: unknown, where: string): number {
  if (typeof v === 'number') return v * 1000;
  if (typeof v !== 'string') bad(where, 'must be a duration such as 90s, 10m or 2h');
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) bad(where, `not a duration: ${JSON.stringify(v.slice(0, 40))} (use e.g. 90s, 10m, 2h)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 's']!;
}

function hexOrName(s: string, where: string): void {
  if (/^[0-9a-f]{1,11}$/.test(s)) bad(where, 'a container id needs at least 12 hex characters');
}

function ipOrCidr(s: string, where: string): void {
  // Syntax only here (the rules' CIDR parser, above this folder, checks the value when the policy is compiled).
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || !ip) bad(where, 'must be an IP address or a CIDR (10.0.0.0/8, 2001:db8::/32)');
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255);
  const v6 = /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':');
  if (!v4 && !v6) bad(where, 'must be an IP address or a CIDR (10.0.0.0/8, 2001:db8::/32)');
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (v4 ? 32 : 128))) bad(where, `prefix length must be 0..${v4 ? 32 : 128}`);
}

function serviceAccount(s: string, where: string): void {
  if (!/^[^/\s]+\/[^/\s]+$/.test(s)) bad(where, 'must be namespace/name (globs allowed: ci/*)');
}

function scopeOf(v: unknown, where: string): DetectionScope | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) bad(where, 'must be a mapping with images, containers and/or namespaces');
  only(v, ['images', 'containers', 'namespaces'], where);
  const out: DetectionScope = {};
  const images = strings(v.images, `${where}.images`);
  const containers = strings(v.containers, `${where}.containers`, hexOrName);
  const namespaces = strings(v.namespaces, `${where}.namespaces`);
  if (images) out.images = images;
  if (containers) out.containers = containers;
  if (namespaces) out.namespaces = namespaces;
  if (!images && !containers && !namespaces) bad(where, 'needs images, containers or namespaces (leave scope out for the whole project)');
  return out;
}

function typesOf(v: unknown, where: string): Record<string, TypeSetting> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) bad(where, 'must be a mapping of alert type to settings (e.g. user/brute-force: {severity: critical})');
  const keys = Object.keys(v);
  if (keys.length > DETECTION_LIMITS.types) bad(where, `more than ${DETECTION_LIMITS.types} types`);
  const out: Record<string, TypeSetting> = {};
  for (const t of keys) {
    const w = `${where}.${t}`;
    alertTypeKey(t, w);
    const s = v[t];
    // Shorthand: `system/high-risk-command: false`.
    if (typeof s === 'boolean') {
      out[t] = { enabled: s };
      continue;
    }
    if (!isObj(s)) bad(w, 'must be true, false or a mapping with enabled and/or severity');
    only(s, ['enabled', 'severity'], w);
    const ts: TypeSetting = {};
    if (s.enabled !== undefined) {
      if (typeof s.enabled !== 'boolean') bad(`${w}.enabled`, 'must be true or false');
      ts.enabled = s.enabled;
    }
    if (s.severity !== undefined) {
      if (!SEVERITIES.includes(s.severity as Severity)) bad(`${w}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
      ts.severity = s.severity as Severity;
    }
    if (ts.enabled === undefined && ts.severity === undefined) bad(w, 'needs enabled and/or severity');
    out[t] = ts;
  }
  return out;
}

function thresholdsOf(v: unknown, where: string): Record<string, Record<string, number>> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) bad(where, `must be a mapping of threshold name (${THRESHOLD_KEYS.join(', ')}) to parameters`);
  const out: Record<string, Record<string, number>> = {};
  for (const k of Object.keys(v)) {
    const w = `${where}.${k}`;
    if (!isThresholdKey(k)) bad(w, `unknown threshold (expected one of ${THRESHOLD_KEYS.join(', ')})`);
    const def: ThresholdDef = THRESHOLDS[k];
    const p = v[k];
    const names = Object.keys(def.params);
    if (!isObj(p)) bad(w, `must be a mapping with ${names.join(' and/or ')}`);
    only(p, names, w);
    const vals: Record<string, number> = {};
    for (const name of Object.keys(p)) {
      const spec = def.params[name]!;
      const pw = `${w}.${name}`;
      let n: number;
      if (spec.kind === 'duration') {
        n = detectionDuration(p[name], pw);
        if (!Number.isFinite(n) || n < spec.min || n > spec.max) bad(pw, `must be between ${spec.min / 1000}s and ${spec.max / 3600_000}h`);
      } else {
        n = p[name] as number;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < spec.min || n > spec.max) bad(pw, `must be a whole number from ${spec.min} to ${spec.max}`);
      }
      vals[name] = n;
    }
    if (!Object.keys(vals).length) bad(w, `needs ${names.join(' and/or ')}`);
    out[k] = vals;
  }
  return out;
}

function allowOf(v: unknown, where: string): AllowEntry[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) bad(where, 'must be a list of allowlist entries');
  if (v.length > DETECTION_LIMITS.allowEntries) bad(where, `more than ${DETECTION_LIMITS.allowEntries} entries`);
  return v.map((x, i): AllowEntry => {
    const w = `${where}[${i}]`;
    if (!isObj(x)) bad(w, `must be a mapping with one or more of ${ALLOW_FIELDS.join(', ')}`);
    only(x, ['name', 'types', ...ALLOW_FIELDS], w);
    const e: AllowEntry = {};
    if (x.name !== undefined) e.name = str(x.name, `${w}.name`);
    const types = strings(x.types, `${w}.types`, alertTypeKey);
    if (types) e.types = types;
    const checks: Partial<Record<AllowField, (s: string, where: string) => void>> = {
      containers: hexOrName,
      destinations: ipOrCidr,
      serviceAccounts: serviceAccount,
    };
    let any = false;
    for (const f of ALLOW_FIELDS) {
      const list = strings(x[f], `${w}.${f}`, checks[f]);
      if (list) {
        e[f] = list;
        any = true;
      }
    }
    if (!any) bad(w, `needs at least one of ${ALLOW_FIELDS.join(', ')} (an entry that names nothing would trust everything)`);
    return e;
  });
}

/** Validates one detection policy (a mapping with a name); `where` names it in errors. */
export function validateDetectionPolicy(raw: unknown, where: string): DetectionPolicy {
  if (!isObj(raw)) bad(where, 'must be a mapping');
  only(raw, ['name', 'description', 'scope', 'types', 'thresholds', 'allow'], where);
  if (typeof raw.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(raw.name))
    bad(`${where}.name`, 'must be a name of letters, digits, . _ - (at most 128)');
  const p: DetectionPolicy = { name: raw.name };
  if (raw.description !== undefined) p.description = str(raw.description, `${where}.description`);
  const scope = scopeOf(raw.scope, `${where}.scope`);
  if (scope) p.scope = scope;
  const types = typesOf(raw.types, `${where}.types`);
  if (types) p.types = types;
  const thresholds = thresholdsOf(raw.thresholds, `${where}.thresholds`);
  if (thresholds) {
    // Aggregation windows are counted per rule, not per image or namespace.
    if (scope) bad(`${where}.thresholds`, 'thresholds apply to the whole project (or file): put them in a policy without scope');
    p.thresholds = thresholds;
  }
  const allow = allowOf(raw.allow, `${where}.allow`);
  if (allow) p.allow = allow;
  if (!types && !thresholds && !allow) bad(where, 'sets nothing: give types, thresholds and/or allow');
  return p;
}

/** Whether a parsed YAML/JSON document is a detection policy document (`kind: DetectionPolicy`). */
export function isDetectionDocument(raw: unknown): boolean {
  return isObj(raw) && raw.kind === DETECTION_KIND;
}

/** Validates a detection policy document (`kind: DetectionPolicy`, a `policies` list); `file` names it in errors. */
export function validateDetectionDocument(raw: unknown, file = 'policy'): DetectionDocument {
  if (!isObj(raw)) bad(file, `must be a mapping with kind: ${DETECTION_KIND} and a policies list`);
  only(raw, ['apiVersion', 'kind', 'policies'], file);
  if (raw.apiVersion !== undefined && raw.apiVersion !== DETECTION_API_VERSION) bad(`${file}: apiVersion`, `unsupported (expected ${DETECTION_API_VERSION})`);
  if (raw.kind !== DETECTION_KIND) bad(`${file}: kind`, `must be ${DETECTION_KIND}`);
  if (!Array.isArray(raw.policies)) bad(`${file}: policies`, 'must be a list');
  if (raw.policies.length > DETECTION_LIMITS.policies) bad(`${file}: policies`, `more than ${DETECTION_LIMITS.policies} policies`);
  const names = new Set<string>();
  const policies = raw.policies.map((p, i) => {
    const v = validateDetectionPolicy(p, `${file}: policies[${i}]`);
    if (names.has(v.name)) bad(`${file}: policies[${i}].name`, `duplicate policy name ${v.name}`);
    names.add(v.name);
    return v;
  });
  const out: DetectionDocument = { kind: DETECTION_KIND, policies };
  if (typeof raw.apiVersion === 'string') out.apiVersion = raw.apiVersion;
  return out;
}
