// How detection policies (src/core/policy/detection.ts) change the engine,
// without touching rule text: compiled once into a `DetectionTuning` that
// the Engine applies to every rule and detector by alert type.
// - types on/off and severity: per alert type; a scoped policy's setting
//   holds for events in its scope; later policies win, unscoped ones are
//   applied first (so a scoped policy refines the project's);
// - allowlists: Falco exceptions (`and not (...)`, the same effect as adding
//   to a `user_known_*` macro), one per entry, over the rules' own fields
//   (container.image, proc.exepath, fd.rip, ka.user.name, ...), ANDed to the
//   rule's condition before its aggregation window counts the event;
// - thresholds: the aggregate threshold and window of the bound built-in rule
//   and its numeric gate (src/core/policy/thresholds.ts).
// `effectiveConfig` explains the result: what is enabled, with which
// thresholds and allowlists, and which policy each setting came from.
import type { Severity } from '../alerts/types.js';
import type { EngineEvent, EventSource } from '../events/event.js';
import { InputError } from '../errors.js';
import type { AllowEntry, DetectionPolicy, DetectionScope } from '../policy/detection.js';
import { ALLOW_FIELDS } from '../policy/detection.js';
import { globMatcher } from '../policy/glob.js';
import {
  defaultThresholds,
  isThresholdKey,
  THRESHOLD_KEYS,
  THRESHOLDS,
  type ThresholdDef,
  type ThresholdKey,
  type ThresholdValues,
} from '../policy/thresholds.js';
import { cidrSet } from './cidr.js';
import { getter } from './condition-compiler.js';
import type { Rule } from './loader.js';

type Pred = (e: EngineEvent) => boolean;

/** The per-event decision of one rule or detector: `null` suppressed, a severity when overridden, undefined unchanged. */
export interface MatcherTuning {
  /** Disabled for every event (the engine drops the matcher). */
  readonly off: boolean;
  decide(e: EngineEvent): Severity | null | undefined;
}

interface Setting {
  policy: string;
  source: EventSource;
  scope?: Pred;
  enabled?: boolean;
  severity?: Severity;
}

interface Allow {
  policy: string;
  index: number;
  entry: AllowEntry;
  /** Per source: the entry's test (scope included), absent when it cannot apply to that source. */
  pred: Partial<Record<EventSource, Pred>>;
}

const SOURCES: EventSource[] = ['syscall', 'k8s_audit'];

/** The rule-language fields each allowlist field tests, per source (the Falco exception it stands for). */
export const ALLOW_FIELD_MAP: Record<(typeof ALLOW_FIELDS)[number], Partial<Record<EventSource, string[]>>> = {
  images: { syscall: ['container.image', 'container.image.repository'] },
  containers: { syscall: ['container.full_id', 'container.name'] },
  users: { syscall: ['user.name'] },
  processes: { syscall: ['proc.name', 'proc.exepath'] },
  cmdlines: { syscall: ['proc.cmdline'] },
  destinations: { syscall: ['fd.rip'] },
  k8sUsers: { k8s_audit: ['ka.user.name'] },
  serviceAccounts: { k8s_audit: ['ka.user.name'] },
};

const get = (f: string, s: EventSource) => getter(f, s).get;
const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Matches when the string field `field` of the event is present and passes `test`. */
function stringFieldPred(field: string, source: EventSource, test: (v: string) => boolean): Pred {
  const g = get(field, source);
  return (e) => {
    const v = asStr(g(e));
    return v !== undefined && test(v);
  };
}

function containerMatcher(list: string[], source: EventSource): Pred | undefined {
  if (source !== 'syscall') return undefined;
  const ids = list.filter((s) => /^[0-9a-f]{12,64}$/.test(s));
  const names = globMatcher(list);
  const all = list.includes('*');
  return (e) => {
    const c = e.source === 'syscall' ? e.container : undefined;
    if (!c || c.id === 'host') return false;
    return all || ids.some((p) => c.id.startsWith(p)) || (!!c.name && names(c.name));
  };
}

function imageMatcher(list: string[], source: EventSource): Pred | undefined {
  if (source !== 'syscall') return undefined;
  const m = globMatcher(list);
  return (e) => {
    const c = e.source === 'syscall' ? e.container : undefined;
    return !!c?.image && (m(c.image) || (!!c.imageRepository && m(c.imageRepository)));
  };
}

function namespaceMatcher(list: string[], source: EventSource): Pred {
  const m = globMatcher(list);
  if (source === 'syscall') return (e) => e.source === 'syscall' && !!e.container?.podNamespace && m(e.container.podNamespace);
  return stringFieldPred('ka.target.namespace', 'k8s_audit', m);
}

/** A scope matches an event when any of its lists does (as runtime policy selectors). */
function scopePred(s: DetectionScope, source: EventSource): Pred {
  const parts: Pred[] = [];
  if (s.images) {
    const p = imageMatcher(s.images, source);
    if (p) parts.push(p);
  }
  if (s.containers) {
    const p = containerMatcher(s.containers, source);
    if (p) parts.push(p);
  }
  if (s.namespaces) parts.push(namespaceMatcher(s.namespaces, source));
  if (!parts.length) return () => false;
  return (e) => parts.some((p) => p(e));
}

/** An allowlist entry matches when every field it names matches; undefined when a field cannot apply to `source`. */
function entryPred(x: AllowEntry, source: EventSource, where: string): Pred | undefined {
  const parts: Pred[] = [];
  for (const f of ALLOW_FIELDS) {
    const list = x[f];
    if (!list) continue;
    if (!ALLOW_FIELD_MAP[f][source]) return undefined;
    switch (f) {
      case 'images':
        parts.push(imageMatcher(list, source)!);
        break;
      case 'containers':
        parts.push(containerMatcher(list, source)!);
        break;
      case 'users':
        parts.push(stringFieldPred('user.name', source, globMatcher(list)));
        break;
      case 'processes': {
        const byPath = globMatcher(list.filter((p) => p.startsWith('/')));
        const byName = globMatcher(list.filter((p) => !p.startsWith('/')));
        parts.push((e) => e.source === 'syscall' && (byName(e.proc.name) || (!!e.proc.exepath && byPath(e.proc.exepath))));
        break;
      }
      case 'cmdlines':
        parts.push(stringFieldPred('proc.cmdline', source, globMatcher(list)));
        break;
      case 'destinations': {
        const set = cidrSet(list);
        if (set.invalid.length) {
          const i = list.indexOf(set.invalid[0]!);
          throw new InputError('DETECTION_POLICY_INVALID', 'must be an IP address or a CIDR (10.0.0.0/8, 2001:db8::/32)', `${where}.destinations[${i}]`);
        }
        parts.push(stringFieldPred('fd.rip', source, (v) => set.has(v)));
        break;
      }
      case 'k8sUsers':
      case 'serviceAccounts': {
        const pats = f === 'k8sUsers' ? list : list.map((s) => `system:serviceaccount:${s.replace('/', ':')}`);
        parts.push(stringFieldPred('ka.user.name', source, globMatcher(pats)));
        break;
      }
    }
  }
  return parts.length ? (e) => parts.every((p) => p(e)) : undefined;
}

/** Which policy a threshold parameter came from: a policy name, `default` (the table) or `rule file`. */
export type SettingSource = string;

export class DetectionTuning {
  /** Policies in the order they apply: unscoped first, then scoped; later wins. */
  readonly policies: readonly DetectionPolicy[];
  /** Every threshold with the policies' values over the defaults (durations in ms). */
  readonly thresholds: ThresholdValues;
  /** Threshold parameters a policy set: key -> param -> policy name. */
  readonly thresholdFrom: Partial<Record<ThresholdKey, Record<string, string>>> = {};
  private readonly settings = new Map<string, Setting[]>();
  private readonly allows: Allow[] = [];

  /** `policies` are validated documents (validateDetectionPolicy); `where` prefixes errors of values checked only here (CIDRs). */
  constructor(policies: readonly DetectionPolicy[], where = 'policy') {
    const ordered = [...policies.filter((p) => !p.scope), ...policies.filter((p) => p.scope)];
    this.policies = ordered;
    const th = defaultThresholds() as Record<string, Record<string, number>>;
    for (const p of ordered) {
      const scope = p.scope;
      const scopeBy = scope ? Object.fromEntries(SOURCES.map((s) => [s, scopePred(scope, s)])) : undefined;
      for (const [type, s] of Object.entries(p.types ?? {})) {
        const list = this.settings.get(type) ?? [];
        for (const src of SOURCES) {
          const set: Setting = { policy: p.name, source: src, ...s };
          if (scopeBy) set.scope = scopeBy[src];
          list.push(set);
        }
        this.settings.set(type, list);
      }
      for (const [k, vals] of Object.entries(p.thresholds ?? {})) {
        if (!isThresholdKey(k)) continue;
        for (const [param, v] of Object.entries(vals)) {
          th[k]![param] = v;
          (this.thresholdFrom[k] ??= {})[param] = p.name;
        }
      }
      (p.allow ?? []).forEach((entry, index) => {
        const pred: Allow['pred'] = {};
        for (const src of SOURCES) {
          const ep = entryPred(entry, src, `${where}: ${p.name}.allow[${index}]`);
          if (!ep) continue;
          const sp = scopeBy?.[src];
          pred[src] = sp ? (e) => sp(e) && ep(e) : ep;
        }
        this.allows.push({ policy: p.name, index, entry, pred });
      });
    }
    this.thresholds = th as ThresholdValues;
  }

  /** The tuning of a rule or detector raising `type` on events of `source`; undefined when no policy touches it. */
  matcher(type: string, source: EventSource): MatcherTuning | undefined {
    const settings = (this.settings.get(type) ?? []).filter((s) => s.source === source);
    const exc = this.allows.filter((a) => a.pred[source] && (!a.entry.types || a.entry.types.includes(type))).map((a) => a.pred[source]!);
    if (!settings.length && !exc.length) return undefined;
    const scoped = settings.some((s) => s.scope);
    if (!scoped) {
      // Static: the last policy that says wins.
      let enabled = true;
      let severity: Severity | undefined;
      for (const s of settings) {
        if (s.enabled !== undefined) enabled = s.enabled;
        if (s.severity) severity = s.severity;
      }
      if (!enabled) return { off: true, decide: () => null };
      return { off: false, decide: (e) => (exc.some((p) => p(e)) ? null : severity) };
    }
    const rev = [...settings].reverse();
    return {
      off: false,
      decide: (e) => {
        let enabled: boolean | undefined;
        let severity: Severity | undefined;
        for (const s of rev) {
          if (s.scope && !s.scope(e)) continue;
          if (enabled === undefined && s.enabled !== undefined) enabled = s.enabled;
          if (severity === undefined && s.severity) severity = s.severity;
          if (enabled !== undefined && severity !== undefined) break;
        }
        if (enabled === false) return null;
        return exc.some((p) => p(e)) ? null : severity;
      },
    };
  }

  /** Policy settings of `type` (for the effective configuration). */
  settingsOf(type: string): Array<{ policy: string; scope?: DetectionScope; enabled?: boolean; severity?: Severity }> {
    const out = [];
    for (const p of this.policies) {
      const s = p.types?.[type];
      if (s) out.push({ policy: p.name, ...(p.scope ? { scope: p.scope } : {}), ...s });
    }
    return out;
  }

  /** The policy types named by some policy. */
  get types(): string[] {
    return [...this.settings.keys()].sort();
  }
}

/** The threshold key bound to a built-in rule, if any. */
export function thresholdOfRule(rule: Pick<Rule, 'name' | 'source' | 'builtin'>): ThresholdKey | undefined {
  if (!rule.builtin) return undefined;
  return THRESHOLD_KEYS.find((k) => THRESHOLDS[k].rule === rule.name && THRESHOLDS[k].source === rule.source);
}

/**
 * A built-in rule with its threshold applied: the aggregate's threshold and
 * window when a policy set them, and the numeric gate always (its default
 * is the table's; the rule text names no number). Other rules unchanged.
 */
export function applyThreshold(rule: Rule, values: ThresholdValues, from: DetectionTuning['thresholdFrom']): Rule {
  const key = thresholdOfRule(rule);
  if (!key) return rule;
  const def: ThresholdDef = THRESHOLDS[key];
  const v = values[key] as Record<string, number>;
  const set = from[key] ?? {};
  let out = rule;
  if (rule.aggregate && ((def.bind.count && set[def.bind.count]) || (def.bind.window && set[def.bind.window]))) {
    out = {
      ...out,
      aggregate: {
        ...rule.aggregate,
        threshold: def.bind.count && set[def.bind.count] ? v[def.bind.count]! : rule.aggregate.threshold,
        windowMs: def.bind.window && set[def.bind.window] ? v[def.bind.window]! : rule.aggregate.windowMs,
      },
    };
  }
  if (def.bind.gate) {
    const min = v[def.bind.gate.param]!;
    const g = getter(def.bind.gate.field, rule.source).get;
    const match = out.match;
    out = {
      ...out,
      match: (e) => {
        if (!match(e)) return false;
        const n = Number(g(e));
        return Number.isFinite(n) && n >= min;
      },
    };
  }
  return out;
}

// ---- the effective configuration ---------------------------------------------

export interface EffectiveMatcher {
  kind: 'rule' | 'detector';
  name: string;
  type: string;
  source: EventSource;
  severity: Severity;
  file?: string;
}

export interface EffectiveType {
  type: string;
  /** `scoped`: on or off depending on the event's image, container or namespace (see `scoped`). */
  enabled: boolean | 'scoped';
  enabledFrom: SettingSource;
  /** The override, when a policy sets one for the whole project; else the rules' own severities apply. */
  severity?: Severity;
  severityFrom?: SettingSource;
  /** Settings of scoped policies. */
  scoped: Array<{ policy: string; scope: DetectionScope; enabled?: boolean; severity?: Severity }>;
  /** The rules and detectors that raise the type (rules disabled in rule files are not loaded). */
  raisedBy: Array<{ kind: 'rule' | 'detector'; name: string; severity: Severity }>;
  /** Allowlist entries that apply to the type (by policy and index). */
  allow: string[];
}

export interface EffectiveThreshold {
  key: string;
  type: string;
  rule: string;
  summary: string;
  /** False when no loaded rule has that name (e.g. a user file replaced it). */
  bound: boolean;
  params: Record<string, { value: number; unit: 'count' | 'ms' | 'percent'; from: SettingSource }>;
}

export interface EffectiveAllow {
  id: string;
  policy: string;
  name?: string;
  scope?: DetectionScope;
  types: string[] | 'all';
  /** The entry's lists, as written. */
  match: Partial<Record<(typeof ALLOW_FIELDS)[number], string[]>>;
  /** The rule fields it tests (the Falco exception it stands for). */
  fields: string[];
  /** The event sources it can match (runtime `syscall`, Kubernetes `k8s_audit`): every field it names must exist there. */
  sources: EventSource[];
}

export interface EffectiveConfig {
  policies: Array<{ name: string; scope?: DetectionScope; description?: string }>;
  types: EffectiveType[];
  thresholds: EffectiveThreshold[];
  allow: EffectiveAllow[];
}

/** What is enabled, with which thresholds and allowlists, and which policy each setting came from. */
export function effectiveConfig(matchers: readonly EffectiveMatcher[], rules: readonly Rule[], tuning: DetectionTuning): EffectiveConfig {
  const allow: EffectiveAllow[] = [];
  for (const p of tuning.policies)
    (p.allow ?? []).forEach((x, i) => {
      const match: EffectiveAllow['match'] = {};
      const fields = new Set<string>();
      for (const f of ALLOW_FIELDS)
        if (x[f]) {
          match[f] = x[f];
          for (const s of SOURCES) for (const rf of ALLOW_FIELD_MAP[f][s] ?? []) fields.add(rf);
        }
      allow.push({
        id: `${p.name}.allow[${i}]`,
        policy: p.name,
        ...(x.name ? { name: x.name } : {}),
        ...(p.scope ? { scope: p.scope } : {}),
        types: x.types ?? 'all',
        match,
        fields: [...fields],
        sources: SOURCES.filter((src) => ALLOW_FIELDS.every((f) => !x[f] || ALLOW_FIELD_MAP[f][src])),
      });
    });
  const types = new Set<string>([...matchers.map((m) => m.type), ...tuning.types]);
  const outTypes: EffectiveType[] = [...types].sort().map((type) => {
    let enabled: boolean | 'scoped' = true;
    let enabledFrom: SettingSource = 'default';
    let severity: Severity | undefined;
    let severityFrom: SettingSource | undefined;
    const scoped: EffectiveType['scoped'] = [];
    for (const s of tuning.settingsOf(type)) {
      if (s.scope) {
        scoped.push({
          policy: s.policy,
          scope: s.scope,
          ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
          ...(s.severity ? { severity: s.severity } : {}),
        });
        continue;
      }
      if (s.enabled !== undefined) {
        enabled = s.enabled;
        enabledFrom = s.policy;
      }
      if (s.severity) {
        severity = s.severity;
        severityFrom = s.policy;
      }
    }
    if (scoped.some((s) => s.enabled !== undefined && s.enabled !== enabled)) enabled = 'scoped';
    const srcs = new Set(matchers.filter((m) => m.type === type).map((m) => m.source));
    const t: EffectiveType = {
      type,
      enabled,
      enabledFrom,
      scoped,
      raisedBy: matchers.filter((m) => m.type === type).map((m) => ({ kind: m.kind, name: m.name, severity: m.severity })),
      allow: allow.filter((a) => (a.types === 'all' || a.types.includes(type)) && (!srcs.size || a.sources.some((x) => srcs.has(x)))).map((a) => a.id),
    };
    if (severity) {
      t.severity = severity;
      t.severityFrom = severityFrom!;
    }
    return t;
  });
  const thresholds: EffectiveThreshold[] = THRESHOLD_KEYS.map((key) => {
    const def: ThresholdDef = THRESHOLDS[key];
    const rule = rules.find((r) => r.name === def.rule && r.source === def.source && r.builtin);
    const set = tuning.thresholdFrom[key] ?? {};
    const v = tuning.thresholds[key] as Record<string, number>;
    const params: EffectiveThreshold['params'] = {};
    for (const [name, spec] of Object.entries(def.params)) {
      const unit = spec.kind === 'duration' ? 'ms' : spec.kind;
      let value = v[name]!;
      let from: SettingSource = set[name] ?? 'default';
      if (!set[name] && rule?.aggregate && (def.bind.count === name || def.bind.window === name)) {
        value = def.bind.count === name ? rule.aggregate.threshold : rule.aggregate.windowMs;
        from = `rule file ${rule.file}`;
      }
      params[name] = { value, unit, from };
    }
    return { key, type: def.type, rule: def.rule, summary: def.summary, bound: !!rule, params };
  });
  return {
    policies: tuning.policies.map((p) => ({ name: p.name, ...(p.scope ? { scope: p.scope } : {}), ...(p.description ? { description: p.description } : {}) })),
    types: outTypes,
    thresholds,
    allow,
  };
}
