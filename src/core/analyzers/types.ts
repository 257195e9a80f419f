// The analyzer contract. An analyzer is one small module: an id, a version
// (bump it when its output changes: it keys the per-layer cache), `required`
// to claim the files it reads (only those are buffered while layers stream),
// and `analyze` over those files in the squashed view.
import type { FileEntry, LayerRef, Notice, OsInfo, Package } from '../inventory/types.js';
import type { ByteSource } from './byte-source.js';

export interface AnalyzerFile {
  /** Absolute path in the image. */
  path: string;
  content: Buffer;
  /** Metadata; `entry.layer` is the layer this version of the file comes from. */
  entry: FileEntry;
}

/** Read-only view of the squashed file tree (whiteouts applied). */
export interface FileTree {
  get(path: string): FileEntry | undefined;
  /** Direct children of a directory, sorted by path. */
  list(dir: string): FileEntry[];
  /** Resolve symlinks (bounded depth, never leaving the image root). */
  resolve(path: string): FileEntry | undefined;
  /** All entries, sorted by path. */
  entries(): Iterable<FileEntry>;
}

/** Capabilities the edges inject (analyzers stay pure). */
export interface AnalyzerContext {
  /** Open a SQLite database from its bytes (rpmdb.sqlite); provided by src/node. */
  openSqlite?: (bytes: Buffer) => SqliteReader;
}

export interface SqliteReader {
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  close(): void;
}

export interface AnalyzerInput {
  /** The final (squashed) version of every required file that exists, sorted by path. */
  files: AnalyzerFile[];
  /** Every version of a required path, bottom layer first (for layer attribution). Deleted versions are not included. */
  versions(path: string): AnalyzerFile[];
  tree: FileTree;
  /** The OS found by the OS analyzers (they run first). */
  os?: OsInfo;
  ctx: AnalyzerContext;
  /** The image's layers by index (`FileEntry.layer`), so analyzers can set `Package.layer` with digests. When absent, packages carry `{ index, digest: '' }`. */
  layers?: LayerRef[];
}

export interface AnalyzerResult {
  os?: OsInfo;
  packages?: Package[];
  /** A package database that is there but cannot be read (e.g. an rpm NDB database): said, never a silent zero. */
  notices?: Notice[];
}

export interface AnalyzerClaims {
  paths?: readonly string[];
  names?: readonly string[];
  suffixes?: readonly string[];
  dirs?: readonly string[];
  executables?: boolean;
}

export interface Analyzer {
  readonly id: string;
  readonly version: number;
  /** `os` analyzers run before `package` analyzers and see no `os` in their input. */
  readonly kind: 'os' | 'package';
  /**
   * What it reports, for the `os` and `library` groups of `--analyzers`:
   * `os` for the OS package databases (dpkg, apk, rpm); absent for language
   * packages (`library`). `os` analyzers (kind) belong to the `os` group.
   */
  readonly pkgType?: 'os';
  required(path: string, entry: FileEntry): boolean;
  /**
   * Optional pre-filter (claims.ts): a promise that `required` is true only
   * for an entry whose absolute path is in `paths`, whose base name is in
   * `names`, whose base name ends with one of `suffixes` (compared without
   * case; each has a dot), whose path starts with one of `dirs`, or, with
   * `executables`, a regular file with an execute bit. The scan then asks
   * `required` only about such entries. Without it, `required` sees every
   * entry. src/node/analyzers/claims.test.ts holds every analyzer to it.
   */
  readonly claims?: AnalyzerClaims;
  /**
   * Keeps only what `analyze` reads of a required file, right after the file
   * is read (an executable's build info instead of its 70 MiB), so the scan
   * buffers and caches that. Applied only when every analyzer claiming the
   * file has this same function; otherwise `analyze` gets the whole file, so
   * it must accept both forms. Given a ByteSource (a file the source can read
   * at offsets, such as a rootfs file), it reads only the ranges it needs.
   * Must not throw.
   */
  reduce?(path: string, content: Buffer | ByteSource): Buffer;
  analyze(input: AnalyzerInput): AnalyzerResult | Promise<AnalyzerResult>;
}

/**
 * The regular files a walked layer must keep when nothing but the analyzers
 * reads it (no content scanner, no image check): those whose absolute path
 * is in `paths`, whose base name is in `names`, whose extension (from the
 * base name's last dot, lower case) is in `exts`, whose path starts with one
 * of `dirs` (each ends with `/`), or, with `executables`, that have an
 * execute bit. Every other kind of entry is kept. Plain data: a walk's
 * worker thread gets a copy (claims.ts builds it).
 */
export interface EntryFilter {
  paths: ReadonlySet<string>;
  names: ReadonlySet<string>;
  exts: ReadonlySet<string>;
  dirs: readonly string[];
  executables: boolean;
}
