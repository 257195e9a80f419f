// The CI check of issue 5: every alert type of the catalog in scope (all but
// cluster/* and container/image-blocked) has a built-in rule or detector AND
// a test that names it; every built-in rule file has its mirrored test; the
// built-in set loads without a single diagnostic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALERT_CATALOG } from '../../core/alerts/catalog.js';
import { BUILTIN_DETECTORS } from '../../core/rules/index.js';
import { builtinRulesDir, loadBuiltinRules } from './load.js';

const OUT_OF_SCOPE = (id: string) => id.startsWith('cluster/') || id === 'container/image-blocked';
const detectorsDir = fileURLToPath(new URL('../../core/rules/detectors/', import.meta.url));

function testTexts(): string {
  const texts: string[] = [];
  for (const dir of [builtinRulesDir(), detectorsDir]) {
    for (const n of readdirSync(dir)) if (n.endsWith('.test.ts')) texts.push(readFileSync(join(dir, n), 'utf8'));
  }
  return texts.join('\n');
}

test('built-in rules load cleanly', async () => {
  const { ruleset, diagnostics } = await loadBuiltinRules();
  assert.deepEqual(
    diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`),
    [],
  );
  assert.deepEqual(ruleset.skipped, []);
  assert.ok(ruleset.rules.length >= 40);
  assert.ok(
    ruleset.rules.every((r) => r.builtin && r.remedy && r.evtTypes !== null),
    'every built-in rule has a remedy and an evt.type index',
  );
});

test('every in-scope catalog type has a rule or detector and a test naming it', async () => {
  const { ruleset } = await loadBuiltinRules();
  const covered = new Set([...ruleset.rules.map((r) => r.type), ...BUILTIN_DETECTORS.map((d) => d.type)]);
  const tests = testTexts();
  const missing: string[] = [];
  for (const t of ALERT_CATALOG) {
    if (OUT_OF_SCOPE(t.id)) continue;
    if (!covered.has(t.id)) missing.push(`${t.id}: no rule or detector`);
    // `'type'` in a test: the tests name the expected type literally (or via a one-letter constant).
    if (!tests.includes(`'${t.id}'`)) missing.push(`${t.id}: no test names it`);
  }
  assert.deepEqual(missing, []);
});

test('every built-in rule file has a mirrored test file', () => {
  const names = readdirSync(builtinRulesDir());
  const yamls = names.filter((n) => n.endsWith('.yaml') && n !== '00-macros.yaml');
  const noTest = yamls.filter((y) => !names.includes(y.replace(/\.yaml$/, '.test.ts')));
  assert.deepEqual(noTest, []);
});
