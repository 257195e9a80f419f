// The detection engine as runtime watch uses it: the built-in rules plus the
// user's rule files and threat-IP list (src/node/rules/threat-ips.ts), compiled once, fed one event at a
// time. Owns only the binding to the engine's public API
// (src/core/rules/index.ts, src/node/rules/load.ts); rule load errors become
// one-line InputErrors. With runtime policies, the engine gets the policy
// stage's decision (src/core/policy/stage.ts) as `policyDecision`: its
// process-whitelist and file-protection detectors word the violations the
// pipeline already decided (and acted on), so there is one decision path.
// Detection policies (`kind: DetectionPolicy`) tune it (src/core/rules/tuning.ts).
import type { Alert } from '../../core/alerts/types.js';
import type { EngineEvent } from '../../core/events/event.js';
import { InputError } from '../../core/errors.js';
import { Engine, BUILTIN_DETECTORS, POLICY_DETECTORS, type Diagnostic, type LoadResult, type PolicyDecision } from '../../core/rules/index.js';
import { DetectionTuning } from '../../core/rules/tuning.js';
import type { DetectionPolicy } from '../../core/policy/detection.js';
import { loadBuiltinRules, loadRuleFiles } from '../rules/load.js';
import { loadThreatIps } from '../rules/threat-ips.js';

export interface EngineLike {
  process(e: EngineEvent): Alert[];
  /** Evict expired aggregation windows. */
  flush?(nowMs: number): void;
  /** Number of loaded rules, for the start line. */
  readonly ruleCount: number;
  /** The engine itself, when it is the real one (the effective configuration reads it). */
  readonly engine?: Engine;
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
  const sets = [];
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
  const engine = new Engine(sets, {
    host: o.host,
    threatIps,
    detectors,
    ...(o.policyDecision ? { policyDecision: o.policyDecision } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.detection?.length ? { tuning: new DetectionTuning(o.detection) } : {}),
  });
  return { process: (e) => engine.process(e), flush: (now) => engine.flush(now), ruleCount: engine.rules.length - engine.off.length, engine };
}
