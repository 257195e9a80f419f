// Test helpers of the analyzer modules: files as the image reader hands them
// over (content + tar entry), one analyzer run without a file tree, `name@version` lists to compare, and
// the byte-damage fuzz loop of the package database readers.
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import type { FileEntry } from '../inventory/types.js';
import type { Analyzer, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';

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

/**
 * An analyzer run gave no notices and exactly the packages `want` (`name@version`,
 * any order); with `from`, each of them has that package type and file path.
 */
export function assertPackages(r: AnalyzerResult, want: readonly string[], from?: { type: string; filePath: string }): void {
  assert.deepEqual(r.notices, []);
  assert.deepEqual(nameVersions(r.packages!), [...want].sort());
  if (from) assert.ok(r.packages!.every((p) => p.type === from.type && p.filePath === from.filePath));
}

/** Pseudo-random integers below `n` from `seed` (the C library's LCG), so a fuzz run repeats exactly. */
export function seededRandom(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

/**
 * Damages a copy of `original` `rounds` times (1 to `maxHits` bytes each; a
 * byte becomes one of `bytes` or a random one, or only random ones) and reads
 * each copy with `read`: it must give a result or throw an InputError. Returns
 * how many rounds threw.
 */
export async function fuzzDamagedBytes(
  original: Buffer,
  o: { seed: number; rounds: number; maxHits: number; bytes?: number[] },
  read: (damaged: Buffer) => Promise<unknown>,
): Promise<number> {
  const rand = seededRandom(o.seed);
  const bytes = o.bytes;
  let errors = 0;
  for (let round = 0; round < o.rounds; round++) {
    const b = Buffer.from(original);
    for (let k = 0; k < 1 + rand(o.maxHits); k++) b[rand(b.length)] = bytes ? [...bytes, rand(256)][rand(bytes.length + 1)]! : rand(256);
    try {
      await read(b);
    } catch (e) {
      assert.ok(e instanceof InputError, `round ${round}: ${String((e as Error).stack)}`);
      errors++;
    }
  }
  return errors;
}
