// The analyzer manifest (src/core/analyzers/manifest.ts) is what start-up and
// the walk know of every analyzer without importing it: it must say what the
// modules say (id, `--analyzers` group, claims), for every module.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerManifest } from '../../core/analyzers/index.js';
import { ANALYZER_MANIFEST } from '../../core/analyzers/manifest.js';
import { analyzerIds, defaultAnalyzers } from './index.js';

test('the manifest says what the analyzer modules say', async () => {
  const fromModules = analyzerManifest(await defaultAnalyzers());
  assert.deepEqual(ANALYZER_MANIFEST, fromModules, 'src/core/analyzers/manifest.ts is stale: run node --import tsx scripts/gen-analyzer-manifest.ts');
  assert.deepEqual(ANALYZER_MANIFEST.map((m) => m.id).sort(), analyzerIds().sort());
});
