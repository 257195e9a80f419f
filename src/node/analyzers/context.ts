// The analyzer context the Node edges inject into analyzeImage: the
// capabilities pure analyzers cannot have themselves (opening SQLite).
import type { AnalyzerContext } from '../../core/analyzers/types.js';
import { openSqlite } from './sqlite.js';

export function nodeAnalyzerContext(): AnalyzerContext {
  return { openSqlite: (bytes) => openSqlite(bytes) };
}
