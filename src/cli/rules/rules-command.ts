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
import { effectiveDetection } from '../../node/rules/effective.js';
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
export async function rulesEffective(opts: RulesOptions & { policy?: string[]; rules?: string[] }): Promise<number> {
  const format = checkFormat(opts.format);
  const read = readPolicyFiles(opts.policy ?? []);
  const eff = await effectiveDetection(read.detection?.policies ?? [], {
    ...(opts.rules?.length ? { ruleFiles: opts.rules } : {}),
    where: (opts.policy ?? []).join(', '),
  });
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(eff, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
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
