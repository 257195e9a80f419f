// The analyzer index, loaded from src/core/analyzers/modules/ (one module per
// analyzer, see src/core/analyzers/index.ts), and the selection of
// `--analyzers` (analyzer ids and the `os` / `library` groups).
import { ANALYZER_GROUPS, isAnalyzer, scanOrder, selectedIds } from '../../core/analyzers/index.js';
import { ANALYZER_MANIFEST } from '../../core/analyzers/manifest.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import type { ModuleIndex } from '../../core/module-index.js';
import { loadModule, loadModuleDir, moduleFiles, once } from '../module-dir.js';

export const ANALYZERS_DIR = new URL('../../core/analyzers/modules/', import.meta.url);

export const analyzerIndex: () => Promise<ModuleIndex<Analyzer>> = once(() => loadModuleDir('analyzer', ANALYZERS_DIR, isAnalyzer));

/** The analyzers a scan runs by default: all of them, OS analyzers first, then by id. */
export async function defaultAnalyzers(): Promise<Analyzer[]> {
  return scanOrder((await analyzerIndex()).all());
}

/** The analyzer ids, from the module files' names (nothing is loaded). */
export function analyzerIds(): string[] {
  return moduleFiles(ANALYZERS_DIR).map(([id]) => id);
}

/** What `--analyzers` accepts: the groups, then the analyzer ids. */
export function analyzerNames(): string[] {
  return [...ANALYZER_GROUPS, ...analyzerIds()];
}

/**
 * The analyzers of a selection (ids and groups, validated by the caller
 * against analyzerNames), in scan order. Only their modules are loaded: a
 * group's members come from the manifest (src/core/analyzers/manifest.ts).
 */
export async function selectedAnalyzers(names: readonly string[]): Promise<Analyzer[]> {
  const loaded = await Promise.all(selectedIds(ANALYZER_MANIFEST, names).map((id) => loadModule('analyzer', ANALYZERS_DIR, id, isAnalyzer)));
  return scanOrder(loaded.filter((a): a is Analyzer => a !== undefined));
}
