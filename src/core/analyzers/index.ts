// The analyzer index: every analyzer Vigil runs is one module in ./modules/,
// a file named after its id that default-exports the Analyzer (the analyzers
// written before the index keep their code beside this file and are
// re-exported there). src/node/analyzers/index.ts loads the directory into a
// ModuleIndex (a duplicate id throws); adding an analyzer is its module, its
// test and its doc page (docs/architecture.md, "Extension points").
import { hasMembers } from '../module-index.js';
import type { Analyzer, AnalyzerClaims } from './types.js';

export function isAnalyzer(m: unknown): m is Analyzer {
  return hasMembers(m, { id: 'string', required: 'function', analyze: 'function' }) && Number.isInteger(m.version) && (m.kind === 'os' || m.kind === 'package');
}

/** The order a scan runs analyzers in: OS analyzers first, then the others, each by id. */
export function scanOrder(all: readonly Analyzer[]): Analyzer[] {
  const byId = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...byId.filter((a) => a.kind === 'os'), ...byId.filter((a) => a.kind !== 'os')];
}

/** The groups `--analyzers` accepts beside analyzer ids, as Trivy's `--pkg-types`: the OS and its packages, or language packages. */
export const ANALYZER_GROUPS = ['os', 'library'] as const;
export type AnalyzerGroup = (typeof ANALYZER_GROUPS)[number];

/** The group an analyzer belongs to: `os` for OS detection and the OS package databases, `library` for the rest. */
export function analyzerGroup(a: Analyzer): AnalyzerGroup {
  return a.kind === 'os' || a.pkgType === 'os' ? 'os' : 'library';
}

/** One analyzer as the manifest (manifest.ts) knows it without importing it. */
export interface AnalyzerManifestEntry {
  readonly id: string;
  readonly group: AnalyzerGroup;
  /** Absent: the analyzer may require any entry. */
  readonly claims?: AnalyzerClaims;
}

/** The manifest entries of analyzers (what scripts/gen-analyzer-manifest.ts writes), in scan order. */
export function analyzerManifest(all: readonly Analyzer[]): AnalyzerManifestEntry[] {
  return scanOrder(all).map((a) => ({ id: a.id, group: analyzerGroup(a), ...(a.claims ? { claims: a.claims } : {}) }));
}

/** The analyzer ids a selection names (analyzer ids and groups), by the manifest: the modules to load. */
export function selectedIds(manifest: readonly AnalyzerManifestEntry[], names: readonly string[]): string[] {
  const groups = new Set<string>(ANALYZER_GROUPS);
  const ids = new Set(names.filter((n) => !groups.has(n)));
  for (const m of manifest) if (names.includes(m.group)) ids.add(m.id);
  return [...ids];
}
