// The analyzer index: every analyzer Vigil runs, by stable id. Add a new
// analyzer with one line here; a duplicate id throws at load time.
import { ModuleIndex } from '../module-index.js';
import { apkAnalyzer } from './apk.js';
import { dpkgAnalyzer } from './dpkg.js';
import { npmAnalyzer } from './npm.js';
import { osReleaseAnalyzer } from './os-release.js';
import { rpmAnalyzer } from './rpm.js';
import type { Analyzer } from './types.js';

export const ANALYZERS = new ModuleIndex<Analyzer>('analyzer', [
  osReleaseAnalyzer,
  dpkgAnalyzer,
  apkAnalyzer,
  rpmAnalyzer,
  npmAnalyzer,
]);

/** The analyzers a scan runs by default: all of them, OS analyzers first, then by id. */
export function defaultAnalyzers(): Analyzer[] {
  const all = ANALYZERS.all();
  return [...all.filter((a) => a.kind === 'os'), ...all.filter((a) => a.kind !== 'os')];
}
