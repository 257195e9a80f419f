// Parser of Falco's condition syntax into an AST with source offsets.
// Grammar: or := and ('or' and)*; and := not ('and' not)*;
// not := 'not' not | '(' or ')' | check | macro-name;
// check := field (binop value | 'exists' | listop '(' value (',' value)* ')').
// Bare values run to whitespace, `(`, `)`, `,` or a comparison sign, except
// that `[...]` is kept whole (`runc:[1:CHILD]`, `proc.aname[2]`).

export type Value = { text: string; quoted: boolean; pos: number };

export type CondNode =
  | { k: 'and' | 'or'; items: CondNode[]; pos: number }
  | { k: 'not'; item: CondNode; pos: number }
  | { k: 'macro'; name: string; pos: number }
  | { k: 'check'; field: string; op: string; value?: Value; values?: Value[]; pos: number }
  | { k: 'const'; value: boolean; pos: number };

export const BINARY_OPS = new Set([
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
]);
export const LIST_OPS = new Set(['in', 'intersects', 'pmatch']);
export const UNARY_OPS = new Set(['exists']);

/** Maximum nesting of parentheses and `not`: bounds recursion on hostile input. */
export const MAX_DEPTH = 200;
export const MAX_CONDITION_LENGTH = 256 * 1024;

export class ConditionSyntaxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Tok = { t: 'word' | 'str' | 'op' | '(' | ')' | ','; v: string; pos: number };

const SIGN = /[=<>!]/;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let s = '';
      i++;
      let closed = false;
      while (i < n) {
        const d = src[i]!;
        if (d === '\\' && i + 1 < n) {
          s += src[i + 1];
          i += 2;
          continue;
        }
        if (d === c) {
          closed = true;
          i++;
          break;
        }
        s += d;
        i++;
      }
      if (!closed) throw new ConditionSyntaxError('CONDITION_SYNTAX', 'unterminated string', start);
      out.push({ t: 'str', v: s, pos: start });
      continue;
    }
    if (SIGN.test(c)) {
      const two = src.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two, pos: i });
        i += 2;
        continue;
      }
      if (c === '=' || c === '<' || c === '>') {
        out.push({ t: 'op', v: c, pos: i });
        i++;
        continue;
      }
      throw new ConditionSyntaxError('CONDITION_SYNTAX', `unexpected '${c}'`, i);
    }
    const start = i;
    while (i < n) {
      const d = src[i]!;
      if (d === '[') {
        const j = src.indexOf(']', i);
        if (j < 0) throw new ConditionSyntaxError('CONDITION_SYNTAX', "unterminated '['", i);
        i = j + 1;
        continue;
      }
      if (d === ' ' || d === '\t' || d === '\n' || d === '\r' || d === '(' || d === ')' || d === ',' || d === '"' || d === "'" || SIGN.test(d)) break;
      i++;
    }
    out.push({ t: 'word', v: src.slice(start, i), pos: start });
  }
  return out;
}

const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_.-]*(\[[^\]]*\])?$/;

export function parseCondition(src: string): CondNode {
  if (src.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError('CONDITION_TOO_LONG', `condition longer than ${MAX_CONDITION_LENGTH} characters`, 0);
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = (): Tok | undefined => toks[p];
  const end = src.length;
  const fail = (msg: string, at?: Tok): never => {
    throw new ConditionSyntaxError('CONDITION_SYNTAX', msg, at ? at.pos : end);
  };

  function isWord(t: Tok | undefined, w: string): boolean {
    return !!t && t.t === 'word' && t.v === w;
  }

  /** `operand (op operand)*`: one node, or an `op` node of all the operands. */
  function chain(op: 'and' | 'or', operand: () => CondNode): CondNode {
    const first = operand();
    if (!isWord(peek(), op)) return first;
    const items = [first];
    while (isWord(peek(), op)) {
      p++;
      items.push(operand());
    }
    return { k: op, items, pos: first.pos };
  }
  function orExpr(): CondNode {
    return chain('or', andExpr);
  }
  function andExpr(): CondNode {
    return chain('and', notExpr);
  }
  function notExpr(): CondNode {
    const t = peek();
    if (!t) return fail('unexpected end of condition');
    if (++depth > MAX_DEPTH) throw new ConditionSyntaxError('CONDITION_TOO_DEEP', `nesting deeper than ${MAX_DEPTH}`, t.pos);
    try {
      if (isWord(t, 'not')) {
        p++;
        return { k: 'not', item: notExpr(), pos: t.pos };
      }
      if (t.t === '(') {
        p++;
        const e = orExpr();
        const c = peek();
        if (!c || c.t !== ')') fail("expected ')'", c);
        p++;
        return e;
      }
      if (t.t !== 'word') return fail(`unexpected ${t.t === 'str' ? 'string' : `'${t.v}'`}`, t);
      if (t.v === 'and' || t.v === 'or') return fail(`unexpected '${t.v}'`, t);
      p++;
      const nx = peek();
      const opName = nx && (nx.t === 'op' || nx.t === 'word') ? nx.v : undefined;
      if (opName && (BINARY_OPS.has(opName) || LIST_OPS.has(opName) || UNARY_OPS.has(opName))) {
        if (!FIELD_RE.test(t.v)) fail(`invalid field name '${t.v}'`, t);
        p++;
        if (UNARY_OPS.has(opName)) return { k: 'check', field: t.v, op: opName, pos: t.pos };
        if (LIST_OPS.has(opName)) {
          const o = peek();
          if (!o || o.t !== '(') return fail(`expected '(' after '${opName}'`, o);
          p++;
          const values: Value[] = [];
          if (peek()?.t === ')') {
            p++;
            return { k: 'check', field: t.v, op: opName, values, pos: t.pos };
          }
          for (;;) {
            const v = peek();
            if (!v || (v.t !== 'word' && v.t !== 'str')) return fail('expected a value', v);
            values.push({ text: v.v, quoted: v.t === 'str', pos: v.pos });
            p++;
            const s = peek();
            if (s?.t === ',') {
              p++;
              continue;
            }
            if (s?.t === ')') {
              p++;
              break;
            }
            return fail("expected ',' or ')'", s);
          }
          return { k: 'check', field: t.v, op: opName, values, pos: t.pos };
        }
        const v = peek();
        // `evt.dir = <` / `evt.dir = >`: a lone sign is a bare value here.
        if (!v || (v.t !== 'word' && v.t !== 'str' && !(v.t === 'op' && (v.v === '<' || v.v === '>')))) return fail(`expected a value after '${opName}'`, v);
        p++;
        return { k: 'check', field: t.v, op: opName, value: { text: v.v, quoted: v.t === 'str', pos: v.pos }, pos: t.pos };
      }
      if (nx && nx.t === '(') return fail(`unsupported function or operator '${t.v}('`, t);
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(t.v)) return fail(`unexpected '${t.v}'`, t);
      if (nx && nx.t === 'word' && nx.v !== 'and' && nx.v !== 'or' && t.v.includes('.')) return fail(`unknown operator '${nx.v}'`, nx);
      return { k: 'macro', name: t.v, pos: t.pos };
    } finally {
      depth--;
    }
  }

  const root = orExpr();
  const rest = peek();
  if (rest) fail(`unexpected '${rest.v}'`, rest);
  return root;
}
