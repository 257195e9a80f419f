import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleset } from './loader.js';
import { Engine } from './engine.js';
import { exec, open, connect, makeEvent } from './event-builders.js';

const load = (text: string, opts = {}) => loadRuleset([{ name: 'u.yaml', text }], opts);

test('lists, macros, rules: a user rule fires as custom/<name>', () => {
  const { ruleset, diagnostics } = load(`
- list: shells
  items: [bash, sh]
- macro: spawned
  condition: evt.type in (execve, execveat)
- rule: Shell
  desc: a shell
  condition: spawned and proc.name in (shells)
  output: shell %proc.name parent=%proc.pname
  priority: WARNING
  tags: [t1]
`);
  assert.deepEqual(diagnostics, []);
  const en = new Engine(ruleset, { host: 'n1', newId: () => 'id1' });
  const a = en.process(exec('/bin/bash -i', { parents: ['nginx'] }));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.type, 'custom/Shell');
  assert.equal(a[0]!.severity, 'medium');
  assert.equal(a[0]!.message, 'shell bash parent=nginx');
  assert.equal(a[0]!.id, 'id1');
  assert.equal(a[0]!.host, 'n1');
  assert.deepEqual(a[0]!.tags, ['t1']);
  assert.equal(en.process(exec('/usr/bin/ls')).length, 0);
  assert.deepEqual(ruleset.rules[0]!.evtTypes, ['execve', 'execveat']);
});

test('a user file can never raise a catalog type', () => {
  // Rule R of a file, with its type (and more keys).
  const rule = (more: string) => `
- rule: R
  desc: d
  condition: evt.type=execve
  output: x
  priority: ERROR
${more}`;
  const { ruleset, diagnostics } = load(rule('  type: system/reverse-shell\n'));
  assert.equal(diagnostics[0]!.code, 'TYPE_IGNORED');
  assert.equal(ruleset.rules[0]!.type, 'custom/R');
  const b = load(rule('  type: system/reverse-shell\n  remedy: fix it\n'), { builtin: true });
  assert.deepEqual(b.diagnostics, []);
  assert.equal(b.ruleset.rules[0]!.type, 'system/reverse-shell');
  assert.equal(b.ruleset.rules[0]!.severity, 'high');
  const c = load(rule('  type: system/not-a-type\n'), { builtin: true });
  assert.equal(c.diagnostics[0]!.code, 'TYPE_NOT_IN_CATALOG');
  assert.equal(c.ruleset.rules.length, 0);
});

test('syntax error: coded error with file, line and column; other rules still load', () => {
  const { ruleset, diagnostics } = load(`- rule: Bad
  desc: d
  condition: evt.type=execve and (proc.name=sh
  output: x
  priority: NOTICE
- rule: Good
  desc: d
  condition: >
    evt.type=execve and
    proc.name = sh and proc.name ===
  output: x
  priority: NOTICE
- rule: Fine
  desc: d
  condition: evt.type=execve
  output: x
  priority: NOTICE
`);
  assert.equal(diagnostics.length, 2);
  const [a, b] = diagnostics;
  assert.equal(a!.code, 'CONDITION_SYNTAX');
  assert.equal(a!.severity, 'error');
  assert.equal(a!.file, 'u.yaml');
  assert.equal(a!.rule, 'Bad');
  assert.equal(a!.line, 3);
  assert.equal(a!.column, 47); // just past the condition: the missing ')'
  assert.equal(b!.code, 'CONDITION_SYNTAX');
  assert.equal(b!.line, 10);
  assert.equal(b!.column, 36, b!.message); // the third "="
  assert.deepEqual(
    ruleset.rules.map((r) => r.name),
    ['Fine'],
  );
});

test('unsupported field disables only that rule, with a warning naming rule and field', () => {
  const { ruleset, diagnostics } = load(`
- macro: m
  condition: proc.nosuch = 1
- rule: Uses macro
  desc: d
  condition: evt.type=execve and m
  output: x
  priority: NOTICE
- rule: Direct
  desc: d
  condition: evt.type=execve and fd.frobnicate exists
  output: x
  priority: NOTICE
- rule: Ok
  desc: d
  condition: evt.type=execve
  output: x %proc.nosuch
  priority: NOTICE
`);
  const uf = diagnostics.filter((d) => d.code === 'UNSUPPORTED_FIELD');
  assert.deepEqual(
    uf.map((d) => [d.rule, d.field, d.severity, d.line]),
    [
      ['Uses macro', 'proc.nosuch', 'warning', 3],
      ['Direct', 'fd.frobnicate', 'warning', 11],
    ],
  );
  assert.deepEqual(
    ruleset.rules.map((r) => r.name),
    ['Ok'],
  );
  assert.deepEqual(
    ruleset.skipped.map((s) => s.field),
    ['proc.nosuch', 'fd.frobnicate'],
  );
  assert.equal(new Engine(ruleset, { host: 'h' }).process(exec('/bin/ls'))[0]!.message, 'x <NA>');
});

test('a diagnostic is one line whatever it quotes (found by the coverage-guided fuzzer: ">\\r")', () => {
  const d = load('>\r').diagnostics;
  assert.equal(d[0]!.code, 'YAML_SYNTAX');
  assert.equal(d[0]!.message, 'Not a YAML token: \\r');
  const named = load('- rule: "R\\nforged line"\n  desc: d\n  condition: nosuchmacro\n  output: o\n  priority: INFO\n').diagnostics;
  assert.ok(named.length > 0);
  for (const x of [...d, ...named]) assert.doesNotMatch(x.message, /[\r\n]/);
});

test('broken YAML, non-list, unknown macro, cycles: diagnostics, never a throw', () => {
  assert.equal(load('- rule: [unclosed\n').diagnostics[0]!.code, 'YAML_SYNTAX');
  assert.equal(load('rule: x\n').diagnostics[0]!.code, 'FILE_NOT_LIST');
  assert.equal(load('- 42\n').diagnostics[0]!.code, 'ENTRY_INVALID');
  assert.equal(load('- frob: 1\n').diagnostics[0]!.code, 'UNKNOWN_ENTRY');
  const u = load('- rule: R\n  desc: d\n  condition: nosuchmacro\n  output: o\n  priority: INFO\n');
  assert.equal(u.diagnostics[0]!.code, 'UNDEFINED_MACRO');
  const c = load(
    '- macro: a\n  condition: b\n- macro: b\n  condition: a\n- rule: R\n  desc: d\n  condition: evt.type=open and a\n  output: o\n  priority: INFO\n',
  );
  assert.equal(c.diagnostics[0]!.code, 'MACRO_CYCLE');
  const deep = '('.repeat(5000) + 'evt.type=open' + ')'.repeat(5000);
  const d = load(`- rule: R\n  desc: d\n  condition: "${deep}"\n  output: o\n  priority: INFO\n`);
  assert.equal(d.diagnostics[0]!.code, 'CONDITION_TOO_DEEP');
  const p = load('- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n');
  assert.equal(p.diagnostics[0]!.code, 'INVALID_PRIORITY');
  const m = load('- rule: R\n  desc: d\n  output: o\n  priority: INFO\n');
  assert.equal(m.diagnostics[0]!.code, 'RULE_MISSING_FIELD');
  const t = load('- rule: R\n  desc: d\n  condition: proc.tty > abc and evt.type=open\n  output: o\n  priority: INFO\n');
  assert.equal(t.diagnostics[0]!.code, 'COMPARE_TYPE');
});

test('operators: in, intersects, startswith, endswith, contains, icontains, glob, pmatch, exists, numbers, CIDR', () => {
  const rule = (cond: string) => load(`- rule: R\n  desc: d\n  condition: >\n    ${cond}\n  output: o\n  priority: INFO\n`);
  const fires = (cond: string, e: ReturnType<typeof makeEvent>) => {
    const { ruleset, diagnostics } = rule(cond);
    assert.deepEqual(
      diagnostics.filter((d) => d.code !== 'NO_EVT_TYPE'),
      [],
      cond,
    );
    return new Engine(ruleset, { host: 'h' }).process(e).length === 1;
  };
  const e = open('/etc/shadow', 'r', { proc: { args: ['cat', '/etc/shadow', '-n'], name: 'cat' } });
  assert.ok(fires('fd.name startswith /etc/', e));
  assert.ok(fires('fd.name endswith shadow and fd.directory = /etc and fd.filename = shadow', e));
  assert.ok(fires('proc.cmdline contains "shadow -n"', e));
  assert.ok(fires('proc.args icontains SHADOW', e));
  assert.ok(!fires('proc.args contains SHADOW', e));
  assert.ok(fires("fd.name glob '/etc/*ad?w'", e));
  assert.ok(fires('fd.name pmatch (/usr, /etc)', e));
  assert.ok(!fires('fd.name pmatch (/et)', e));
  assert.ok(fires('proc.pname exists or evt.type = openat', e));
  assert.ok(!fires('proc.pname exists', e));
  assert.ok(fires('evt.is_open_read=true and evt.is_open_write=false and fd.typechar=f and fd.num>=0', e));
  assert.ok(fires('evt.arg.flags contains O_RDONLY and evt.res = 3', e));
  assert.ok(fires('user.uid = 0 and user.uid in (0, 1) and user.uid < 1 and not user.uid > 0', e));
  const w = open('/var/log/syslog', 'w');
  assert.ok(fires('evt.arg.flags contains O_TRUNC and evt.arg[flags] contains O_WRONLY and evt.is_open_write=true', w));
  const c = connect('8.8.8.8', 443);
  assert.ok(fires('fd.sip = 8.8.8.8 and fd.sport = 443 and fd.rport = 443 and fd.lip = 10.0.0.5 and fd.cip=10.0.0.5', c));
  assert.ok(fires('not fd.snet in ("10.0.0.0/8", "192.168.0.0/16") and fd.cnet = "10.0.0.0/8"', c));
  assert.ok(fires('fd.typechar = 4 and fd.l4proto = tcp and fd.ip != "0.0.0.0"', c));
  const x = exec('/usr/bin/sh -c id', { parents: ['sshd', 'systemd'] });
  assert.ok(fires('proc.aname = sshd and proc.aname[2] = systemd and proc.aname[0] = sh and proc.aname in (systemd)', x));
  assert.ok(fires('proc.aname intersects (nope, sshd)', x));
  assert.ok(!fires('proc.aname = bash', x));
  assert.ok(fires('proc.name in ("<NA>", sh) and proc.exe = /usr/bin/sh and proc.args = "-c id" and proc.cmdline = "sh -c id"', x));
  assert.ok(fires('proc.cmdline regex "^sh -c [a-z]+$"', x));
  assert.ok(fires('evt.dir = "<" and container.id = host and not container.privileged = true', x));
});

test('exceptions, append, override and enabled toggles', () => {
  const base = `
- list: l
  items: [a]
- macro: m
  condition: proc.name = x
- rule: R
  desc: d
  condition: evt.type=execve and (m or proc.name in (l))
  output: o
  priority: INFO
  exceptions:
    - name: by_parent
      fields: [proc.name, proc.pname]
      comps: [=, in]
      values: [[a, [p1, p2]]]
`;
  const run = (extra: string, name: string, parent = 'bash') => {
    const { ruleset, diagnostics } = load(base + extra);
    assert.deepEqual(diagnostics, []);
    return new Engine(ruleset, { host: 'h' }).process(exec(name, { parents: [parent] })).length;
  };
  assert.equal(run('', 'a'), 1);
  assert.equal(run('', 'a', 'p2'), 0);
  assert.equal(run('', 'b'), 0);
  assert.equal(run('- list: l\n  items: [b]\n  append: true\n', 'b'), 1);
  assert.equal(run('- macro: m\n  condition: or proc.name = c\n  append: true\n', 'c'), 1);
  assert.equal(run('- rule: R\n  condition: and proc.name != a\n  append: true\n', 'a'), 0);
  assert.equal(run('- rule: R\n  condition: evt.type=execve and proc.name=z\n  override: {condition: replace}\n', 'z'), 1);
  assert.equal(run('- rule: R\n  enabled: false\n', 'a'), 0);
  assert.equal(run('- rule: R\n  exceptions:\n    - name: by_parent\n      values: [[a, [bash]]]\n  append: true\n', 'a'), 0);
  assert.equal(run('- rule: R\n  exceptions:\n    - name: single\n      fields: proc.name\n      values: [a]\n  override: {exceptions: append}\n', 'a'), 0);
});

test('aggregation: fires when threshold events with the same key fall in the window, by event time', () => {
  const { ruleset, diagnostics } = load(`
- rule: Many
  desc: d
  condition: evt.type = auth and evt.arg.result = failure
  output: failures for %evt.arg.user from %evt.arg.sip
  priority: WARNING
  aggregate: {by: [evt.arg.user, evt.arg.sip], window: 60s, threshold: 3}
`);
  assert.deepEqual(diagnostics, []);
  const en = new Engine(ruleset, { host: 'h' });
  const ev = (t: number, user = 'root', sip = '1.2.3.4') => makeEvent({ type: 'auth', time: t, args: { service: 'sshd', result: 'failure', user, sip } });
  assert.equal(en.process(ev(0)).length, 0);
  assert.equal(en.process(ev(1000, 'bob')).length, 0);
  assert.equal(en.process(ev(70_000)).length, 0); // the first fell out of the window
  assert.equal(en.process(ev(80_000)).length, 0);
  const a = en.process(ev(90_000));
  assert.equal(a.length, 1);
  assert.match(a[0]!.message, /^failures for root from 1\.2\.3\.4 \(3 events within 60s\)$/);
  assert.equal(en.process(ev(91_000)).length, 0); // starts over
  en.flush(1_000_000);
  assert.equal(
    load('- rule: R\n  desc: d\n  condition: evt.type=x\n  output: o\n  priority: INFO\n  aggregate: {by: [fd.name], window: forever, threshold: 0}\n')
      .diagnostics[0]!.code,
    'INVALID_AGGREGATE',
  );
});

test('rules are indexed by evt.type; NO_EVT_TYPE warns; ruleset has a version', () => {
  const { ruleset, diagnostics } = load('- ruleset_version: "2.1"\n- rule: R\n  desc: d\n  condition: proc.name = sh\n  output: o\n  priority: INFO\n');
  assert.equal(diagnostics[0]!.code, 'NO_EVT_TYPE');
  assert.equal(ruleset.rules[0]!.evtTypes, null);
  assert.match(ruleset.version, /^2\.1\+[0-9a-f]{12}$/);
  const en = new Engine(ruleset, { host: 'h' });
  assert.equal(en.process(makeEvent({ type: 'whatever', proc: { name: 'sh' } })).length, 1);
});

test('fuzz regression: a list item that is a mapping with a toString key is a diagnostic, not a TypeError', () => {
  const text =
    '- list: deb_binaries\n  items: [{toString: 1, valueOf: 1}]\n- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (deb_binaries)\n  output: o\n  priority: WARNING\n';
  const r = loadRuleset([{ name: 'f.yaml', text }]);
  const d = r.diagnostics.find((x) => x.code === 'ENTRY_INVALID');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /list 'deb_binaries' item 1 is not a string/);
  assert.equal(d.line, 2);
});

test('fuzz regression: mappings with a toString key as priority, severity, type, tags or exception name are diagnostics, not a TypeError', () => {
  const rule = (extra: string) => `- rule: r\n  desc: d\n  condition: evt.type = execve\n  output: o\n  priority: WARNING\n${extra}`;
  const m = '{toString: 1, valueOf: 1}';
  const cases: Array<[string, string | undefined]> = [
    [rule(`  priority: ${m}\n`).replace('  priority: WARNING\n', ''), 'INVALID_PRIORITY'],
    [rule(`  severity: ${m}\n`), 'INVALID_SEVERITY'],
    [rule(`  type: ${m}\n`), 'TYPE_IGNORED'],
    [rule(`  tags: [${m}]\n`), undefined],
    [rule(`  exceptions:\n    - name: ${m}\n      fields: [proc.name]\n      values: 1\n`), undefined],
  ];
  for (const [text, code] of cases) {
    const r = load(text);
    if (code)
      assert.ok(
        r.diagnostics.some((d) => d.code === code && d.message.includes('{mapping}')),
        `${code}: ${JSON.stringify(r.diagnostics)}`,
      );
  }
});

test('fuzz regression: an aggregate with a mapping in by or as threshold is INVALID_AGGREGATE, not a TypeError', () => {
  for (const agg of [
    '{by: [{toString: 1, valueOf: 1}, proc.pid], window: 10s, threshold: 200}',
    '{by: [proc.pid], window: 10s, threshold: {toString: 1, valueOf: 1}}',
  ]) {
    const r = load(`- rule: r\n  desc: d\n  condition: evt.type = connect\n  output: o\n  priority: WARNING\n  aggregate: ${agg}\n`);
    assert.ok(
      r.diagnostics.some((d) => d.code === 'INVALID_AGGREGATE'),
      JSON.stringify(r.diagnostics),
    );
  }
});
