// The analyzer index, loaded from src/core/analyzers/modules/ (one module per
// analyzer, see src/core/analyzers/index.ts).
import { isAnalyzer, scanOrder } from '../../core/analyzers/index.js';
import type { Analyzer } from '../../core/analyzers/types.js';
import type { ModuleIndex } from '../../core/module-index.js';
import { loadModuleDir, once } from '../module-dir.js';

export const ANALYZERS_DIR = new URL('../../core/analyzers/modules/', import.meta.url);

export const analyzerIndex: () => Promise<ModuleIndex<Analyzer>> = once(() => loadModuleDir('analyzer', ANALYZERS_DIR, isAnalyzer));

/** The analyzers a scan runs by default: all of them, OS analyzers first, then by id. */
export async function defaultAnalyzers(): Promise<Analyzer[]> {
  return scanOrder((await analyzerIndex()).all());
}
