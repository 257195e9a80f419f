// The effective detection configuration of a set of detection policies, for
// `vigil rules effective` and the server's API read: the built-in runtime
// rules and detectors and the built-in cluster rules (plus user rule files),
// tuned by the policies exactly as the engines of `runtime watch` and `k8s
// audit` are, explained by effectiveConfig (src/core/rules/tuning.ts).
import { InputError } from '../../core/errors.js';
import { BUILTIN_DETECTORS, Engine, loadRuleset, type RuleFile, type Ruleset } from '../../core/rules/index.js';
import { DetectionTuning, effectiveConfig, type EffectiveConfig } from '../../core/rules/tuning.js';
import type { DetectionPolicy } from '../../core/policy/detection.js';
import { builtinRuleFiles, readRuleFiles } from './load.js';
import { clusterRuleFiles } from '../k8s/cluster-engine.js';

export interface EffectiveOptions {
  /** User rule files (Falco syntax), loaded for both sources as `runtime watch --rules` and `k8s audit --rules` do. */
  ruleFiles?: string[];
  /** Rule files given as text (the server's custom rule files), loaded like `ruleFiles`, each on its own. */
  ruleTexts?: RuleFile[];
  /** Names errors of values checked only when compiling (CIDRs). */
  where?: string;
}

let builtinCache: Promise<{ runtime: Ruleset; cluster: Ruleset }> | undefined;

async function builtins(): Promise<{ runtime: Ruleset; cluster: Ruleset }> {
  builtinCache ??= (async () => ({
    runtime: loadRuleset(await builtinRuleFiles(), { builtin: true }).ruleset,
    cluster: loadRuleset(await clusterRuleFiles(), { builtin: true, source: 'k8s_audit' }).ruleset,
  }))();
  return builtinCache;
}

/** Where a loaded rule comes from: the built-in rules, or a user rule file (a path given, or a text's name). */
export interface RuleSource {
  rule: string;
  type: string;
  source: 'syscall' | 'k8s_audit';
  builtin: boolean;
  file: string;
}

export async function effectiveDetection(
  policies: readonly DetectionPolicy[],
  o: EffectiveOptions = {},
): Promise<EffectiveConfig & { rulesets: string[]; ruleSources: RuleSource[] }> {
  const { runtime, cluster } = await builtins();
  const tuning = new DetectionTuning(policies, o.where);
  const userSys: Ruleset[] = [];
  const userK8s: Ruleset[] = [];
  const groups: RuleFile[][] = [...(o.ruleFiles?.length ? [await readRuleFiles(o.ruleFiles)] : []), ...(o.ruleTexts ?? []).map((f) => [f])];
  for (const files of groups) {
    for (const [source, out] of [
      ['syscall', userSys],
      ['k8s_audit', userK8s],
    ] as const) {
      const r = loadRuleset(files, { builtin: false, source });
      const err = r.diagnostics.find((d) => d.severity === 'error');
      if (err) throw new InputError('RULES_INVALID', `${err.message} (${err.code})`, `${err.file}:${err.line}:${err.column}`);
      // A file's rules belong to one source: keep those of this pass's source.
      out.push({ ...r.ruleset, rules: r.ruleset.rules.filter((x) => x.source === source) });
    }
  }
  // Every detector, as if every optional input (threat list, runtime policies) were configured.
  const sys = new Engine([runtime, ...userSys], {
    host: 'effective',
    tuning,
    threatIps: ['192.0.2.0/32'],
    detectors: BUILTIN_DETECTORS,
    policyDecision: () => [],
  });
  const k8s = new Engine([cluster, ...userK8s], { host: 'effective', tuning, detectors: [] });
  const eff = effectiveConfig([...sys.matchers(), ...k8s.matchers()], [...sys.rules, ...k8s.rules], tuning);
  const ruleSources = [...sys.rules, ...k8s.rules].map((r) => ({ rule: r.name, type: r.type, source: r.source, builtin: r.builtin, file: r.file }));
  return { ...eff, rulesets: [runtime.version, cluster.version, ...userSys.map((u) => u.version)], ruleSources };
}
