// Loads rule files (Falco's YAML: `list`, `macro`, `rule`, plus Vigil's
// extensions) into a compiled Ruleset. Files are applied in order with
// Falco's semantics (redefinition replaces, `append: true` and `override:`
// extend, a rule entry with only `enabled` toggles), then every enabled rule
// is compiled once. Problems become coded diagnostics; loading never throws
// on bad input, and a broken rule never stops the others.
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Severity } from '../alerts/types.js';
import { SEVERITIES } from '../alerts/types.js';
import { isCatalogType, customType } from '../alerts/catalog.js';
import type { EngineEvent, EventSource } from '../events/event.js';
import type { Diagnostic } from './diagnostics.js';
import { oneLine } from '../errors.js';
import { ConditionSyntaxError, parseCondition, type CondNode, type Value } from './condition-parser.js';
import {
  compileCondition,
  CompileError,
  expandListItems,
  getter,
  UnsupportedFieldError,
  type MacroDef,
  type Node as CompiledNode,
  type Pred,
} from './condition-compiler.js';
import { compileOutput, type CompiledOutput } from './output.js';
import { parsePriority, severityOfPriority, type Priority } from './priority.js';

/** The Falco rules-engine version whose language Vigil implements. */
export const ENGINE_VERSION = '0.57.0';
export const SOURCES: readonly EventSource[] = ['syscall', 'k8s_audit'];

export const LOAD_LIMITS = {
  maxFileBytes: 16 * 1024 * 1024,
  maxEntries: 20_000,
  maxListItems: 200_000,
};

export interface RuleFile {
  /** File name or path as shown in diagnostics. */
  name: string;
  text: string;
}

export interface LoadOptions {
  /** Default source of rules that name none (Falco's default: syscall). */
  source?: EventSource;
  /** Built-in rule files: rules must name a catalog `type`, which their alerts carry. */
  builtin?: boolean;
}

export interface AggregateSpec {
  by: string[];
  windowMs: number;
  threshold: number;
  getters: Array<(e: EngineEvent) => unknown>;
}

export interface Rule {
  name: string;
  desc: string;
  source: EventSource;
  condition: string;
  output: string;
  priority: Priority;
  severity: Severity;
  /** Alert type: a catalog type (built-in rules) or `custom/<name>`. */
  type: string;
  remedy?: string;
  tags: string[];
  version: number;
  file: string;
  line: number;
  builtin: boolean;
  aggregate?: AggregateSpec;
  /** Embedded examples (`vigil rules test`), as written. */
  examples?: { fires?: unknown[]; silent?: unknown[] };
  match: Pred;
  /** evt.types the rule can match; null = every event of its source. */
  evtTypes: string[] | null;
  /** Audit rules: the ka.target.resource values the rule can match (the engine's index); absent = any. */
  resources?: ReadonlySet<string>;
  out: CompiledOutput;
  fields: string[];
}

export interface SkippedRule {
  name: string;
  file: string;
  line: number;
  code: string;
  field?: string;
  message: string;
}

export interface Ruleset {
  /** Content version: declared `ruleset_version` (if any) + digest of the compiled rules. */
  version: string;
  declaredVersion?: string;
  builtin: boolean;
  rules: Rule[];
  /** Rules defined but `enabled: false`. */
  disabled: string[];
  /** Rules that could not be compiled (unsupported field, error). */
  skipped: SkippedRule[];
  files: string[];
  requiredEngineVersion?: string;
}

export interface LoadResult {
  ruleset: Ruleset;
  diagnostics: Diagnostic[];
}

// ---- positions -------------------------------------------------------------

type PosMap = (offset: number) => { line: number; column: number };

/** Map an offset inside a scalar's value to a line/column of the file (folded lines become one space). */
function scalarPosMap(text: string, lc: LineCounter, node: YamlNode | undefined, fallback: number): PosMap {
  if (!node || !node.range)
    return () => {
      const p = lc.linePos(fallback);
      return { line: p.line, column: p.col };
    };
  const type = isScalar(node) ? node.type : undefined;
  let start = node.range[0];
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') start += 1;
  if (type === 'BLOCK_FOLDED' || type === 'BLOCK_LITERAL') {
    const nl = text.indexOf('\n', start);
    start = nl < 0 ? start : nl + 1;
    while (text[start] === ' ' || text[start] === '\t') start++;
  }
  return (offset: number) => {
    let rem = offset;
    let pos = start;
    for (let guard = 0; guard < 100000; guard++) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = text.length;
      const len = eol - pos;
      if (rem <= len || eol >= text.length) break;
      rem -= len + 1;
      pos = eol + 1;
      while (text[pos] === ' ' || text[pos] === '\t') pos++;
    }
    const p = lc.linePos(Math.min(pos + rem, text.length));
    return { line: p.line, column: p.col };
  };
}

interface CondSource {
  text: string;
  segments: Array<{ start: number; map: PosMap; file: string }>;
}

function condAppend(a: CondSource, text: string, map: PosMap, file: string): CondSource {
  const start = a.text.length + 1;
  return { text: `${a.text} ${text}`, segments: [...a.segments, { start, map, file }] };
}

function condPos(c: CondSource, offset: number): { file: string; line: number; column: number } {
  let seg = c.segments[0]!;
  for (const s of c.segments) if (s.start <= offset) seg = s;
  const p = seg.map(offset - seg.start);
  return { file: seg.file, line: p.line, column: p.column };
}

// ---- raw definitions -------------------------------------------------------

interface ListDef {
  name: string;
  items: unknown[];
  file: string;
  line: number;
}
interface MacroRaw {
  name: string;
  cond: CondSource;
  file: string;
  line: number;
}
interface ExceptionDef {
  name: string;
  fields: unknown;
  comps?: unknown;
  values: unknown[];
}
interface RuleRaw {
  name: string;
  file: string;
  line: number;
  column: number;
  desc?: string;
  cond?: CondSource;
  output?: string;
  priority?: unknown;
  severity?: unknown;
  tags: string[];
  enabled: boolean;
  source?: string;
  type?: unknown;
  remedy?: unknown;
  version?: unknown;
  aggregate?: unknown;
  exceptions: ExceptionDef[];
  examples?: unknown;
  builtin: boolean;
}

const RULE_KEYS = new Set([
  'rule',
  'desc',
  'condition',
  'output',
  'priority',
  'tags',
  'enabled',
  'exceptions',
  'source',
  'append',
  'override',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'capture',
  'capture_duration',
  'type',
  'remedy',
  'severity',
  'aggregate',
  'version',
  'examples',
]);
const MACRO_KEYS = new Set(['macro', 'condition', 'append', 'override']);
const LIST_KEYS = new Set(['list', 'items', 'append', 'override']);

/** Parse a duration: `60s`, `5m`, `500ms`, `1h`, or a number of seconds. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && v > 0) return v * 1000;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 1000;
  return n > 0 ? n * mult : undefined;
}

function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** A YAML value as text, for messages and scalar fields: never throws (String() does on a mapping with a `toString` key). */
const text = (v: unknown): string => (v !== null && typeof v === 'object' ? (Array.isArray(v) ? '[list]' : '{mapping}') : String(v));
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

export function loadRuleset(files: RuleFile[], opts: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const defaultSource = opts.source ?? 'syscall';
  const builtin = opts.builtin ?? false;
  const lists = new Map<string, ListDef>();
  const macros = new Map<string, MacroRaw>();
  const rules = new Map<string, RuleRaw>();
  let declaredVersion: string | undefined;
  let requiredEngineVersion: string | undefined;

  for (const file of files) {
    const diag = (code: string, severity: 'warning' | 'error', message: string, line = 1, column = 1, extra: { rule?: string; field?: string } = {}) => {
      diagnostics.push({ code, severity, file: file.name, line, column, ...extra, message });
    };
    if (file.text.length > LOAD_LIMITS.maxFileBytes) {
      diag('FILE_TOO_LARGE', 'error', `file larger than ${LOAD_LIMITS.maxFileBytes} bytes`);
      continue;
    }
    const lc = new LineCounter();
    const doc = parseDocument(file.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length) {
      for (const err of doc.errors.slice(0, 20)) {
        const p = lc.linePos(err.pos[0]);
        diag('YAML_SYNTAX', 'error', err.message.split('\n')[0]!, p.line, p.col);
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || root === undefined) continue;
    if (!isSeq(root)) {
      const p = lc.linePos(root.range?.[0] ?? 0);
      diag('FILE_NOT_LIST', 'error', 'top level must be a list of list/macro/rule entries', p.line, p.col);
      continue;
    }
    if (root.items.length > LOAD_LIMITS.maxEntries) {
      diag('FILE_TOO_LARGE', 'error', `more than ${LOAD_LIMITS.maxEntries} entries`);
      continue;
    }
    let all: unknown[];
    try {
      all = doc.toJS({ maxAliasCount: 100 }) as unknown[];
    } catch (e) {
      diag('YAML_SYNTAX', 'error', (e as Error).message.split('\n')[0]!);
      continue;
    }
    for (const [idx, item] of (root.items as YamlNode[]).entries()) {
      const at = lc.linePos(item?.range?.[0] ?? 0);
      if (!isMap(item)) {
        diag('ENTRY_INVALID', 'error', 'entry is not a mapping', at.line, at.col);
        continue;
      }
      const m = item as YAMLMap;
      const obj = all[idx] as Record<string, unknown>;
      const keyPos = (k: string): { line: number; col: number } => {
        const pair = m.items.find((p) => isScalar(p.key) && p.key.value === k);
        const n = pair?.value as YamlNode | undefined;
        return n?.range ? lc.linePos(n.range[0]) : at;
      };
      const condMap = (k: string): PosMap => scalarPosMap(file.text, lc, m.get(k, true) as YamlNode | undefined, item.range?.[0] ?? 0);
      const unknownKeys = (allowed: Set<string>, what: string, name: string) => {
        for (const k of Object.keys(obj)) {
          if (!allowed.has(k)) {
            const p = keyPos(k);
            diag('UNKNOWN_KEY', 'warning', `unknown key '${k}' in ${what} '${name}' (ignored)`, p.line, p.col, what === 'rule' ? { rule: name } : {});
          }
        }
      };
      /** The name of a list, macro or rule entry (its unknown keys warned about), or undefined after an error. */
      const entryName = (kind: 'list' | 'macro' | 'rule', allowed: Set<string>): string | undefined => {
        const name = str(obj[kind]);
        if (!name) {
          diag('ENTRY_INVALID', 'error', `${kind} without a name`, at.line, at.col);
          return undefined;
        }
        unknownKeys(allowed, kind, name);
        return name;
      };
      const override = (obj.override && typeof obj.override === 'object' ? obj.override : {}) as Record<string, unknown>;
      const isAppend = obj.append === true;

      if ('required_engine_version' in obj) {
        const v = str(obj.required_engine_version) ?? '';
        requiredEngineVersion = v;
        const want = /^\d+$/.test(v) ? '0.0.0' : v; // old integer versions are all older than 0.57
        if (cmpVersion(want, ENGINE_VERSION) > 0)
          diag('ENGINE_VERSION', 'warning', `requires engine ${v}; Vigil implements ${ENGINE_VERSION}: newer syntax may not load`, at.line, at.col);
        continue;
      }
      if ('required_plugin_versions' in obj) continue; // Vigil's container and k8s fields are built in
      if ('ruleset_version' in obj) {
        declaredVersion = str(obj.ruleset_version);
        continue;
      }

      if ('list' in obj) {
        const name = entryName('list', LIST_KEYS);
        if (name === undefined) continue;
        const items = obj.items;
        if (!Array.isArray(items)) {
          const p = keyPos('items');
          diag('ENTRY_INVALID', 'error', `list '${name}' needs items: [...]`, p.line, p.col);
          continue;
        }
        if (items.length > LOAD_LIMITS.maxListItems) {
          diag('FILE_TOO_LARGE', 'error', `list '${name}' has more than ${LOAD_LIMITS.maxListItems} items`, at.line, at.col);
          continue;
        }
        // Items are scalars; a mapping item (e.g. {toString: 1}) once made list expansion throw.
        const bad = items.findIndex((it) => typeof it === 'object' && it !== null);
        if (bad >= 0) {
          const p = keyPos('items');
          diag('ENTRY_INVALID', 'error', `list '${name}' item ${bad + 1} is not a string`, p.line, p.col);
          continue;
        }
        const prev = lists.get(name);
        if (isAppend || override.items === 'append') {
          if (!prev) {
            diag('APPEND_UNDEFINED', 'error', `append to undefined list '${name}'`, at.line, at.col);
            continue;
          }
          prev.items = [...prev.items, ...items];
        } else {
          lists.set(name, { name, items, file: file.name, line: at.line });
        }
        continue;
      }
      if ('macro' in obj) {
        const name = entryName('macro', MACRO_KEYS);
        if (name === undefined) continue;
        const cond = str(obj.condition);
        if (cond === undefined) {
          diag('ENTRY_INVALID', 'error', `macro '${name}' needs a condition`, at.line, at.col);
          continue;
        }
        const prev = macros.get(name);
        const map = condMap('condition');
        if (isAppend || override.condition === 'append') {
          if (!prev) {
            diag('APPEND_UNDEFINED', 'error', `append to undefined macro '${name}'`, at.line, at.col);
            continue;
          }
          prev.cond = condAppend(prev.cond, cond, map, file.name);
        } else {
          macros.set(name, { name, cond: { text: cond, segments: [{ start: 0, map, file: file.name }] }, file: file.name, line: at.line });
        }
        continue;
      }
      if ('rule' in obj) {
        const name = entryName('rule', RULE_KEYS);
        if (name === undefined) continue;
        const prev = rules.get(name);
        const keys = Object.keys(obj).filter((k) => k !== 'rule');
        const tags = Array.isArray(obj.tags) ? obj.tags.map((t) => text(t)) : [];
        const exceptions = parseExceptions(obj.exceptions, name, (msg) => {
          const p = keyPos('exceptions');
          diag('INVALID_EXCEPTION', 'error', msg, p.line, p.col, { rule: name });
        });
        const hasOverride = Object.keys(override).length > 0;
        if (isAppend || hasOverride || (prev && keys.length === 1 && keys[0] === 'enabled')) {
          if (!prev) {
            diag('APPEND_UNDEFINED', 'error', `append/override of undefined rule '${name}'`, at.line, at.col, { rule: name });
            continue;
          }
          const mode = (k: string): 'append' | 'replace' | undefined => (isAppend ? 'append' : (override[k] as 'append' | 'replace' | undefined));
          if ('enabled' in obj) prev.enabled = obj.enabled !== false;
          const c = str(obj.condition);
          if (c !== undefined) {
            const map = condMap('condition');
            if (mode('condition') === 'replace' || !prev.cond) prev.cond = { text: c, segments: [{ start: 0, map, file: file.name }] };
            else prev.cond = condAppend(prev.cond, c, map, file.name);
          }
          if (obj.output !== undefined) prev.output = mode('output') === 'append' ? `${prev.output ?? ''} ${str(obj.output) ?? ''}` : str(obj.output);
          if (obj.desc !== undefined) prev.desc = mode('desc') === 'append' ? `${prev.desc ?? ''} ${str(obj.desc) ?? ''}` : str(obj.desc);
          if (obj.priority !== undefined) prev.priority = obj.priority;
          if (obj.tags !== undefined) prev.tags = mode('tags') === 'replace' ? tags : [...prev.tags, ...tags];
          if (exceptions.length) {
            if (mode('exceptions') === 'replace') prev.exceptions = exceptions;
            else
              for (const ex of exceptions) {
                const same = prev.exceptions.find((x) => x.name === ex.name);
                if (same) same.values = [...same.values, ...ex.values];
                else prev.exceptions.push(ex);
              }
          }
          for (const k of ['type', 'remedy', 'severity', 'aggregate', 'version', 'examples', 'source'] as const)
            if (obj[k] !== undefined) (prev as unknown as Record<string, unknown>)[k] = obj[k];
          continue;
        }
        const c = str(obj.condition);
        const missing = ['condition', 'output', 'priority'].filter((k) => obj[k] === undefined || obj[k] === null);
        if (missing.length) {
          diag('RULE_MISSING_FIELD', 'error', `rule '${name}' lacks ${missing.join(', ')}`, at.line, at.col, { rule: name });
          continue;
        }
        rules.delete(name); // redefinition moves the rule to its new position
        rules.set(name, {
          name,
          file: file.name,
          line: at.line,
          column: at.col,
          desc: str(obj.desc) ?? '',
          cond: c === undefined ? undefined : { text: c, segments: [{ start: 0, map: condMap('condition'), file: file.name }] },
          output: str(obj.output),
          priority: obj.priority,
          severity: obj.severity,
          tags,
          enabled: obj.enabled !== false,
          source: str(obj.source),
          type: obj.type,
          remedy: obj.remedy,
          version: obj.version,
          aggregate: obj.aggregate,
          exceptions,
          examples: obj.examples,
          builtin,
        });
        continue;
      }
      const first = Object.keys(obj)[0] ?? '';
      diag('UNKNOWN_ENTRY', 'warning', `unknown entry '${first}' (ignored)`, at.line, at.col);
    }
  }

  // ---- resolve lists and macros -------------------------------------------
  const expanded = new Map<string, string[]>();
  const expanding = new Set<string>();
  const expand = (name: string): string[] => {
    const hit = expanded.get(name);
    if (hit) return hit;
    const def = lists.get(name)!;
    if (expanding.has(name)) return [];
    expanding.add(name);
    const view = new Map<string, string[]>();
    for (const it of def.items) {
      const s = text(it);
      if (lists.has(s) && s !== name) view.set(s, expand(s));
    }
    const out = expandListItems(def.items, view);
    expanding.delete(name);
    expanded.set(name, out);
    return out;
  };
  for (const name of lists.keys()) expand(name);

  const macroDefs = new Map<string, MacroDef & { raw: MacroRaw }>();
  for (const [name, raw] of macros) {
    try {
      macroDefs.set(name, { name, ast: parseCondition(raw.cond.text), raw });
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      const p = condPos(raw.cond, e.offset);
      diagnostics.push({ code: e.code, severity: 'error', file: p.file, line: p.line, column: p.column, message: `macro '${name}': ${e.message}` });
      macroDefs.set(name, { name, error: e.message, raw });
    }
  }

  // ---- compile rules ------------------------------------------------------
  const out: Rule[] = [];
  const skipped: SkippedRule[] = [];
  const sharedMacros = new Map<EventSource, Map<string, CompiledNode>>();
  const disabled: string[] = [];
  for (const r of rules.values()) {
    if (!r.enabled) {
      disabled.push(r.name);
      continue;
    }
    const fileDiag = (code: string, severity: 'warning' | 'error', message: string, where: { file: string; line: number; column: number }, field?: string) => {
      diagnostics.push({ code, severity, file: where.file, line: where.line, column: where.column, rule: r.name, ...(field ? { field } : {}), message });
    };
    const here = { file: r.file, line: r.line, column: r.column };
    const skip = (code: string, message: string, field?: string) =>
      skipped.push({ name: r.name, file: r.file, line: r.line, code, message, ...(field ? { field } : {}) });
    if (!r.cond || r.output === undefined) {
      fileDiag('RULE_MISSING_FIELD', 'error', `rule '${r.name}' lacks condition or output`, here);
      skip('RULE_MISSING_FIELD', 'incomplete');
      continue;
    }
    const source = (r.source ?? defaultSource) as EventSource;
    if (!SOURCES.includes(source)) {
      fileDiag('UNSUPPORTED_SOURCE', 'warning', `rule '${r.name}' has source '${r.source}', which Vigil does not support; skipped`, here);
      skip('UNSUPPORTED_SOURCE', `source ${r.source}`);
      continue;
    }
    const priority = parsePriority(r.priority);
    if (!priority) {
      fileDiag('INVALID_PRIORITY', 'error', `rule '${r.name}': invalid priority '${text(r.priority)}'`, here);
      skip('INVALID_PRIORITY', 'invalid priority');
      continue;
    }
    let severity = severityOfPriority(priority);
    if (r.severity !== undefined) {
      if (!SEVERITIES.includes(r.severity as Severity)) {
        fileDiag('INVALID_SEVERITY', 'error', `rule '${r.name}': invalid severity '${text(r.severity)}'`, here);
        skip('INVALID_SEVERITY', 'invalid severity');
        continue;
      }
      severity = r.severity as Severity;
    }
    let type = customType(r.name);
    if (r.builtin) {
      const t = str(r.type);
      if (!t) {
        fileDiag('TYPE_MISSING', 'error', `built-in rule '${r.name}' names no alert type`, here);
        skip('TYPE_MISSING', 'no type');
        continue;
      }
      if (!isCatalogType(t)) {
        fileDiag('TYPE_NOT_IN_CATALOG', 'error', `built-in rule '${r.name}': '${t}' is not a catalog type`, here);
        skip('TYPE_NOT_IN_CATALOG', 'bad type');
        continue;
      }
      type = t;
    } else if (r.type !== undefined) {
      fileDiag('TYPE_IGNORED', 'warning', `rule '${r.name}' names type '${text(r.type)}': user rules raise ${type}`, here);
    }

    // Condition + exceptions
    let ast: CondNode;
    try {
      ast = parseCondition(r.cond.text);
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      fileDiag(e.code, 'error', `rule '${r.name}': ${e.message}`, condPos(r.cond, e.offset));
      skip(e.code, e.message);
      continue;
    }
    if (r.exceptions.length) {
      const exNode = exceptionsNode(r.exceptions, r.line);
      if (exNode) ast = { k: 'and', items: [ast, { k: 'not', item: exNode, pos: 0 }], pos: 0 };
    }
    let compiled;
    try {
      let shared = sharedMacros.get(source);
      if (!shared) sharedMacros.set(source, (shared = new Map()));
      compiled = compileCondition(ast, { source, macros: macroDefs, lists: expanded, shared });
    } catch (e) {
      if (e instanceof UnsupportedFieldError) {
        const where = e.macro ? condPos(macroDefs.get(e.macro)!.raw.cond, e.pos) : condPos(r.cond, e.pos);
        fileDiag(
          'UNSUPPORTED_FIELD',
          'warning',
          `rule '${r.name}' skipped: field '${e.field}'${e.macro ? ` (in macro '${e.macro}')` : ''} is not supported by Vigil`,
          where,
          e.field,
        );
        skip('UNSUPPORTED_FIELD', `field ${e.field}${e.macro ? ` in macro ${e.macro}` : ''}`, e.field);
        continue;
      }
      if (e instanceof CompileError) {
        const where = e.macro && macroDefs.get(e.macro) ? condPos(macroDefs.get(e.macro)!.raw.cond, e.pos) : condPos(r.cond, e.pos);
        fileDiag(e.code, 'error', `rule '${r.name}': ${e.message}`, where);
        skip(e.code, e.message);
        continue;
      }
      throw e;
    }
    if (source === 'syscall' && compiled.types === null) {
      fileDiag('NO_EVT_TYPE', 'warning', `rule '${r.name}' does not restrict evt.type: it is evaluated on every event`, here);
    }
    // Aggregation
    let aggregate: AggregateSpec | undefined;
    if (r.aggregate !== undefined) {
      const a = r.aggregate as Record<string, unknown>;
      // No String()/Number() on YAML mappings: one with a toString key throws.
      const by = Array.isArray(a?.by) ? a.by.map(text) : typeof a?.by === 'string' ? [a.by] : [];
      const windowMs = parseDuration(a?.window);
      const threshold = typeof a?.threshold === 'number' || typeof a?.threshold === 'string' ? Number(a.threshold) : NaN;
      const byOk = !Array.isArray(a?.by) || a.by.every((f) => typeof f === 'string');
      if (!a || typeof a !== 'object' || !byOk || !windowMs || !Number.isInteger(threshold) || threshold < 1 || threshold > 100_000) {
        fileDiag('INVALID_AGGREGATE', 'error', `rule '${r.name}': aggregate needs by: [fields], window: <duration> and threshold: <1..100000>`, here);
        skip('INVALID_AGGREGATE', 'bad aggregate');
        continue;
      }
      try {
        aggregate = { by, windowMs, threshold, getters: by.map((f) => getter(f, source).get) };
      } catch (e) {
        if (!(e instanceof UnsupportedFieldError)) throw e;
        fileDiag('UNSUPPORTED_FIELD', 'warning', `rule '${r.name}' skipped: aggregate field '${e.field}' is not supported by Vigil`, here, e.field);
        skip('UNSUPPORTED_FIELD', `field ${e.field}`, e.field);
        continue;
      }
    }
    const output = compileOutput(r.output.trim(), source);
    for (const f of output.unsupported)
      fileDiag('UNSUPPORTED_OUTPUT_FIELD', 'warning', `rule '${r.name}': output field '${f}' is not supported and prints <NA>`, here, f);
    let examples: Rule['examples'];
    if (r.examples !== undefined) {
      const x = r.examples as Record<string, unknown>;
      if (!x || typeof x !== 'object' || (x.fires !== undefined && !Array.isArray(x.fires)) || (x.silent !== undefined && !Array.isArray(x.silent))) {
        fileDiag('INVALID_EXAMPLES', 'error', `rule '${r.name}': examples needs fires: [...] and/or silent: [...]`, here);
      } else examples = { fires: x.fires as unknown[] | undefined, silent: x.silent as unknown[] | undefined };
    }
    const version = Number.isInteger(r.version) ? (r.version as number) : 1;
    const rule: Rule = {
      name: r.name,
      desc: (r.desc ?? '').trim(),
      source,
      condition: r.cond.text.trim(),
      output: r.output.trim(),
      priority,
      severity,
      type,
      tags: r.tags,
      version,
      file: r.file,
      line: r.line,
      builtin: r.builtin,
      match: compiled.f,
      evtTypes: compiled.types ? [...compiled.types].sort() : null,
      out: output,
      fields: [...compiled.fields].sort(),
    };
    const remedy = str(r.remedy);
    if (remedy) rule.remedy = remedy.trim();
    if (compiled.resources) rule.resources = compiled.resources;
    if (aggregate) rule.aggregate = aggregate;
    if (examples) rule.examples = examples;
    out.push(rule);
  }

  const h = createHash('sha256');
  for (const r of out) h.update(`${r.name}\0${r.version}\0${r.condition}\0${r.type}\0${r.severity}\n`);
  const digest = h.digest('hex').slice(0, 12);
  const ruleset: Ruleset = {
    version: declaredVersion ? `${declaredVersion}+${digest}` : digest,
    builtin,
    rules: out,
    disabled,
    skipped,
    files: files.map((f) => f.name),
  };
  if (declaredVersion) ruleset.declaredVersion = declaredVersion;
  if (requiredEngineVersion) ruleset.requiredEngineVersion = requiredEngineVersion;
  // Every diagnostic is one line whatever it quotes (a YAML error quoting a carriage return, a rule name with a line break).
  for (const d of diagnostics) d.message = oneLine(d.message);
  return { ruleset, diagnostics };
}

// ---- exceptions -----------------------------------------------------------

function parseExceptions(v: unknown, rule: string, err: (msg: string) => void): ExceptionDef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    err(`rule '${rule}': exceptions must be a list`);
    return [];
  }
  const out: ExceptionDef[] = [];
  for (const x of v) {
    if (!x || typeof x !== 'object' || typeof (x as Record<string, unknown>).name !== 'string') {
      err(`rule '${rule}': each exception needs a name`);
      continue;
    }
    const o = x as Record<string, unknown>;
    const values = o.values === undefined ? [] : o.values;
    if (!Array.isArray(values)) {
      err(`rule '${rule}': exception '${text(o.name)}' values must be a list`);
      continue;
    }
    out.push({ name: text(o.name), fields: o.fields, comps: o.comps, values });
  }
  return out;
}

const val = (s: unknown): Value => ({ text: text(s), quoted: false, pos: 0 });

function checkNode(field: string, op: string, v: unknown): CondNode {
  if (op === 'in' || op === 'intersects' || op === 'pmatch') {
    const values = Array.isArray(v) ? v.map(val) : [val(v)];
    return { k: 'check', field, op, values, pos: 0 };
  }
  return { k: 'check', field, op, value: val(v), pos: 0 };
}

/** Falco's exceptions as a condition: OR over all value tuples of all exceptions. */
function exceptionsNode(exs: ExceptionDef[], _line: number): CondNode | undefined {
  const alts: CondNode[] = [];
  for (const ex of exs) {
    if (typeof ex.fields === 'string') {
      const op = typeof ex.comps === 'string' ? ex.comps : 'in';
      if (!ex.values.length) continue;
      if (op === 'in' || op === 'intersects' || op === 'pmatch') alts.push(checkNode(ex.fields, op, ex.values.flat()));
      else for (const v of ex.values) alts.push(checkNode(ex.fields, op, v));
      continue;
    }
    if (!Array.isArray(ex.fields)) continue;
    const fields = ex.fields.map(String);
    const comps = Array.isArray(ex.comps) ? ex.comps.map(String) : fields.map(() => '=');
    for (const tuple of ex.values) {
      if (!Array.isArray(tuple) || tuple.length !== fields.length) continue;
      const items = fields.map((f, i) => checkNode(f, comps[i] ?? '=', tuple[i]));
      alts.push(items.length === 1 ? items[0]! : { k: 'and', items, pos: 0 });
    }
  }
  if (!alts.length) return undefined;
  return alts.length === 1 ? alts[0] : { k: 'or', items: alts, pos: 0 };
}
