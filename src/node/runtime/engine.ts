// The detection engine as runtime watch uses it: the built-in rules plus the
// user's rule files and threat-IP list (src/node/rules/threat-ips.ts), compiled once, fed one event at a
// time. Owns only the binding to the engine's public API
// (src/core/rules/index.ts, src/node/rules/load.ts); rule load errors become
// one-line InputErrors. With runtime policies, the engine gets the policy
// stage's decision (src/core/policy/stage.ts) as `policyDecision`: its
// process-whitelist and file-protection detectors word the violations the
// pipeline already decided (and acted on), so there is one decision path.
// Detection policies (`kind: DetectionPolicy`) tune it (src/core/rules/tuning.ts);
// `retune` swaps them live (the agent's pushed policies): the compiled rules
// are kept and a new Engine is built over them with the new tuning, so the
// aggregation windows start empty again.
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/events/event.js';
import { InputError } from '../../core/errors.js';
import { Engine, BUILTIN_DETECTORS, POLICY_DETECTORS, type Diagnostic, type LoadResult, type PolicyDecision, type Ruleset } from '../../core/rules/index.js';
import { DetectionTuning, effectiveConfig, type EffectiveConfig } from '../../core/rules/tuning.js';
import type { DetectionPolicy } from '../../core/policy/detection.js';
import { loadBuiltinRules, loadRuleFiles } from '../rules/load.js';
import { loadThreatIps } from '../rules/threat-ips.js';
import type { CidrSet } from '../../core/rules/cidr.js';

export interface EngineLike {
  process(e: EngineEvent): Alert[];
  /** Evict expired aggregation windows. */
  flush?(nowMs: number): void;
  /** Number of loaded rules, for the start line. */
  readonly ruleCount: number;
  /** The engine itself, when it is the real one (the effective configuration reads it); replaced by `retune`. */
  readonly engine?: Engine;
  /** Replace the detection policies in force (validated, in order), and the server's rule sets and threat-IP entries when given, for the next event on. */
  retune?(detection: readonly DetectionPolicy[], extra?: EngineExtra): void;
}

/** What the server adds to the agent's engine (docs/rules.md): its custom rule sets and threat-IP entries. */
export interface EngineExtra {
  rules: readonly Ruleset[];
  threatIps: CidrSet;
}

/** Both lists: an address on either is listed. */
function unionSet(a: CidrSet, b: CidrSet | undefined): CidrSet {
  if (!b?.size) return a;
  return { size: a.size + b.size, has: (ip) => a.has(ip) || b.has(ip) };
}

export interface EngineLoadOptions {
  ruleFiles?: string[];
  threatIpsFile?: string;
  host: string;
  /** Load the built-in rules (default true). */
  builtin?: boolean;
  /** The runtime policies' decision (PolicyStage.violations); its detectors load even without the built-in rules. */
  policyDecision?: PolicyDecision;
  /** Detection policies (validated), applied in order. */
  detection?: readonly DetectionPolicy[];
  clock?: () => number;
}

function firstError(r: LoadResult): Diagnostic | undefined {
  return r.diagnostics.find((d) => d.severity === 'error');
}

export async function loadEngine(o: EngineLoadOptions): Promise<EngineLike> {
  const sets: Ruleset[] = [];
  if (o.builtin !== false) {
    const builtin = await loadBuiltinRules();
    const bErr = firstError(builtin);
    if (bErr) throw new InputError('RULES_INVALID', `${bErr.message} (${bErr.code})`, `${bErr.file}:${bErr.line}`);
    sets.push(builtin.ruleset);
  }
  if (o.ruleFiles?.length) {
    const user = await loadRuleFiles(o.ruleFiles, { source: 'syscall' });
    const err = firstError(user);
    if (err) throw new InputError('RULES_INVALID', `${err.message} (${err.code})`, `${err.file}:${err.line}:${err.column}`);
    sets.push(user.ruleset);
  }
  // No file: the default list (docs/rules.md), so the detection can be checked end to end.
  const threatIps = await loadThreatIps(o.threatIpsFile);
  const detectors = o.builtin !== false ? BUILTIN_DETECTORS : o.policyDecision ? POLICY_DETECTORS : [];
  let extra: EngineExtra | undefined;
  const build = (detection: readonly DetectionPolicy[] | undefined) =>
    new Engine(extra?.rules.length ? [...sets, ...extra.rules] : sets, {
      host: o.host,
      threatIps: unionSet(threatIps, extra?.threatIps),
      detectors,
      ...(o.policyDecision ? { policyDecision: o.policyDecision } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(detection?.length ? { tuning: new DetectionTuning(detection) } : {}),
    });
  let engine = build(o.detection);
  return {
    process: (e) => engine.process(e),
    flush: (now) => engine.flush(now),
    get ruleCount() {
      return engine.rules.length - engine.off.length;
    },
    get engine() {
      return engine;
    },
    retune: (detection, next) => {
      if (next) extra = next;
      engine = build(detection);
    },
  };
}

/** The running engine's detection policies, handed to runtime watch's `livePolicies` (the agent's pushed ones replace them live). */
export interface LiveDetection {
  /** The local --policy files' detection policies (and the --thresholds file's CPU values): they win over pushed ones of the same name. */
  local: readonly DetectionPolicy[];
  /** Put `policies` (validated, in order) and the server's rules and threat list (when given) in force from the next event on; returns the effective configuration now applied. */
  apply(policies: readonly DetectionPolicy[], extra?: EngineExtra): EffectiveConfig | undefined;
}

export function liveDetection(engine: EngineLike | null, local: readonly DetectionPolicy[]): LiveDetection {
  return {
    local,
    apply: (policies, extra) => {
      if (!engine?.retune) return undefined;
      engine.retune(policies, extra);
      const en = engine.engine!;
      return effectiveConfig(en.matchers(), en.rules, en.tuning);
    },
  };
}
