// Fuzz: rule files through loadRuleset. Its contract is stronger than the
// other readers': loading never throws, every problem is a diagnostic. The
// samples are the built-in rule files; mutations are both on the YAML text
// and on the parsed structure (re-serialised), so field checks, condition
// parsing and macro/list expansion all see broken input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { loadRuleset, type RuleFile } from '../../src/core/rules/loader.js';
import { CASE_MS, fuzzText, mutatedJson, params } from './harness.js';

const dir = new URL('../../rules/builtin/', import.meta.url);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const texts = new Map(names.map((n) => [n, readFileSync(new URL(n, dir), 'utf8')]));
const macros = texts.get('00-macros.yaml')!;
const ruleTexts = names.filter((n) => n !== '00-macros.yaml').map((n) => texts.get(n)!);

function load(files: RuleFile[]): void {
  const t0 = performance.now();
  let r;
  try {
    r = loadRuleset(files, { builtin: true });
  } catch (e) {
    throw new Error(`loadRuleset threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}; loading must never throw`, { cause: e });
  }
  const ms = performance.now() - t0;
  if (ms > CASE_MS) throw new Error(`loadRuleset took ${Math.round(ms)} ms (bound ${CASE_MS} ms)`);
  for (const d of r.diagnostics) if (/[\n\r]/.test(d.message)) throw new Error(`diagnostic is not one line: ${JSON.stringify(d.message)}`);
}

test('rules corpus: the built-in rules load without errors', () => {
  const r = loadRuleset(
    names.map((n) => ({ name: n, text: texts.get(n)! })),
    { builtin: true },
  );
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test('fuzz: rule files (YAML text mutations) load with diagnostics, never throw', () => {
  fc.assert(
    fc.property(fuzzText(ruleTexts, 3), fc.boolean(), (text, withMacros) => {
      load([...(withMacros ? [{ name: '00-macros.yaml', text: macros }] : []), { name: 'fuzz.yaml', text }]);
    }),
    params(150),
  );
});

test('fuzz: rule files (structural mutations) load with diagnostics, never throw', () => {
  const docs = [macros, ...ruleTexts].map((t) => parse(t) as unknown);
  fc.assert(
    fc.property(mutatedJson(docs, 4), (doc) => {
      let text: string;
      try {
        text = stringify(doc);
      } catch {
        return;
      }
      load([
        { name: '00-macros.yaml', text: macros },
        { name: 'fuzz.yaml', text },
      ]);
    }),
    params(150),
  );
});
