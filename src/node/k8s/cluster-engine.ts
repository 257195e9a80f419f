// Builds the cluster detection pipeline for the commands and the server:
// Vigil's built-in cluster rules (rules/cluster/*.yaml, catalog types) plus
// optional user rule files (alerts typed custom/<rule name>), one engine,
// the k8s pipeline around it, the forbidden-burst flags and the detection
// policies (src/core/rules/tuning.ts; a policy's forbidden-burst threshold
// wins over the flags).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Engine, loadRuleset, type Diagnostic, type Ruleset, type RuleFile } from '../../core/rules/index.js';
import { K8sAuditPipeline } from '../../core/k8s/pipeline.js';
import { readRuleFiles } from '../rules/load.js';
import { InputError } from '../../core/errors.js';
import { DetectionTuning } from '../../core/rules/tuning.js';
import type { DetectionPolicy } from '../../core/policy/detection.js';

export const FORBIDDEN_BURST_RULE = 'K8s Forbidden Request Burst';

export function clusterRulesDir(): string {
  return fileURLToPath(new URL('../../../rules/cluster/', import.meta.url));
}

export async function clusterRuleFiles(): Promise<RuleFile[]> {
  const dir = clusterRulesDir();
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(names.map(async (n) => ({ name: `rules/cluster/${n}`, text: await readFile(join(dir, n), 'utf8') })));
}

export interface ClusterEngineOptions {
  rules?: string[];
  host?: string;
  forbiddenThreshold?: number;
  forbiddenWindowMs?: number;
  /** Detection policies (validated), applied in order. */
  detection?: readonly DetectionPolicy[];
  newId?: () => string;
}

export interface ClusterEngine {
  pipeline: K8sAuditPipeline;
  engine: Engine;
  builtin: Ruleset;
  user?: Ruleset;
  diagnostics: Diagnostic[];
}

export async function createClusterEngine(o: ClusterEngineOptions = {}): Promise<ClusterEngine> {
  const b = loadRuleset(await clusterRuleFiles(), { builtin: true, source: 'k8s_audit' });
  const bad = b.diagnostics.filter((d) => d.severity === 'error');
  if (bad.length) throw new Error(`built-in cluster rules do not load: ${bad[0]!.file}:${bad[0]!.line} ${bad[0]!.message}`);
  const burst = b.ruleset.rules.find((r) => r.name === FORBIDDEN_BURST_RULE);
  if (burst?.aggregate) {
    if (o.forbiddenThreshold !== undefined) {
      if (!Number.isInteger(o.forbiddenThreshold) || o.forbiddenThreshold < 1)
        throw new InputError('USAGE', `--forbidden-threshold must be a positive integer, not ${o.forbiddenThreshold}`);
      burst.aggregate.threshold = o.forbiddenThreshold;
    }
    if (o.forbiddenWindowMs !== undefined) burst.aggregate.windowMs = o.forbiddenWindowMs;
  }
  const sets: Ruleset[] = [b.ruleset];
  const diagnostics = [...b.diagnostics];
  let user: Ruleset | undefined;
  if (o.rules?.length) {
    const u = loadRuleset(await readRuleFiles(o.rules), { builtin: false, source: 'k8s_audit' });
    diagnostics.push(...u.diagnostics);
    user = u.ruleset;
    sets.push(u.ruleset);
  }
  const engine = new Engine(sets, {
    host: o.host ?? 'cluster',
    detectors: [],
    ...(o.newId ? { newId: o.newId } : {}),
    ...(o.detection?.length ? { tuning: new DetectionTuning(o.detection) } : {}),
  });
  const r: ClusterEngine = { pipeline: new K8sAuditPipeline(engine), engine, builtin: b.ruleset, diagnostics };
  if (user) r.user = user;
  return r;
}
