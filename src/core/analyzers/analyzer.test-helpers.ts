// Test helpers of the analyzer modules: files as the image reader hands them
// over (content + tar entry), one analyzer run without a file tree, and `name@version` lists to compare.
import type { FileEntry } from '../inventory/types.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput } from './types.js';

/** A regular file's tar entry in layer 0, owned by root. */
export const fileEntry = (path: string, size: number, mode = 0o644): FileEntry => ({ path, kind: 'file', mode, size, uid: 0, gid: 0, layer: 0 });

export const analyzerFile = (path: string, content: Buffer | string, mode = 0o644): AnalyzerFile => {
  const c = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, content: c, entry: fileEntry(path, c.length, mode) };
};

/** Runs `a` on `files` alone: no package versions from other analyzers, an empty file tree. */
export const runAnalyzer = async (a: Analyzer, files: AnalyzerFile[]) =>
  a.analyze({
    files,
    versions: () => [],
    tree: { get: () => undefined, list: () => [], resolve: () => undefined, entries: () => [] },
    ctx: {},
  } as AnalyzerInput);

/** `name@version` of each package, sorted. */
export const nameVersions = (pkgs: Array<{ name: string; version: string }>): string[] => pkgs.map((p) => `${p.name}@${p.version}`).sort();
