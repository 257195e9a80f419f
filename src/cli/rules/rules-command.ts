// `vigil rules lint|test|list|effective`: load rule files and explain every problem,
// run rules' embedded examples, list the built-in rules and detectors, show
// the effective configuration under detection policies.
import { colors as pc } from '../terminal.js';
import { InputError } from '../../core/errors.js';
import {
  BUILTIN_DETECTORS,
  Engine,
  loadRuleset,
  makeEvent,
  type Diagnostic,
  type EngineEvent,
  type Rule,
  type RuleFile,
  type Ruleset,
} from '../../core/rules/index.js';
import type { PartialEvent } from '../../core/rules/event-builders.js';
import { builtinRuleFiles, readRuleFiles } from '../../node/rules/load.js';
import { effectiveDetection, type RuleSource } from '../../node/rules/effective.js';
import { readSavedSet, SERVER_RULE_PREFIX } from '../../node/agent/saved-set.js';
import { validateDetectionPolicy } from '../../core/policy/detection.js';
import { statSync } from 'node:fs';
import { readPolicyFiles } from '../../node/runtime/policy-file.js';
import type { DetectionScope } from '../../core/policy/detection.js';

export interface RulesOptions {
  format?: string;
  builtin?: boolean;
  source?: string;
}

function checkFormat(f: string | undefined): 'table' | 'json' {
  const v = f ?? 'table';
  if (v !== 'table' && v !== 'json') throw new InputError('USAGE', `--format must be table or json, not '${v}'`);
  return v;
}

function source(s: string | undefined): 'syscall' | 'k8s_audit' | undefined {
  if (s === undefined) return undefined;
  if (s !== 'syscall' && s !== 'k8s_audit') throw new InputError('USAGE', `--source must be syscall or k8s_audit, not '${s}'`);
  return s;
}

async function filesOf(paths: string[], builtin: boolean): Promise<RuleFile[]> {
  if (paths.length) return readRuleFiles(paths);
  if (builtin) return builtinRuleFiles();
  throw new InputError('USAGE', 'give one or more rule files (or --builtin)');
}

function diagLine(d: Diagnostic): string {
  const sev = d.severity === 'error' ? pc.red('error') : pc.yellow('warning');
  return `${d.file}:${d.line}:${d.column}  ${sev}  ${d.code}  ${d.message}`;
}

/** `vigil rules lint FILE...`: exit 1 when any error, else 0. */
export async function rulesLint(paths: string[], opts: RulesOptions): Promise<number> {
  const format = checkFormat(opts.format);
  const builtin = opts.builtin === true;
  const files = await filesOf(paths, builtin);
  const src = source(opts.source);
  const { ruleset, diagnostics } = loadRuleset(files, { builtin, ...(src ? { source: src } : {}) });
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        {
          version: ruleset.version,
          rules: ruleset.rules.length,
          disabled: ruleset.disabled,
          skipped: ruleset.skipped,
          errors,
          warnings,
          diagnostics,
        },
        null,
        2,
      )}\n`,
    );
    return errors ? 1 : 0;
  }
  const lines: string[] = diagnostics.map(diagLine);
  if (ruleset.skipped.length) {
    lines.push('', pc.bold(`Skipped rules (${ruleset.skipped.length}):`));
    for (const s of ruleset.skipped) lines.push(`  ${s.name}  [${s.code}] ${s.message}  (${s.file}:${s.line})`);
  }
  lines.push(
    '',
    `${ruleset.rules.length} rule${ruleset.rules.length === 1 ? '' : 's'} loaded, ${ruleset.skipped.length} skipped, ${ruleset.disabled.length} disabled; ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (ruleset ${ruleset.version})`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  return errors ? 1 : 0;
}

type Example = EngineEvent | PartialEvent | { events: Array<EngineEvent | PartialEvent> };

function toEvents(x: Example): EngineEvent[] {
  const list = (x as { events?: unknown[] }).events ? (x as { events: Array<EngineEvent | PartialEvent> }).events : [x as EngineEvent | PartialEvent];
  return list.map((e) => {
    if ((e as EngineEvent).source === 'k8s_audit') return e as EngineEvent;
    if (!e || typeof e !== 'object') throw new InputError('RULES_EXAMPLE_INVALID', 'an example is not an event object');
    return makeEvent(e as PartialEvent);
  });
}

/** `vigil rules test FILE...`: run the examples embedded in rules; exit 1 when one fails. */
export async function rulesTest(paths: string[], opts: RulesOptions): Promise<number> {
  const format = checkFormat(opts.format);
  const builtin = opts.builtin === true || paths.length === 0;
  const files = await filesOf(paths, builtin);
  const src = source(opts.source);
  const { ruleset, diagnostics } = loadRuleset(files, { builtin, ...(src ? { source: src } : {}) });
  const results: Array<{ rule: string; kind: 'fires' | 'silent'; index: number; ok: boolean; detail?: string }> = [];
  const run = (rs: Ruleset, rule: Rule, ex: Example): string[] => {
    const en = new Engine(rs, { host: 'rules-test', clock: () => 0, newId: () => 'example', detectors: [] });
    return toEvents(ex)
      .flatMap((e) => en.process(e))
      .filter((a) => a.rule === rule.name)
      .map((a) => a.type);
  };
  let withExamples = 0;
  for (const rule of ruleset.rules) {
    if (!rule.examples) continue;
    withExamples++;
    (rule.examples.fires ?? []).forEach((ex, i) => {
      try {
        const types = run(ruleset, rule, ex as Example);
        results.push(
          types.includes(rule.type)
            ? { rule: rule.name, kind: 'fires', index: i, ok: true }
            : { rule: rule.name, kind: 'fires', index: i, ok: false, detail: 'did not fire' },
        );
      } catch (e) {
        results.push({ rule: rule.name, kind: 'fires', index: i, ok: false, detail: (e as Error).message });
      }
    });
    (rule.examples.silent ?? []).forEach((ex, i) => {
      try {
        const types = run(ruleset, rule, ex as Example);
        results.push(
          types.length === 0
            ? { rule: rule.name, kind: 'silent', index: i, ok: true }
            : { rule: rule.name, kind: 'silent', index: i, ok: false, detail: `fired ${types.length} time(s)` },
        );
      } catch (e) {
        results.push({ rule: rule.name, kind: 'silent', index: i, ok: false, detail: (e as Error).message });
      }
    });
  }
  const failed = results.filter((r) => !r.ok);
  const loadErrors = diagnostics.filter((d) => d.severity === 'error');
  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ rules: ruleset.rules.length, withExamples, passed: results.length - failed.length, failed: failed.length, results, loadErrors }, null, 2)}\n`,
    );
  } else {
    const lines = loadErrors.map(diagLine);
    for (const r of results) lines.push(`${r.ok ? pc.green('ok  ') : pc.red('FAIL')}  ${r.rule}  ${r.kind} #${r.index + 1}${r.detail ? `: ${r.detail}` : ''}`);
    lines.push('', `${results.length - failed.length} passed, ${failed.length} failed; ${withExamples} of ${ruleset.rules.length} rules have examples`, '');
    process.stdout.write(lines.join('\n'));
  }
  return failed.length || loadErrors.length ? 1 : 0;
}

/** `vigil rules list`: the built-in rules and detectors with their alert types. */
export async function rulesList(opts: RulesOptions): Promise<number> {
  const format = checkFormat(opts.format);
  const { ruleset } = loadRuleset(await builtinRuleFiles(), { builtin: true });
  const rows = [
    ...ruleset.rules.map((r) => ({
      kind: 'rule',
      name: r.name,
      type: r.type,
      severity: r.severity,
      source: r.source,
      events: r.evtTypes?.join(',') ?? '*',
      file: r.file,
      version: r.version,
    })),
    ...BUILTIN_DETECTORS.map((d) => ({
      kind: 'detector',
      name: d.id,
      type: d.type,
      severity: d.severity,
      source: d.source,
      events: d.evtTypes?.join(',') ?? '*',
      file: `src/core/rules/detectors/${d.id}`,
      version: d.version,
    })),
  ].sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : a.type < b.type ? -1 : 1));
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ version: ruleset.version, rules: rows }, null, 2)}\n`);
    return 0;
  }
  const w0 = Math.max(4, ...rows.map((r) => r.type.length));
  const w1 = Math.max(4, ...rows.map((r) => r.name.length));
  const lines = [pc.bold(`${'TYPE'.padEnd(w0)}  ${'NAME'.padEnd(w1)}  ${'SEVERITY'.padEnd(8)}  KIND      EVENTS`)];
  for (const r of rows)
    lines.push(
      `${r.type.padEnd(w0)}  ${r.name.padEnd(w1)}  ${r.severity.padEnd(8)}  ${r.kind.padEnd(8)}  ${r.events.length > 60 ? `${r.events.slice(0, 57)}...` : r.events}`,
    );
  lines.push('', `${ruleset.rules.length} rules and ${BUILTIN_DETECTORS.length} detectors (ruleset ${ruleset.version})`, '');
  process.stdout.write(lines.join('\n'));
  return 0;
}

function fmtScope(s: DetectionScope): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${(v as string[]).join(',')}`)
    .join(' ');
}

function fmtParam(p: { value: number; unit: string; from: string }): string {
  const v = p.unit === 'ms' ? (p.value % 60_000 === 0 ? `${p.value / 60_000}m` : `${p.value / 1000}s`) : p.unit === 'percent' ? `${p.value}%` : String(p.value);
  return `${v} (${p.from})`;
}

/** `vigil rules effective [--policy FILE]...`: what is enabled, with which thresholds and allowlists, and from which policy. */
/** Where a rule comes from, as a user reads it: the built-in rules, a server rule file NAME, or a local file. */
function ruleOrigin(r: RuleSource): string {
  if (r.builtin) return 'built-in';
  return r.file.startsWith(SERVER_RULE_PREFIX) ? `server rule file ${r.file.slice(SERVER_RULE_PREFIX.length)}` : `local file ${r.file}`;
}

export async function rulesEffective(opts: RulesOptions & { policy?: string[]; rules?: string[]; agentDataDir?: string }): Promise<number> {
  const format = checkFormat(opts.format);
  const read = readPolicyFiles(opts.policy ?? []);
  const local = read.detection?.policies ?? [];
  // An agent's data dir: the set its server pushed last (saved before the agent applies it), merged as the agent
  // merges it: the local --policy files first (they win by name), then the pushed detection policies; the
  // server's rule files next to the built-in and --rules ones, each its own rule set.
  const saved = opts.agentDataDir !== undefined ? readSavedSet(opts.agentDataDir) : undefined;
  const localNames = new Set(local.map((p) => p.name));
  const pushed = (saved?.set.detection ?? [])
    .map((p, i) => validateDetectionPolicy(p, `${saved!.file}: detection[${i}]`))
    .filter((p) => !localNames.has(p.name));
  // A server rule file that does not load here is left out by the agent (with a notice): the same here.
  const leftOut: Array<{ name: string; error: string }> = [];
  const serverRules = (saved?.set.rules ?? [])
    .map((f) => ({ name: `${SERVER_RULE_PREFIX}${f.name}`, text: f.content }))
    .filter((f) => {
      const err = loadRuleset([f], { builtin: false, source: 'syscall' }).diagnostics.find((x) => x.severity === 'error');
      if (err) leftOut.push({ name: f.name.slice(SERVER_RULE_PREFIX.length), error: `${err.line}:${err.column}: ${err.message} (${err.code})` });
      return !err;
    });
  const eff = await effectiveDetection([...local, ...pushed], {
    ...(opts.rules?.length ? { ruleFiles: opts.rules } : {}),
    ...(serverRules.length ? { ruleTexts: serverRules } : {}),
    where: [...(opts.policy ?? []), ...(saved ? [saved.file] : [])].join(', '),
  });
  const { ruleSources, ...rest } = eff;
  const sources = ruleSources.map((r) => ({ rule: r.rule, type: r.type, source: r.source, from: ruleOrigin(r) }));
  const agent = saved && {
    dataDir: opts.agentDataDir!,
    revision: saved.set.revision,
    savedAt: statSync(saved.file).mtime.toISOString(),
    ruleFiles: (saved.set.rules ?? [])
      .filter((f) => !leftOut.some((x) => x.name === f.name))
      .map((f) => ({ name: f.name, rules: sources.filter((r) => r.from === `server rule file ${f.name}`).length })),
    ...(leftOut.length ? { leftOut } : {}),
    threatIps: (saved.set.threatIps ?? []).length,
  };
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ ...rest, rules: sources, ...(agent ? { agent } : {}) }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (agent)
    lines.push(
      `Agent ${agent.dataDir}: the server's set of revision ${agent.revision.slice(0, 19)}, saved ${agent.savedAt}`,
      `  server rule files: ${agent.ruleFiles.length ? agent.ruleFiles.map((f) => `${f.name} (${f.rules} rules)`).join(', ') : 'none'}`,
      ...(agent.leftOut ?? []).map((f) => `  left out (does not load here, as on the agent): ${f.name}: ${f.error}`),
      `  threat list: ${agent.threatIps} entries from the server, added to the agent's own list (its --threat-ips file, or the built-in default)`,
      '',
    );
  lines.push(
    eff.policies.length
      ? `Detection policies, in the order they apply: ${eff.policies.map((p) => (p.scope ? `${p.name} [${fmtScope(p.scope)}]` : p.name)).join(', ')}`
      : 'No detection policy: the built-in defaults.',
    '',
  );
  const w = Math.max(4, ...eff.types.map((t) => t.type.length));
  lines.push(pc.bold(`${'TYPE'.padEnd(w)}  ENABLED  ${'SEVERITY'.padEnd(22)}  FROM`));
  for (const t of eff.types) {
    const en = t.enabled === 'scoped' ? 'scoped' : t.enabled ? 'yes' : 'no';
    const sevs = [...new Set(t.raisedBy.map((r) => r.severity))].join(',');
    const sev = t.severity ? t.severity : t.raisedBy.length ? `${sevs} (rules)` : '-';
    const from =
      [t.enabledFrom !== 'default' ? `enabled: ${t.enabledFrom}` : '', t.severityFrom ? `severity: ${t.severityFrom}` : ''].filter(Boolean).join('; ') ||
      'default';
    lines.push(
      `${t.type.padEnd(w)}  ${(t.enabled === false ? pc.red(en) : en).padEnd(t.enabled === false ? 7 + pc.red('').length : 7)}  ${sev.padEnd(22)}  ${from}`,
    );
    if (!t.raisedBy.length) lines.push(`${' '.repeat(w)}  (no loaded rule or detector raises this type)`);
    // Types a user or server rule raises: every rule of the type, with where it comes from.
    const raisers = sources.filter((r) => r.type === t.type);
    if (raisers.some((r) => r.from !== 'built-in')) lines.push(`${' '.repeat(w)}  rules: ${raisers.map((r) => `"${r.rule}" (${r.from})`).join(', ')}`);
    for (const s of t.scoped)
      lines.push(
        `${' '.repeat(w)}  in [${fmtScope(s.scope)}] (${s.policy}): ${[s.enabled !== undefined ? (s.enabled ? 'on' : 'off') : '', s.severity ? `severity ${s.severity}` : ''].filter(Boolean).join(', ')}`,
      );
    if (t.allow.length) lines.push(`${' '.repeat(w)}  allowlists: ${t.allow.join(', ')}`);
  }
  lines.push('', pc.bold('Thresholds'));
  for (const th of eff.thresholds) {
    const params = Object.entries(th.params)
      .map(([k, p]) => `${k}=${fmtParam(p)}`)
      .join(', ');
    lines.push(`  ${th.key} (${th.type}, rule "${th.rule}"${th.bound ? '' : ', not loaded'}): ${params}`);
  }
  lines.push('', pc.bold('Allowlists (exceptions: the rule does not fire when the entry matches)'));
  if (!eff.allow.length) lines.push('  none');
  for (const a of eff.allow) {
    const match = Object.entries(a.match)
      .map(([k, v]) => `${k}=${(v as string[]).join(',')}`)
      .join(' and ');
    lines.push(
      `  ${a.id}${a.name ? ` "${a.name}"` : ''}: ${match}; types ${a.types === 'all' ? 'all' : a.types.join(',')}${a.scope ? `; in [${fmtScope(a.scope)}]` : ''} (fields ${a.fields.join(', ')})`,
    );
  }
  lines.push('');
  process.stdout.write(lines.join('\n'));
  return 0;
}
