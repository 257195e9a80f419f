// What package analyzers share: collecting packages with their file and
// layer, the notice of a package file that is there but cannot be read (said,
// never a silent zero), and the analyzer whose every file gives a list of
// packages or the reason it was skipped (lockfiles, binaries' dependency data).
import type { LayerRef, Notice, Package, PackageType } from '../inventory/types.js';
import { layerRef } from './layer-attribution.js';
import type { Analyzer, AnalyzerClaims, AnalyzerFile, AnalyzerInput, AnalyzerResult } from './types.js';

/** A package as a parser gives it; the collector adds the file and the layer. */
export type PackageFields = Omit<Package, 'filePath' | 'layer'>;

/** The packages and notices of one analyzer run. */
export class PackageCollector {
  readonly packages: Package[] = [];
  readonly notices: Notice[] = [];

  constructor(private readonly layers: LayerRef[] | undefined) {}

  /** `<what> <path> skipped: <why>` (`Cargo.lock /app/Cargo.lock skipped: not UTF-8 text`). */
  skip(path: string, what: string, why: string): void {
    this.notices.push({ kind: 'package-db-unreadable', message: `${what} ${path} skipped: ${why}`, path });
  }

  /** The parsed value, or undefined after a notice when the parser gave the reason it could not read `f`. */
  parsed<T>(f: AnalyzerFile, what: string, result: T | string): T | undefined {
    if (typeof result !== 'string') return result;
    this.skip(f.path, what, result);
    return undefined;
  }

  /** A package found in `f`, attributed to the layer `f` comes from. */
  add(f: AnalyzerFile, pkg: PackageFields): void {
    this.packages.push({ ...pkg, filePath: f.path, layer: layerRef(f.entry.layer, this.layers) });
  }

  result(): AnalyzerResult {
    return { packages: this.packages, notices: this.notices };
  }
}

/** Claims regular files `matches` names, up to four times `maxBytes` (a larger one is then reported, not silently missed). */
export function claimFiles(matches: (path: string) => boolean, maxBytes: number): Analyzer['required'] {
  return (path, entry) => entry.kind === 'file' && matches(path) && entry.size <= maxBytes * 4;
}

export interface PackageFileAnalyzerSpec {
  id: string;
  /** Default 1. */
  version?: number;
  required: Analyzer['required'];
  /** The pre-filter of `required` (Analyzer.claims). */
  claims?: AnalyzerClaims;
  reduce?: Analyzer['reduce'];
  /** Package type of what it finds. */
  type: PackageType;
  /** How notices name one of its files: `Cargo.lock`, `Go build info of`. */
  what: string;
  /** Bytes of one file read at the most; a larger file is a notice. */
  maxBytes?: number;
  /** The packages of `f`, the reason it cannot be read, or undefined when `f` is none of this analyzer's files (skipped silently). */
  read(f: AnalyzerFile, input: AnalyzerInput): Array<{ name: string; version: string }> | string | undefined;
  /** Lists a name@version once per file. */
  unique?: boolean;
}

/** An analyzer that lists, for each of its files on its own, the packages `read` gives. */
export function packageFileAnalyzer(spec: PackageFileAnalyzerSpec): Analyzer {
  return {
    id: spec.id,
    version: spec.version ?? 1,
    kind: 'package',
    required: spec.required,
    ...(spec.claims ? { claims: spec.claims } : {}),
    ...(spec.reduce ? { reduce: spec.reduce } : {}),
    analyze(input) {
      const out = new PackageCollector(input.layers);
      for (const f of input.files) {
        const tooLarge = spec.maxBytes !== undefined && f.content.length > spec.maxBytes;
        const list = out.parsed(f, spec.what, tooLarge ? `larger than ${spec.maxBytes} bytes` : spec.read(f, input));
        if (!list) continue;
        const seen = new Set<string>();
        for (const p of list) {
          const key = `${p.name}@${p.version}`;
          if (spec.unique && seen.has(key)) continue;
          seen.add(key);
          out.add(f, { type: spec.type, name: p.name, version: p.version });
        }
      }
      return out.result();
    },
  };
}

/** A text package file (a lockfile) found by file name or suffix: `parse` gets its UTF-8 text. */
export interface TextFileAnalyzerSpec extends Pick<PackageFileAnalyzerSpec, 'id' | 'type' | 'what' | 'unique'> {
  names?: readonly string[];
  suffixes?: readonly string[];
  maxBytes: number;
  parse(text: string): ReturnType<PackageFileAnalyzerSpec['read']>;
}

/** The analyzer of a text package file: claims the files `names`/`suffixes` name, up to `maxBytes` read. */
export function textFileAnalyzer(spec: TextFileAnalyzerSpec): Analyzer {
  const { names = [], suffixes = [], parse, ...rest } = spec;
  const matches = (path: string): boolean => names.some((n) => path.endsWith(`/${n}`)) || suffixes.some((x) => path.endsWith(x));
  return packageFileAnalyzer({
    ...rest,
    claims: { ...(spec.names ? { names } : {}), ...(spec.suffixes ? { suffixes } : {}) },
    required: claimFiles(matches, spec.maxBytes),
    read: (f) => parse(f.content.toString('utf8')),
  });
}
