import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionSyntaxError, parseCondition } from './condition-parser.js';
import { loadRuleset } from './loader.js';

test('parses Falco syntax: precedence, lists, bare values with brackets, signs as values', () => {
  const a = parseCondition('a or b and not c');
  assert.equal(a.k, 'or');
  const b = parseCondition('proc.pname in (runc:[0:PARENT], "sh -c x", \'y\') and proc.aname[2]=sshd and evt.dir = <');
  assert.equal(b.k, 'and');
  if (b.k !== 'and') return;
  const [x, y, z] = b.items;
  assert.deepEqual(x!.k === 'check' && x!.values!.map((v) => v.text), ['runc:[0:PARENT]', 'sh -c x', 'y']);
  assert.ok(y!.k === 'check' && y!.field === 'proc.aname[2]' && y!.value!.text === 'sshd');
  assert.ok(z!.k === 'check' && z!.value!.text === '<');
  assert.ok(parseCondition('fd.name exists').k === 'check');
  assert.ok(parseCondition('x in ()').k === 'check');
  assert.ok(parseCondition('proc.name!="sshd"').k === 'check');
});

test('syntax errors carry a code and an offset', () => {
  const bad: Array<[string, number]> = [
    ['a and', 5],
    ['(a', 2],
    ['a b', 2],
    ['proc.name =', 11],
    ['x in (a b)', 8],
    ['"unterminated', 0],
    ['proc.name ! x', 10],
    ['tolower(proc.name) = x', 0],
    [')', 0],
  ];
  for (const [src, off] of bad) {
    assert.throws(
      () => parseCondition(src),
      (e: unknown) => e instanceof ConditionSyntaxError && e.code === 'CONDITION_SYNTAX' && e.offset === off,
      src,
    );
  }
});

test('fuzz: random conditions and random rule files never crash the loader', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const toks = [
    '(',
    ')',
    'and',
    'or',
    'not',
    'proc.name',
    '=',
    'in',
    '(a,b)',
    'fd.name',
    'startswith',
    '/etc',
    '"q',
    "'",
    ',',
    'evt.type',
    'open',
    'exists',
    '[',
    ']',
    'glob',
    '*',
    'x.y[',
    '<',
    '>=',
    '\\',
    'm',
  ];
  for (let i = 0; i < 2000; i++) {
    const n = 1 + Math.floor(rnd() * 12);
    let s = '';
    for (let j = 0; j < n; j++) s += `${toks[Math.floor(rnd() * toks.length)]}${rnd() < 0.7 ? ' ' : ''}`;
    try {
      parseCondition(s);
    } catch (e) {
      assert.ok(e instanceof ConditionSyntaxError, `${s}: ${String(e)}`);
    }
    const file = `- macro: m\n  condition: ${JSON.stringify(s)}\n- rule: R\n  desc: d\n  condition: ${JSON.stringify(`evt.type=open and (${s})`)}\n  output: o %${s.slice(0, 5)}\n  priority: INFO\n`;
    const r = loadRuleset([{ name: 'f.yaml', text: file }]);
    assert.ok(Array.isArray(r.diagnostics));
  }
  for (let i = 0; i < 300; i++) {
    let s = '';
    const len = Math.floor(rnd() * 200);
    for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(rnd() * 128));
    const r = loadRuleset([{ name: 'junk.yaml', text: s }]);
    assert.ok(r.ruleset.rules.length === 0 || r.ruleset.rules.length >= 0);
  }
  // YAML bombs: aliases are bounded.
  const bomb =
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  assert.equal(
    loadRuleset([{ name: 'bomb.yaml', text: `- list: l\n  items: [1]\n- ${bomb.replace(/\n(?=.)/g, '\n  ')}` }]).diagnostics[0]!.code,
    'YAML_SYNTAX',
  );
});
