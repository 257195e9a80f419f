// The sensor-coverage contract: every event type and every path a built-in
// rule tests is delivered by a sensor, checked against the compiled rules and
// the bpftrace program, so a rule cannot be starved silently again (issue 18:
// rules waited for /proc/*/exe writes, release_agent outside /sys/fs/cgroup and
// five high-risk syscalls the sensor never delivered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadBuiltinRules, builtinRulesDir } from '../../src/node/rules/load.js';
import { buildProgram, DELIVERED_EVENT_TYPES, HIGH_RISK_SYSCALLS, openReported } from '../../src/node/sensors/bpftrace/program.js';

/** Event types of the other sensors: file integrity, auth logs, the CPU sampler (cpu-sampler.ts), the account files (account-files.ts). */
const OTHER_SENSOR_TYPES = new Set(['filechange', 'auth', 'procstat', 'account']);

/**
 * Paths a rule tests that the kernel program does not report, each with why.
 * Adding one here is a decision, not an accident: the test lists it.
 */
const NOT_REPORTED: Record<string, string> = {
  '/x/.kube/config': 'a file named config is opened everywhere; kubeconfig reads are left to the file-integrity and audit sources',
  '/x/.docker/config.json': 'config.json is too common a name to report every open of',
  '/x/.aws/config': 'a file named config is opened everywhere; the credentials file next to it is reported',
};

/** A sample path the operator and literal match (a glob's wildcards filled in). */
function sample(op: string, lit: string): string | undefined {
  const fill = (g: string) =>
    g
      .replace(/\*/g, 'x')
      .replace(/\?/g, 'x')
      .replace(/\[!?([^\]])[^\]]*\]/g, '$1');
  switch (op) {
    case 'startswith':
    case 'pmatch':
      return lit.startsWith('/') ? (lit.endsWith('/') ? `${lit}x` : lit) : undefined;
    case '=':
    case '==':
    case 'in':
      return lit.startsWith('/') ? lit : undefined;
    case 'glob':
      return lit.startsWith('/') ? fill(lit) : undefined;
    // File-name suffixes: only shell histories are matched by suffix alone (others come with a directory test).
    case 'endswith':
      return lit.startsWith('/') ? `/x${lit}` : lit === '_history' ? '/home/u/.bash_history' : lit === '.history' ? '/home/u/.history' : undefined;
    default:
      return undefined;
  }
}

/** The lists of the rule files, and a condition with their macros expanded (8 levels deep). */
function definitions(items: Array<Record<string, unknown>>): { lists: Map<string, string[]>; expand: (c: string) => string } {
  const macros = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const x of items) {
    if (typeof x.macro === 'string') macros.set(x.macro, String(x.condition));
    if (typeof x.list === 'string') lists.set(x.list, (x.items as unknown[]).map(String));
  }
  const expand = (c: string): string => {
    for (let i = 0; i < 8; i++) c = c.replace(/\b([a-z_][a-z0-9_]*)\b/g, (w) => (macros.has(w) ? `(${macros.get(w)!})` : w));
    return c;
  };
  return { lists, expand };
}

function ruleFiles(): Array<Record<string, unknown>> {
  const dir = builtinRulesDir();
  return readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .flatMap((n) => parse(readFileSync(join(dir, n), 'utf8')) as Array<Record<string, unknown>>);
}

test('sensor coverage: every event type a built-in rule tests is delivered', async () => {
  const { ruleset } = await loadBuiltinRules();
  const program = buildProgram({ v1SubsysIndex: 3, openat2: true });
  for (const [type, probe] of Object.entries(DELIVERED_EVENT_TYPES))
    assert.match(program, new RegExp(`tracepoint:${probe}[ ,]`), `${type}: probe ${probe} missing from the program`);
  const starved: string[] = [];
  for (const r of ruleset.rules) {
    if (r.source !== 'syscall' || r.evtTypes === null) continue;
    if (!r.evtTypes.some((t) => t in DELIVERED_EVENT_TYPES || OTHER_SENSOR_TYPES.has(t))) starved.push(`${r.name}: ${r.evtTypes.join(', ')}`);
  }
  assert.deepEqual(starved, [], `rules no sensor feeds:\n${starved.join('\n')}`);
});

/**
 * `evt.type` groups of a rule that no sensor feeds although another branch of the same rule is fed
 * (the check above passes such a rule), each with why. Listing one here is a decision, not an accident.
 */
const STARVED_BRANCHES: Record<string, string> = {};

test('sensor coverage: every evt.type branch of a rule is fed, not only one of them', () => {
  const items = ruleFiles();
  const { lists, expand } = definitions(items);
  const starved: string[] = [];
  let groups = 0;
  for (const r of items) {
    if (typeof r.rule !== 'string' || typeof r.condition !== 'string') continue;
    for (const m of expand(r.condition).matchAll(/evt\.type\s+(?:in\s+\(([^)]*)\)|=\s*([a-z0-9_]+))/g)) {
      const types = (m[1] ?? m[2]!)
        .split(',')
        .map((t) => t.trim())
        .flatMap((t) => lists.get(t) ?? [t]);
      groups++;
      if (types.some((t) => t in DELIVERED_EVENT_TYPES || OTHER_SENSOR_TYPES.has(t))) continue;
      const key = `${r.rule}: ${types.join(',')}`;
      if (!(key in STARVED_BRANCHES)) starved.push(key);
    }
  }
  assert.ok(groups > 40, `only ${groups} evt.type groups found: the extraction broke`);
  assert.deepEqual(starved, [], `rule branches no sensor feeds:\n${starved.join('\n')}`);
});

test('sensor coverage: high_risk_syscalls and the probes come from one list', () => {
  const list = ruleFiles().find((x) => x.list === 'high_risk_syscalls') as { items: string[] } | undefined;
  assert.ok(list);
  assert.deepEqual([...list.items].sort(), [...HIGH_RISK_SYSCALLS].sort());
  for (const s of HIGH_RISK_SYSCALLS) assert.ok(s in DELIVERED_EVENT_TYPES, `${s} has no probe`);
});

test('sensor coverage: every path an open rule tests is reported by the kernel program', async () => {
  const { ruleset } = await loadBuiltinRules();
  const items = ruleFiles();
  const { lists, expand } = definitions(items);
  const missing: string[] = [];
  let checked = 0;
  for (const r of ruleset.rules) {
    if (r.source !== 'syscall' || !r.evtTypes?.includes('openat')) continue;
    const cond = expand(r.condition);
    const write =
      cond.includes('is_open_write = true') &&
      !cond.includes('is_open_read = true') &&
      !/open_any|fd\.typechar = f\)/.test(r.condition.replace(/open_write/g, ''));
    const re = /fd\.name\s+(startswith|endswith|glob|pmatch|=|==|in)\s+(\([^)]*\)|"[^"]*"|[^\s()]+)/g;
    for (const m of cond.matchAll(re)) {
      // Exclusions (`not fd.name startswith /etc/`) need no event.
      if (/\bnot\s+$/.test(cond.slice(Math.max(0, m.index - 8), m.index))) continue;
      const op = m[1]!;
      let lits = [m[2]!];
      if (lits[0]!.startsWith('('))
        lits = lits[0]!
          .slice(1, -1)
          .split(',')
          .map((s) => s.trim())
          .flatMap((s) => lists.get(s) ?? [s]);
      for (const raw of lits) {
        const lit = raw.replace(/^"|"$/g, '');
        const path = sample(op, lit);
        if (!path || (path.startsWith('/x/') && !(path in NOT_REPORTED) && op !== 'endswith')) continue;
        checked++;
        if (path in NOT_REPORTED) continue;
        if (!openReported(path, write, {}, write && cond.includes('O_TRUNC'))) missing.push(`${r.name}: ${op} ${lit} (${write ? 'write' : 'read'} of ${path})`);
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} paths checked: the extraction broke`);
  assert.deepEqual([...new Set(missing)], [], `rules testing paths the sensor never reports:\n${[...new Set(missing)].join('\n')}`);
});
