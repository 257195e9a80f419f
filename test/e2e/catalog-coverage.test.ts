// Every alert type of the catalog (src/core/alerts/catalog.ts, product.md
// section 5) has at least one end-to-end test from a real event source:
// kernel events, a file change, an audit event, an auth log, an image scan
// or an admission request (issue 19 item 5). The registry is the tests'
// own assertions: an e2e test names the type it checks through
// `e2eType(type, source)` (test/helpers/e2e-coverage.ts) inside the
// assertion, and this test finds those calls in the sources of the tests
// that run real sources (test/e2e and the edge tests of src/node), so it
// cannot drift from what is checked. Rule tests on synthetic events
// (rules/, src/core) do not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ALERT_CATALOG } from '../../src/core/alerts/catalog.js';
import { REPO } from './runtime/harness.js';

/**
 * Types whose end-to-end test is being built elsewhere, with who builds it. The test fails when one
 * of them gets covered (drop it from here) and lists them, so the gap stays visible.
 */
const PENDING: Record<string, string> = {};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** type -> "file (source)" of every e2eType() call in the e2e and edge tests. */
function e2eCoverage(): Map<string, string[]> {
  const cov = new Map<string, string[]>();
  for (const f of [...testFiles(join(REPO, 'test/e2e')), ...testFiles(join(REPO, 'src/node'))]) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\be2eType\(\s*'([^']+)',\s*'([^']+)'\s*\)/g)) {
      const list = cov.get(m[1]!) ?? [];
      list.push(`${relative(REPO, f)} (${m[2]})`);
      cov.set(m[1]!, list);
    }
  }
  return cov;
}

test('catalog: every alert type has an end-to-end test from a real event source', (t) => {
  const cov = e2eCoverage();
  assert.ok(cov.size >= 10, `only ${cov.size} types found: the e2eType() scan broke`);
  const ids = ALERT_CATALOG.map((t) => t.id);
  const unknown = [...cov.keys()].filter((t) => !ids.includes(t));
  assert.deepEqual(unknown, [], 'e2eType() names catalog types only');
  const uncovered = ids.filter((t) => !cov.has(t) && !(t in PENDING));
  assert.deepEqual(uncovered, [], `catalog types without an end-to-end test:\n${uncovered.join('\n')}`);
  const stale = Object.keys(PENDING).filter((t) => cov.has(t));
  assert.deepEqual(stale, [], `covered now, drop from PENDING: ${stale.join(', ')}`);
  for (const [type, why] of Object.entries(PENDING)) t.diagnostic(`${type}: no end-to-end test yet (${why})`);
});
