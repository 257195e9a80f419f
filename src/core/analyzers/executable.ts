// What the executable analyzers (gobinary, rust-binary) read of an
// executable, summarised while the layer streams by: the Go build info and
// the cargo-auditable `.dep-v0` dependency list. Both analyzers claim the
// same files (regular files with an execute bit) and share `reduceExecutable`,
// so the pipeline keeps this summary (a few KiB) instead of the binary (tens
// of MiB); `readExecutable` accepts the summary or, when a file was kept
// whole, the binary itself. Given a ByteSource (a file on disk), the reducer
// reads the first 4 KiB, and only for an ELF file its section headers and the
// build info sections, never the whole binary.
import { inflateSync } from 'node:zlib';
import type { FileEntry } from '../inventory/types.js';
import type { ByteSource } from './byte-source.js';
import { fileSection, parseElf, sectionData, type ElfFile } from './elf.js';
import { readFromElf } from './go-buildinfo.js';
import { packageFileAnalyzer, type PackageFileAnalyzerSpec } from './package-files.js';
import type { Analyzer } from './types.js';

/** Largest executable claimed (bigger ones are not read: a Go binary of more than this is unheard of). */
export const MAX_EXECUTABLE = 200 * 1024 * 1024;
/** Largest `.dep-v0` section and its inflated JSON (cargo-auditable's own reader caps it at 8 MiB). */
export const MAX_DEP_V0 = 8 * 1024 * 1024;

const SUMMARY_MAGIC = 'vigil-executable-summary/1\n';

export interface ExecutableSummary {
  /** Go build info: raw strings, or why it is unreadable. */
  go?: { goVersion: string; modinfo: string } | { error: string };
  /** cargo-auditable dependency JSON (inflated text), or why it is unreadable. */
  rust?: { json: string } | { error: string };
}

/** Whether an entry is one the executable analyzers read. */
export function isExecutableCandidate(path: string, entry: FileEntry): boolean {
  return entry.kind === 'file' && (entry.mode & 0o111) !== 0 && entry.size >= 64 && entry.size <= MAX_EXECUTABLE;
}

function rustDeps(elf: ElfFile): ExecutableSummary['rust'] {
  const s = fileSection(elf, '.dep-v0');
  if (!s) return undefined;
  if (s.size > MAX_DEP_V0) return { error: `.dep-v0 section of ${s.size} bytes` };
  const sec = sectionData(elf, '.dep-v0', MAX_DEP_V0)!;
  try {
    const json = inflateSync(sec, { maxOutputLength: MAX_DEP_V0 });
    return { json: json.toString('utf8') };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { error: code === 'ERR_BUFFER_TOO_LARGE' ? `.dep-v0 inflates to more than ${MAX_DEP_V0} bytes` : '.dep-v0 is not zlib data' };
  }
}

/** The summary of an executable: its bytes, or a source to read the few ranges needed from. */
export function summarizeExecutable(input: Buffer | ByteSource): ExecutableSummary {
  // Most executables in an image are scripts or ordinary ELF files: the first read (4 KiB) tells a script, the section names the rest.
  const elf = parseElf(input);
  if (typeof elf === 'string') return {};
  const out: ExecutableSummary = {};
  const go = readFromElf(elf);
  if (typeof go === 'string') out.go = { error: go };
  else if (go) out.go = go;
  const rust = rustDeps(elf);
  if (rust) out.rust = rust;
  return out;
}

/** The pipeline's reducer for executables: the summary, tagged so that `readExecutable` knows it from a binary. */
export function reduceExecutable(_path: string, content: Buffer | ByteSource): Buffer {
  return Buffer.from(SUMMARY_MAGIC + JSON.stringify(summarizeExecutable(content)), 'utf8');
}

const MAGIC_BYTES = Buffer.from(SUMMARY_MAGIC, 'utf8');

/** The summary of a required file's content: a reduced summary, else the executable read now. */
export function readExecutable(content: Buffer): ExecutableSummary {
  if (content.length >= MAGIC_BYTES.length && content.subarray(0, MAGIC_BYTES.length).equals(MAGIC_BYTES)) {
    try {
      const v = JSON.parse(content.subarray(MAGIC_BYTES.length).toString('utf8')) as ExecutableSummary;
      if (typeof v === 'object' && v !== null) return v;
    } catch {
      return {};
    }
    return {};
  }
  return summarizeExecutable(content);
}

export interface ExecutableAnalyzerSpec<K extends keyof ExecutableSummary> extends Pick<PackageFileAnalyzerSpec, 'id' | 'type' | 'what'> {
  /** The part of the summary it reads. */
  part: K;
  /** The packages of a readable part, or why it cannot be read. */
  read(data: Exclude<NonNullable<ExecutableSummary[K]>, { error: string }>): ReturnType<PackageFileAnalyzerSpec['read']>;
}

/** A package analyzer of executables: an executable without its part is skipped silently, one whose part is unreadable is a notice. */
export function executableAnalyzer<K extends keyof ExecutableSummary>(spec: ExecutableAnalyzerSpec<K>): Analyzer {
  return packageFileAnalyzer({
    id: spec.id,
    type: spec.type,
    what: spec.what,
    claims: { executables: true },
    required: isExecutableCandidate,
    reduce: reduceExecutable,
    read(f) {
      const data = readExecutable(f.content)[spec.part];
      if (!data) return undefined;
      return 'error' in data ? String(data.error) : spec.read(data as Exclude<NonNullable<ExecutableSummary[K]>, { error: string }>);
    },
  });
}
