// Compiles a parsed condition into a closure, once, at load. Macros are
// inlined, lists expanded into Sets, literals converted to the field's type,
// `icontains` literals lowercased, globs turned into RegExps. The compiler
// also computes the set of `evt.type`s a condition can match, so the engine
// only offers an event to the rules that can match it; for audit events,
// likewise the set of `ka.target.resource` values (most audit rules name the
// resource they watch, and 90% of a cluster's events are reads of others).
import type { EngineEvent, EventSource, FieldDef } from '../events/event.js';
import type { CondNode, Value } from './condition-parser.js';
import { resolveField } from './fields/index.js';
import { cidrSet, parseCidr } from './cidr.js';

export type Pred = (e: EngineEvent) => boolean;
export type Getter = (e: EngineEvent) => unknown;

export class UnsupportedFieldError extends Error {
  constructor(
    readonly field: string,
    readonly pos: number,
    readonly macro?: string,
  ) {
    super(`unsupported field '${field}'`);
  }
}

export class CompileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly pos: number,
    readonly macro?: string,
  ) {
    super(message);
  }
}

export interface MacroDef {
  name: string;
  /** Parsed condition, or the syntax error it had. */
  ast?: CondNode;
  error?: string;
}

export interface CompileContext {
  source: EventSource;
  macros: Map<string, MacroDef>;
  /** Lists, items already expanded (nested list names resolved). */
  lists: Map<string, string[]>;
  /**
   * Compiled macros shared by all rules of a ruleset (same source). A macro
   * is evaluated at most once per event however many rules use it: its
   * closure remembers the last event it saw (events are immutable inputs).
   */
  shared?: Map<string, Node>;
}

/** A compiled (sub)condition and the index keys it can match (null = any). */
export interface Node {
  f: Pred;
  types: Set<string> | null;
  resources: Set<string> | null;
}

/** The audit field the engine indexes rules by (see Compiled.resources). */
export const RESOURCE_FIELD = 'ka.target.resource';

/** Memoise a predicate on the identity of the last event. */
function memo(f: Pred): Pred {
  let last: EngineEvent | undefined;
  let res = false;
  return (e) => {
    if (e === last) return res;
    res = f(e);
    last = e;
    return res;
  };
}

export interface Compiled {
  f: Pred;
  /** evt.types this condition can match; null = any. */
  types: Set<string> | null;
  /** ka.target.resource values this condition can match (an ANDed `=`/`in` test on it); null = any. */
  resources: Set<string> | null;
  /** Fields the condition reads (for docs / lint). */
  fields: Set<string>;
}

const TRUE: Pred = () => true;
const FALSE: Pred = () => false;

export function getter(ref: string, source: EventSource, pos = 0): { get: Getter; def: FieldDef<EngineEvent> } {
  const r = resolveField(ref, source);
  if (!r) throw new UnsupportedFieldError(ref, pos);
  const ex = r.def.extract;
  const arg = r.arg;
  return { get: arg === undefined ? (ex as Getter) : (e) => ex(e, arg), def: r.def };
}

function globToRegExp(glob: string, flags: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 1);
      if (j < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, j);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = j;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', flags);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

// Rules often run several icontains on the same string of one event: keep the last conversion.
let lastIn = '';
let lastOut = '';
function lower(s: string): string {
  if (s !== lastIn) {
    lastIn = s;
    lastOut = s.toLowerCase();
  }
  return lastOut;
}

/** Build a scalar test for one operator and literal(s), given the field type. */
/** Whether `test` holds for a value, or for some value of a list value. */
function someValue(v: unknown, test: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return test(v);
  for (const x of v) if (test(x)) return true;
  return false;
}

function scalarTest(op: string, def: FieldDef<EngineEvent>, lits: Value[], pos: number): (v: unknown) => boolean {
  const numeric = def.type === 'number' || def.type === 'numbers' || def.type === 'port';
  const lit = lits[0]?.text ?? '';
  const isIp = def.type === 'ipaddr';
  switch (op) {
    case '=':
    case '==':
    case '!=': {
      if (def.type === 'bool') {
        const b = lit === 'true';
        if (lit !== 'true' && lit !== 'false') throw new CompileError('COMPARE_TYPE', `'${def.name}' is a bool: compare with true or false, not '${lit}'`, pos);
        return (v) => v === b;
      }
      if (numeric && lit !== '' && !Number.isNaN(Number(lit))) {
        const n = Number(lit);
        return (v) => (typeof v === 'number' ? v === n : Number(v) === n);
      }
      if (isIp && lit.includes('/')) {
        const set = cidrSet([lit]);
        if (set.invalid.length) throw new CompileError('COMPARE_TYPE', `invalid network '${lit}'`, pos);
        return (v) => set.has(str(v));
      }
      return (v) => str(v) === lit;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const n = Number(lit);
      if (Number.isNaN(n)) {
        if (numeric) throw new CompileError('COMPARE_TYPE', `'${def.name}' is numeric: '${lit}' is not a number`, pos);
        if (op === '<') return (v) => str(v) < lit;
        if (op === '<=') return (v) => str(v) <= lit;
        if (op === '>') return (v) => str(v) > lit;
        return (v) => str(v) >= lit;
      }
      const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
      if (op === '<') return (v) => num(v) < n;
      if (op === '<=') return (v) => num(v) <= n;
      if (op === '>') return (v) => num(v) > n;
      return (v) => num(v) >= n;
    }
    case 'contains':
      return (v) => (typeof v === 'string' ? v.includes(lit) : String(v).includes(lit));
    case 'icontains': {
      const l = lit.toLowerCase();
      return (v) => lower(str(v)).includes(l);
    }
    case 'startswith':
      return (v) => (typeof v === 'string' ? v.startsWith(lit) : String(v).startsWith(lit));
    case 'endswith':
      return (v) => (typeof v === 'string' ? v.endsWith(lit) : String(v).endsWith(lit));
    case 'bcontains':
    case 'bstartswith': {
      if (!/^([0-9a-fA-F]{2})*$/.test(lit)) throw new CompileError('COMPARE_TYPE', `'${op}' takes hex bytes, not '${lit}'`, pos);
      const bytes = lit.replace(/../g, (h) => String.fromCharCode(parseInt(h, 16)));
      return op === 'bcontains' ? (v) => str(v).includes(bytes) : (v) => str(v).startsWith(bytes);
    }
    case 'glob': {
      const re = globToRegExp(lit, '');
      return (v) => re.test(str(v));
    }
    case 'iglob': {
      const re = globToRegExp(lit, 'i');
      return (v) => re.test(str(v));
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(lit);
      } catch {
        throw new CompileError('COMPARE_TYPE', `invalid regex '${lit}'`, pos);
      }
      return (v) => re.test(str(v));
    }
    case 'in':
    case 'intersects': {
      const texts = lits.map((l) => l.text);
      if (isIp && texts.some((t) => t.includes('/'))) {
        const set = cidrSet(texts);
        if (set.invalid.length) throw new CompileError('COMPARE_TYPE', `invalid network '${set.invalid[0]}'`, pos);
        return (v) => set.has(str(v));
      }
      if (numeric && texts.every((t) => t !== '' && !Number.isNaN(Number(t)))) {
        const set = new Set(texts.map(Number));
        return (v) => set.has(typeof v === 'number' ? v : Number(v));
      }
      if (def.type === 'bool') {
        const set = new Set(texts);
        return (v) => set.has(String(v));
      }
      const set = new Set(texts);
      if (set.size === 1) {
        const only = texts[0]!;
        return (v) => (typeof v === 'string' ? v === only : String(v) === only);
      }
      return (v) => (typeof v === 'string' ? set.has(v) : set.has(String(v)));
    }
    case 'pmatch': {
      const prefixes = lits.map((l) => (l.text.length > 1 && l.text.endsWith('/') ? l.text.slice(0, -1) : l.text));
      const exact = new Set(prefixes);
      return (v) => {
        const s = str(v);
        if (exact.has(s)) return true;
        for (const p of prefixes) if (p === '/' ? s.startsWith('/') : s.startsWith(p) && s.charCodeAt(p.length) === 47) return true;
        return false;
      };
    }
    default:
      throw new CompileError('CONDITION_SYNTAX', `unknown operator '${op}'`, pos);
  }
}

function unquoteItem(s: string): string {
  // Falco list items may carry their own quotes: '"75-system-updat"'.
  if (s.length >= 2 && ((s[0] === '"' && s.endsWith('"')) || (s[0] === "'" && s.endsWith("'")))) return s.slice(1, -1);
  return s;
}

/** Expand list references inside `in (...)` values (bare words naming a list). */
function expandValues(values: Value[], lists: Map<string, string[]>): Value[] {
  const out: Value[] = [];
  for (const v of values) {
    const l = !v.quoted ? lists.get(v.text) : undefined;
    if (l) for (const item of l) out.push({ text: item, quoted: true, pos: v.pos });
    else out.push(v);
  }
  return out;
}

/** Expand a list's items: nested list names are replaced by their items; quotes stripped. */
export function expandListItems(items: unknown[], lists: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const it of items) {
    const s = typeof it === 'string' ? it : String(it);
    const nested = lists.get(s);
    if (nested) out.push(...nested);
    else out.push(unquoteItem(s));
  }
  return out;
}

function intersect(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (a === null) return b;
  if (b === null) return a;
  return new Set([...a].filter((x) => b.has(x)));
}
function union(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (a === null || b === null) return null;
  return new Set([...a, ...b]);
}

export function compileCondition(root: CondNode, ctx: CompileContext): Compiled {
  const fields = new Set<string>();
  const stack: string[] = [];
  const cache = ctx.shared ?? new Map<string, Node>();

  function node(n: CondNode): Node {
    switch (n.k) {
      case 'const':
        return { f: n.value ? TRUE : FALSE, types: null, resources: null };
      case 'and': {
        const parts = n.items.map(node);
        let types: Set<string> | null = null;
        let resources: Set<string> | null = null;
        for (const p of parts) {
          types = intersect(types, p.types);
          resources = intersect(resources, p.resources);
        }
        const fs = parts.map((p) => p.f);
        if (fs.length === 2) {
          const [a, b] = fs as [Pred, Pred];
          return { f: (e) => a(e) && b(e), types, resources };
        }
        if (fs.length === 3) {
          const [a, b, c] = fs as [Pred, Pred, Pred];
          return { f: (e) => a(e) && b(e) && c(e), types, resources };
        }
        return {
          f: (e) => {
            for (let i = 0; i < fs.length; i++) if (!fs[i]!(e)) return false;
            return true;
          },
          types,
          resources,
        };
      }
      case 'or': {
        const sw = switchOr(n.items);
        if (sw) return sw;
        const merged = mergeOr(n.items);
        if (merged) return merged;
        const parts = n.items.map(node);
        let types: Set<string> | null = parts[0]!.types;
        let resources: Set<string> | null = parts[0]!.resources;
        for (const p of parts.slice(1)) {
          types = union(types, p.types);
          resources = union(resources, p.resources);
        }
        const fs = parts.map((p) => p.f);
        if (fs.length === 2) {
          const [a, b] = fs as [Pred, Pred];
          return { f: (e) => a(e) || b(e), types, resources };
        }
        return {
          f: (e) => {
            for (let i = 0; i < fs.length; i++) if (fs[i]!(e)) return true;
            return false;
          },
          types,
          resources,
        };
      }
      case 'not': {
        const inner = node(n.item).f;
        return { f: (e) => !inner(e), types: null, resources: null };
      }
      case 'macro': {
        const m = ctx.macros.get(n.name);
        if (!m) throw new CompileError('UNDEFINED_MACRO', `undefined macro '${n.name}'`, n.pos, stack[stack.length - 1]);
        const hit = cache.get(n.name);
        if (hit) return hit;
        if (stack.includes(n.name)) throw new CompileError('MACRO_CYCLE', `macro cycle: ${[...stack, n.name].join(' -> ')}`, n.pos, n.name);
        if (!m.ast) throw new CompileError('CONDITION_SYNTAX', `macro '${n.name}' has a syntax error: ${m.error ?? 'invalid'}`, n.pos, n.name);
        stack.push(n.name);
        try {
          const inner = node(m.ast);
          const r = { f: memo(inner.f), types: inner.types, resources: inner.resources };
          cache.set(n.name, r);
          return r;
        } catch (e) {
          if (e instanceof UnsupportedFieldError && !e.macro) throw new UnsupportedFieldError(e.field, e.pos, n.name);
          if (e instanceof CompileError && !e.macro) throw new CompileError(e.code, e.message, e.pos, n.name);
          throw e;
        } finally {
          stack.pop();
        }
      }
      case 'check': {
        fields.add(n.field);
        const { get, def } = getter(n.field, ctx.source, n.pos);
        const op = n.op;
        let types: Set<string> | null = null;
        let resources: Set<string> | null = null;
        if (op === 'exists') {
          return {
            f: (e) => {
              const v = get(e);
              return v !== undefined && !(Array.isArray(v) && v.length === 0);
            },
            types,
            resources,
          };
        }
        const lits = n.values ? expandValues(n.values, ctx.lists) : n.value ? [n.value] : [];
        if (n.field === 'evt.type') {
          if (op === '=' || op === '==') types = new Set([lits[0]!.text]);
          else if (op === 'in') types = new Set(lits.map((l) => l.text));
        }
        // A single-valued string field: the test below holds only when its value is one of these literals.
        if (n.field === RESOURCE_FIELD && def.type === 'string') {
          if (op === '=' || op === '==') resources = new Set([lits[0]?.text ?? '']);
          else if (op === 'in') resources = new Set(lits.map((l) => l.text));
        }
        if (op === '!=') {
          const eq = scalarTest('=', def, lits, n.value?.pos ?? n.pos);
          return {
            f: (e) => {
              const v = get(e);
              return v !== undefined && !someValue(v, eq);
            },
            types,
            resources,
          };
        }
        if ((op === 'in' || op === 'intersects') && lits.length === 0)
          return { f: FALSE, types: op === 'in' && n.field === 'evt.type' ? new Set() : types, resources };
        const test = scalarTest(op, def, lits, n.value?.pos ?? n.pos);
        const multi = def.type === 'strings' || def.type === 'numbers' || def.type === 'ipaddr' || def.type === 'port';
        if (!multi)
          return {
            f: (e) => {
              const v = get(e);
              return v !== undefined && test(v);
            },
            types,
            resources,
          };
        if (def.list && (op === 'in' || op === 'pmatch')) {
          // Falco's list fields: every value must be in the set (one trusted
          // image must not exempt an untrusted container of the same pod).
          return {
            f: (e) => {
              const v = get(e);
              if (v === undefined) return false;
              if (Array.isArray(v)) {
                if (v.length === 0) return false;
                for (const x of v) if (!test(x)) return false;
                return true;
              }
              return test(v);
            },
            types,
            resources,
          };
        }
        return {
          f: (e) => {
            const v = get(e);
            return v !== undefined && someValue(v, test);
          },
          types,
          resources,
        };
      }
    }
  }
  /**
   * `(fd.name startswith A or fd.name startswith B or fd.name = C ...)` on one
   * single-valued field: read the field once, then run the tests.
   */
  /** `F = lit` or `F in (lits)` on a single-valued string field: the literals, else undefined. */
  function keyOf(c: CondNode): { field: string; lits: string[] } | undefined {
    if (c.k !== 'check' || c.field === 'evt.type' || (c.op !== '=' && c.op !== '==' && c.op !== 'in')) return undefined;
    const r = resolveField(c.field, ctx.source);
    if (!r || r.def.type !== 'string') return undefined;
    const lits = c.values ? expandValues(c.values, ctx.lists) : c.value ? [c.value] : [];
    return { field: c.field, lits: lits.map((l) => l.text) };
  }

  /**
   * An OR whose alternatives mostly start with an equality test of one field
   * (`(proc.name = rm and ...) or (proc.name = chmod and ...) or ...`):
   * read the field once and evaluate only the alternatives keyed by its value,
   * then the unkeyed ones. OR has no side effects, so order does not matter.
   */
  function switchOr(items: CondNode[]): Node | undefined {
    if (items.length < 3) return undefined;
    const keyed: Array<{ field: string; lits: string[]; rest: CondNode[] }> = [];
    const others: CondNode[] = [];
    for (const it of items) {
      const head = it.k === 'and' ? it.items[0]! : it;
      const k = keyOf(head);
      if (k) keyed.push({ ...k, rest: it.k === 'and' ? it.items.slice(1) : [] });
      else others.push(it);
    }
    if (keyed.length < 3) return undefined;
    const field = keyed[0]!.field;
    if (keyed.some((k) => k.field !== field)) return undefined;
    const { get } = getter(field, ctx.source, items[0]!.pos);
    fields.add(field);
    const table = new Map<string, Pred[]>();
    for (const k of keyed) {
      const pred: Pred = k.rest.length === 0 ? () => true : node(k.rest.length === 1 ? k.rest[0]! : { k: 'and', items: k.rest, pos: k.rest[0]!.pos }).f;
      for (const lit of k.lits) {
        let l = table.get(lit);
        if (!l) table.set(lit, (l = []));
        l.push(pred);
      }
    }
    const rest = others.map((o) => node(o).f);
    return {
      f: (e) => {
        const v = get(e);
        if (v !== undefined) {
          const l = table.get(typeof v === 'string' ? v : String(v));
          if (l) for (let i = 0; i < l.length; i++) if (l[i]!(e)) return true;
        }
        for (let i = 0; i < rest.length; i++) if (rest[i]!(e)) return true;
        return false;
      },
      types: null,
      resources: null,
    };
  }

  const MERGEABLE = new Set(['=', '==', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'in', 'pmatch']);

  /** A test of one literal set on a string field, or undefined when the check cannot be merged. */
  function mergeableField(c: CondNode): string | undefined {
    if (c.k !== 'check' || c.field === 'evt.type' || !MERGEABLE.has(c.op)) return undefined;
    const r = resolveField(c.field, ctx.source);
    return r && r.def.type === 'string' ? c.field : undefined;
  }

  /**
   * ORed checks on one single-valued string field (`fd.name startswith A or
   * fd.name startswith B or ...`): read the field once, then run the tests.
   * OR has no side effects, so checks are grouped by field whatever their order.
   */
  function mergeOr(items: CondNode[]): Node | undefined {
    if (items.length < 2) return undefined;
    const groups = new Map<string, Array<Extract<CondNode, { k: 'check' }>>>();
    const rest: CondNode[] = [];
    for (const it of items) {
      const f = mergeableField(it);
      if (!f) {
        rest.push(it);
        continue;
      }
      let g = groups.get(f);
      if (!g) groups.set(f, (g = []));
      g.push(it as Extract<CondNode, { k: 'check' }>);
    }
    if (![...groups.values()].some((g) => g.length >= 2)) return undefined;
    const preds: Pred[] = [];
    let types: Set<string> | null = null;
    let anyNull = false;
    for (const [field, checks] of groups) {
      if (checks.length === 1) {
        const r = node(checks[0]!);
        preds.push(r.f);
        anyNull = true;
        continue;
      }
      const { get, def } = getter(field, ctx.source, checks[0]!.pos);
      fields.add(field);
      const tests = checks.map((c) => {
        const lits = c.values ? expandValues(c.values, ctx.lists) : c.value ? [c.value] : [];
        return lits.length === 0 && (c.op === 'in' || c.op === 'pmatch') ? () => false : scalarTest(c.op, def, lits, c.value?.pos ?? c.pos);
      });
      preds.push((e) => {
        const v = get(e);
        if (v === undefined) return false;
        for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
        return false;
      });
      anyNull = true;
    }
    for (const it of rest) {
      const r = node(it);
      preds.push(r.f);
      if (r.types === null) anyNull = true;
      else types = types ? new Set([...types, ...r.types]) : r.types;
    }
    if (anyNull) types = null;
    // Conservative: an OR merged by field may match any resource.
    if (preds.length === 1) return { f: preds[0]!, types, resources: null };
    if (preds.length === 2) {
      const [a, b] = preds as [Pred, Pred];
      return { f: (e) => a(e) || b(e), types, resources: null };
    }
    return {
      f: (e) => {
        for (let i = 0; i < preds.length; i++) if (preds[i]!(e)) return true;
        return false;
      },
      types,
      resources: null,
    };
  }

  const r = node(root);
  return { ...r, fields };
}

/** Whether a string literal is a valid network for ipaddr comparisons. */
export function validNetwork(s: string): boolean {
  return parseCidr(s) !== undefined;
}
