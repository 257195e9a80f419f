// The shared RuleTester-style harness for rule files (rules/builtin,
// rules/cluster, user files through `vigil rules test`): `fires` cases name
// the alert type they expect, `silent` cases must raise nothing. Each case
// runs in a fresh engine with a fixed clock and ids. Pure: callers read the
// files (tests use node:fs) and wrap the call in node:test.
import type { Alert } from '../alerts/types.js';
import type { EngineEvent } from '../events/event.js';
import type { Diagnostic } from './diagnostics.js';
import { loadRuleset, type LoadOptions, type RuleFile, type Ruleset } from './loader.js';
import { Engine, type EngineOptions } from './engine.js';
import { makeEvent, TEST_TIME, type PartialEvent } from './event-builders.js';

export type CaseEvent = EngineEvent | PartialEvent;

export interface FiresCase {
  name?: string;
  /** One event, or a sequence (aggregation). */
  event?: CaseEvent;
  events?: CaseEvent[];
  /** Expected alert type (`system/reverse-shell`, `custom/My rule`). */
  type: string;
  /** Expected rule name, when several rules share the type. */
  rule?: string;
}

export interface SilentCase {
  name?: string;
  event?: CaseEvent;
  events?: CaseEvent[];
}

export interface RuleTesterOptions extends LoadOptions {
  /** Engine options for every case (threatIps, policies, detectors). */
  engine?: Partial<EngineOptions>;
  /** Also require that no rule of the files is skipped or fails to load (default true). */
  strict?: boolean;
}

export interface CaseResult {
  kind: 'fires' | 'silent';
  name: string;
  ok: boolean;
  detail?: string;
  alerts: Alert[];
}

export interface RuleTestReport {
  ruleset: Ruleset;
  diagnostics: Diagnostic[];
  results: CaseResult[];
  /** Load problems that fail the run in strict mode. */
  loadFailures: string[];
  ok: boolean;
}

function toEvent(x: CaseEvent): EngineEvent {
  const s = (x as EngineEvent).source;
  if (s === 'k8s_audit') return x as EngineEvent;
  if (s === 'syscall' && (x as { proc?: { pid?: unknown } }).proc?.pid !== undefined) return x as EngineEvent;
  return makeEvent(x as PartialEvent);
}

function eventsOf(c: { event?: CaseEvent; events?: CaseEvent[] }): EngineEvent[] {
  return (c.events ?? (c.event ? [c.event] : [])).map(toEvent);
}

function describeEvent(c: { event?: CaseEvent; events?: CaseEvent[] }): string {
  const e = eventsOf(c)[0];
  if (!e) return '(no event)';
  if (e.source === 'syscall') return `${e.type} ${e.proc.name}${e.fd?.name ? ` ${e.fd.name}` : ''}${e.proc.args ? ` [${e.proc.args.join(' ')}]` : ''}`;
  return `audit ${String((e.audit as Record<string, unknown>).verb ?? '')}`;
}

export function runRuleCases(
  files: RuleFile | RuleFile[] | Ruleset,
  cases: { fires?: FiresCase[]; silent?: SilentCase[] },
  opts: RuleTesterOptions = {},
): RuleTestReport {
  let ruleset: Ruleset;
  let diagnostics: Diagnostic[] = [];
  if ('rules' in files && 'version' in files) ruleset = files as Ruleset;
  else {
    const r = loadRuleset(Array.isArray(files) ? files : [files as RuleFile], {
      builtin: opts.builtin ?? true,
      ...(opts.source ? { source: opts.source } : {}),
    });
    ruleset = r.ruleset;
    diagnostics = r.diagnostics;
  }
  const loadFailures: string[] = [];
  if (opts.strict !== false) {
    for (const d of diagnostics)
      if (d.severity === 'error' || d.code === 'UNSUPPORTED_FIELD') loadFailures.push(`${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
  }
  const results: CaseResult[] = [];
  let seq = 0;
  const engine = () => new Engine(ruleset, { host: 'test-node', clock: () => TEST_TIME, newId: () => `alert-${++seq}`, ...opts.engine });
  (cases.fires ?? []).forEach((c, i) => {
    const en = engine();
    const alerts = eventsOf(c).flatMap((e) => en.process(e));
    const hit = alerts.find((a) => a.type === c.type && (!c.rule || a.rule === c.rule));
    const name = c.name ?? `fires #${i + 1} ${c.type}: ${describeEvent(c)}`;
    results.push(
      hit
        ? { kind: 'fires', name, ok: true, alerts }
        : {
            kind: 'fires',
            name,
            ok: false,
            alerts,
            detail: `expected ${c.type}${c.rule ? ` from '${c.rule}'` : ''}, got ${alerts.length ? alerts.map((a) => `${a.type} (${a.rule})`).join(', ') : 'no alert'}`,
          },
    );
  });
  (cases.silent ?? []).forEach((c, i) => {
    const en = engine();
    const alerts = eventsOf(c).flatMap((e) => en.process(e));
    const name = c.name ?? `silent #${i + 1}: ${describeEvent(c)}`;
    results.push(
      alerts.length === 0
        ? { kind: 'silent', name, ok: true, alerts }
        : {
            kind: 'silent',
            name,
            ok: false,
            alerts,
            detail: `expected no alert, got ${alerts.map((a) => `${a.type} (${a.rule}): ${a.message}`).join('; ')}`,
          },
    );
  });
  return { ruleset, diagnostics, results, loadFailures, ok: loadFailures.length === 0 && results.every((r) => r.ok) };
}

/** Run the cases; throws one Error listing every failure (use inside a node:test test). */
export function ruleTester(
  files: RuleFile | RuleFile[] | Ruleset,
  cases: { fires?: FiresCase[]; silent?: SilentCase[] },
  opts: RuleTesterOptions = {},
): RuleTestReport {
  const rep = runRuleCases(files, cases, opts);
  if (!rep.ok) {
    const lines = [...rep.loadFailures.map((l) => `load: ${l}`), ...rep.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)];
    throw new Error(`rule tests failed:\n  ${lines.join('\n  ')}`);
  }
  if ((cases.fires?.length ?? 0) === 0 || (cases.silent?.length ?? 0) === 0) {
    throw new Error('rule tests need at least one fires case and one silent case');
  }
  return rep;
}
