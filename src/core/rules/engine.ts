// The detection engine: evaluates every event against the compiled rules
// that can match it (indexed by source and evt.type, audit events by
// ka.target.resource) and the built-in
// detectors, and returns alerts. Aggregating rules keep per-key windows
// driven by event time; flush(now) evicts expired windows. No I/O: the
// clock and the id generator are injected.
import { randomUUID } from 'node:crypto';
import type { Alert } from '../alerts/types.js';
import type { EngineEvent, EventSource } from '../events/event.js';
import type { Rule, Ruleset } from './loader.js';
import type { Detector, DetectorFn, PolicyDecision, PolicyLookup } from './detectors/types.js';
import { cidrSet, type CidrSet } from './cidr.js';
import { AggregateWindow } from './aggregate.js';
import { buildAlert } from './alert-builder.js';
import { getter, RESOURCE_FIELD, type Getter } from './condition-compiler.js';
import { BUILTIN_DETECTORS } from './detectors/index.js';
import { applyThreshold, DetectionTuning, type EffectiveMatcher, type MatcherTuning } from './tuning.js';
import type { ThresholdValues } from '../policy/thresholds.js';

export interface EngineOptions {
  /** Node name put in alerts whose event carries no host. */
  host: string;
  /** Milliseconds since epoch; used by flush() when no time is given. */
  clock?: () => number;
  newId?: () => string;
  /** Threat-IP list (CIDRs) for network/abnormal-outbound. */
  threatIps?: CidrSet | string[];
  /** Container policies (process whitelist, file protection). */
  policies?: PolicyLookup;
  /**
   * The runtime policies' decision (src/core/policy/stage.ts, `PolicyStage.violations`): when given,
   * the process-whitelist and file-protection detectors raise its violations (rule `policy:<name>`)
   * instead of looking up `policies`. The runtime pipeline passes it, so there is one decision.
   */
  policyDecision?: PolicyDecision;
  /** Detectors to run; default: the built-in ones when a built-in ruleset is loaded, else none. */
  detectors?: readonly Detector[];
  /** Max keys per aggregating rule (memory bound). */
  maxAggregateKeys?: number;
  /**
   * Detection policies (src/core/rules/tuning.ts): types on/off, severities,
   * allowlists (exceptions) and thresholds, applied to rules and detectors by
   * alert type. Without it the thresholds' defaults apply.
   */
  tuning?: DetectionTuning;
}

export interface EngineStats {
  events: number;
  alerts: number;
  byRule: Record<string, number>;
}

type Matcher =
  { kind: 'rule'; rule: Rule; win?: AggregateWindow; tune?: MatcherTuning } | { kind: 'detector'; det: Detector; fn: DetectorFn; tune?: MatcherTuning };

interface SourceIndex {
  byType: Map<string, Matcher[]>;
  any: Matcher[];
  /**
   * Audit events: the matchers of `any` an event of each ka.target.resource
   * value can meet, and those for any other value (or none). A rule that
   * ANDs a test of the resource cannot match another resource, so it is
   * left out of the other lists; load order is kept within each list.
   */
  byResource?: Map<string, Matcher[]>;
  otherResource?: Matcher[];
  resourceOf?: Getter;
}

export class Engine {
  /** The rules as the engine runs them (thresholds applied), disabled ones included. */
  readonly rules: Rule[];
  readonly detectors: Detector[];
  /** The detection policies' tuning (an empty one when none was given). */
  readonly tuning: DetectionTuning;
  /** The thresholds in force (durations in ms): the CPU sampler reads `thresholds.cpu`. */
  readonly thresholds: ThresholdValues;
  /** Rules and detectors turned off for every event by a detection policy. */
  readonly off: string[] = [];
  private readonly idx = new Map<EventSource, SourceIndex>();
  private readonly host: string;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly windows: AggregateWindow[] = [];
  private events = 0;
  private alerts = 0;
  private readonly byRule = new Map<string, number>();

  constructor(rulesets: Ruleset | Ruleset[], opts: EngineOptions) {
    const sets = Array.isArray(rulesets) ? rulesets : [rulesets];
    this.host = opts.host;
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? randomUUID;
    // A later ruleset's rule replaces an earlier one of the same name.
    const byName = new Map<string, Rule>();
    for (const s of sets)
      for (const r of s.rules) {
        byName.delete(r.name);
        byName.set(r.name, r);
      }
    this.tuning = opts.tuning ?? new DetectionTuning([]);
    this.thresholds = this.tuning.thresholds;
    this.rules = [...byName.values()].map((r) => applyThreshold(r, this.thresholds, this.tuning.thresholdFrom));
    const threatIps = Array.isArray(opts.threatIps) ? cidrSet(opts.threatIps) : opts.threatIps;
    const dets = opts.detectors ?? (sets.some((s) => s.builtin) ? BUILTIN_DETECTORS : []);
    const ctx = {
      host: opts.host,
      ...(threatIps ? { threatIps } : {}),
      ...(opts.policies ? { policies: opts.policies } : {}),
      ...(opts.policyDecision ? { policyDecision: opts.policyDecision } : {}),
      thresholds: this.thresholds,
    };
    const matchers: Array<{ m: Matcher; source: EventSource; types: string[] | null; resources?: ReadonlySet<string> }> = [];
    for (const rule of this.rules) {
      const tune = this.tuning.matcher(rule.type, rule.source);
      if (tune?.off) {
        this.off.push(rule.name);
        continue;
      }
      const m: Matcher = tune ? { kind: 'rule', rule, tune } : { kind: 'rule', rule };
      if (rule.aggregate) {
        m.win = new AggregateWindow(rule.aggregate.windowMs, rule.aggregate.threshold, opts.maxAggregateKeys);
        this.windows.push(m.win);
      }
      matchers.push(
        rule.resources ? { m, source: rule.source, types: rule.evtTypes, resources: rule.resources } : { m, source: rule.source, types: rule.evtTypes },
      );
    }
    this.detectors = [];
    for (const det of dets) {
      const fn = det.create(ctx);
      if (!fn) continue;
      this.detectors.push(det);
      const tune = this.tuning.matcher(det.type, det.source);
      if (tune?.off) {
        this.off.push(det.id);
        continue;
      }
      matchers.push({ m: tune ? { kind: 'detector', det, fn, tune } : { kind: 'detector', det, fn }, source: det.source, types: det.evtTypes });
    }
    for (const source of ['syscall', 'k8s_audit'] as EventSource[]) {
      const mine = matchers.filter((x) => x.source === source);
      const types = new Set<string>();
      for (const x of mine) for (const t of x.types ?? []) types.add(t);
      const any = mine.filter((x) => x.types === null).map((x) => x.m);
      const byType = new Map<string, Matcher[]>();
      // Keep load order within each type's list: rules, then detectors.
      for (const t of types)
        byType.set(
          t,
          mine.filter((x) => x.types === null || x.types.includes(t)).map((x) => x.m),
        );
      const ix: SourceIndex = { byType, any };
      const anyOf = mine.filter((x) => x.types === null);
      if (source === 'k8s_audit' && anyOf.some((x) => x.resources)) {
        const values = new Set<string>();
        for (const x of anyOf) for (const v of x.resources ?? []) values.add(v);
        ix.byResource = new Map();
        for (const v of values)
          ix.byResource.set(
            v,
            anyOf.filter((x) => !x.resources || x.resources.has(v)).map((x) => x.m),
          );
        ix.otherResource = anyOf.filter((x) => !x.resources).map((x) => x.m);
        ix.resourceOf = getter(RESOURCE_FIELD, source).get;
      }
      this.idx.set(source, ix);
    }
  }

  /** Evaluate one event; returns the alerts it raises (often none). */
  process(e: EngineEvent): Alert[] {
    this.events++;
    const ix = this.idx.get(e.source);
    if (!ix) return [];
    let list: Matcher[];
    if (e.source === 'syscall') list = ix.byType.get(e.type) ?? ix.any;
    else if (ix.resourceOf) {
      const v = ix.resourceOf(e);
      list = (typeof v === 'string' ? ix.byResource!.get(v) : undefined) ?? ix.otherResource!;
    } else list = ix.any;
    let out: Alert[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (m.kind === 'rule') {
        const r = m.rule;
        if (!r.match(e)) continue;
        // The policies' exceptions and scoped switches act as part of the condition: before the window counts.
        const sev = m.tune ? m.tune.decide(e) : undefined;
        if (sev === null) continue;
        let message = r.out.render(e);
        if (m.win) {
          const a = r.aggregate!;
          let key = '';
          for (const g of a.getters) key += `${String(g(e))}\u001f`;
          const n = m.win.hit(key, e.time);
          if (!n) continue;
          message += ` (${n} events within ${a.windowMs / 1000}s)`;
        }
        (out ??= []).push(
          this.emit(e, {
            type: r.type,
            severity: sev ?? r.severity,
            message,
            rule: r.name,
            remedy: r.remedy,
            tags: r.tags,
            fields: r.out.values(e),
          }),
        );
      } else {
        const res = m.fn(e);
        if (!res) continue;
        const sev = m.tune ? m.tune.decide(e) : undefined;
        if (sev === null) continue;
        for (const h of Array.isArray(res) ? res : [res]) {
          (out ??= []).push(
            this.emit(e, {
              type: m.det.type,
              severity: sev ?? h.severity ?? m.det.severity,
              message: h.message,
              rule: h.rule ?? m.det.id,
              remedy: m.det.remedy,
              tags: [],
              fields: h.fields,
              action: h.action,
            }),
          );
        }
      }
    }
    return out ?? [];
  }

  /** Evict aggregation windows that expired at `now` (event time; default the clock). Returns alerts due at flush (none today). */
  flush(now: number = this.clock()): Alert[] {
    for (const w of this.windows) w.flush(now);
    return [];
  }

  /** The rules and detectors of this engine, for the effective configuration (src/core/rules/tuning.ts). */
  matchers(): EffectiveMatcher[] {
    return [
      ...this.rules.map((r): EffectiveMatcher => ({ kind: 'rule', name: r.name, type: r.type, source: r.source, severity: r.severity, file: r.file })),
      ...this.detectors.map((d): EffectiveMatcher => ({ kind: 'detector', name: d.id, type: d.type, source: d.source, severity: d.severity })),
    ];
  }

  stats(): EngineStats {
    return { events: this.events, alerts: this.alerts, byRule: Object.fromEntries(this.byRule) };
  }

  private emit(
    e: EngineEvent,
    p: {
      type: string;
      severity: Alert['severity'];
      message: string;
      rule: string;
      remedy?: string;
      tags: string[];
      fields?: Record<string, unknown>;
      action?: Alert['action'];
    },
  ): Alert {
    this.alerts++;
    this.byRule.set(p.rule, (this.byRule.get(p.rule) ?? 0) + 1);
    return buildAlert(e, { id: this.newId(), host: this.host, ...p });
  }
}
