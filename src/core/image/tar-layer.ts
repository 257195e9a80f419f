// Reads one layer: a (gzip/zstd/uncompressed) tar stream, or the entries a
// non-tar source walks itself, into a LayerScanData. Only the files the
// predicate requires are buffered; every other entry is drained as it passes.
// Every limit is checked while streaming and every failure becomes an
// InputError/LimitError naming the layer and, when known, the path.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ByteSource } from '../analyzers/byte-source.js';
import { InputError, LimitError } from '../errors.js';
import type { Decompressor } from './compression.js';
import type { ContentObservation, LayerContentSink } from './content.js';
import type { LayerScanData, ScannedEntry } from './layer-scan.js';
import { baseName, normalizePath, parentPath } from './path.js';
import type { LayerEntry, LayerEntryBatch, ReadLimits } from './types.js';
import type { EntryKind, FileEntry } from '../inventory/types.js';
import { parseWhiteout } from './whiteout.js';

/** Analyzer.reduce: a required file's bytes, or random access to them, to what the analyzers keep. */
export type Reducer = (path: string, content: Buffer | ByteSource) => Buffer;

/**
 * Where a tar layer's large reduced files go while they stream by (the edge
 * gives a temporary file): the reducer then reads the few ranges it needs
 * from it, and memory holds one chunk at a time instead of the whole file.
 */
export interface Spill {
  write(chunk: Buffer): void;
  /** Random access to what was written. */
  source(): ByteSource;
  /** Frees it (the source is not read after). */
  close(): void;
}

/** Reduced files of at least this many bytes are spilled when the scan has a `spill` (smaller ones are buffered). */
export const SPILL_MIN = 1024 * 1024;

/** Decompressed bytes read so far across an image (shared by concurrently read layers). */
export interface ByteBudget {
  used: number;
}

export interface ScanLayerOptions {
  /** Names the layer in errors, e.g. `app.tar layer 2 (sha256:1234abcd)`. */
  where: string;
  layer: number;
  limits: ReadLimits;
  /** Does an analyzer need this entry? Called for files, hard links and symlinks. */
  wants(entry: FileEntry): boolean;
  /** The function that shrinks a required file's bytes once read (Analyzer.reduce); none: kept whole. */
  reducer?(entry: FileEntry): Reducer | undefined;
  /** Raw (stored) bytes read, for progress. */
  onBytes?(n: number): void;
  budget?: ByteBudget;
  signal?: AbortSignal;
  /** Content scanners and file hashing (see content.ts); absent: only required files are read. */
  content?: LayerContentSink;
  /** Opens a spill for a large file only a reducer reads (tar layers); absent: such files are buffered whole. */
  spill?(): Spill;
}

const TAR_KINDS: Record<string, EntryKind> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

function noop(): void {}

function at(where: string, path?: string): string {
  return path ? `${where} ${path}` : where;
}

/** Map reader errors (zlib, tar-stream, fzstd, fs) to one-line InputErrors. */
export function layerError(e: unknown, where: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg))
    return new InputError('LAYER_TRUNCATED', 'compressed layer is truncated (unexpected end of gzip data)', where);
  if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB')) return new InputError('LAYER_CORRUPT', `invalid gzip data (${msg})`, where);
  if (/Unexpected end of data/.test(msg)) return new InputError('TAR_TRUNCATED', 'layer tar is truncated', where);
  if (/Invalid tar header|Header exceeds max size|Invalid header/i.test(msg))
    return new InputError('TAR_INVALID', 'not a valid tar archive (bad tar header)', where);
  if (typeof err?.code === 'number' || /zstd|invalid (block|magic)|window/i.test(msg))
    return new InputError('LAYER_CORRUPT', `invalid zstd data (${msg})`, where);
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EIO') return new InputError('IMAGE_READ_ERROR', msg, where);
  if (code === 'ABORT_ERR') return new InputError('ABORTED', 'reading was aborted', where);
  return new InputError('LAYER_READ_ERROR', msg, where);
}

const NOTHING = Object.freeze({ read: false, hash: false, wantBytes: 0 });

/** Common per-entry bookkeeping for both tar streams and walked entries. */
class EntryCollector {
  readonly entries: ScannedEntry[] = [];
  readonly files = new Map<string, Buffer>();
  readonly content: ContentObservation[] = [];
  private count = 0;
  constructor(private readonly o: ScanLayerOptions) {}

  /** Counts `n` entries against the entry limit (those a walk left out too: EntryFilter). */
  countEntries(n: number): void {
    const { limits, where } = this.o;
    this.count += n;
    if (this.count > limits.maxEntries)
      throw new LimitError('LIMIT_ENTRIES', `layer has more than ${limits.maxEntries} entries (raise with --max-entries)`, where);
  }

  /**
   * Register an entry; returns the scanned entry and whether its bytes are
   * needed (only for regular files an analyzer requires).
   */
  add(
    rawName: string,
    kind: EntryKind,
    mode: number,
    size: number,
    uid: number,
    gid: number,
    linkName: string | undefined,
    normal = false,
  ): { se?: ScannedEntry; read: boolean; fe?: FileEntry; hash: boolean; wantBytes: number } {
    const { limits, where } = this.o;
    this.countEntries(1);
    if (rawName.length > limits.maxPathLength)
      throw new LimitError(
        'LIMIT_PATH_LENGTH',
        `entry name is longer than ${limits.maxPathLength} characters (raise with --max-path-length): ${rawName.slice(0, 80)}...`,
        where,
      );
    const path = normal ? rawName : normalizePath(rawName);
    if (path === '/') return NOTHING;
    const wh = parseWhiteout(path);
    if (wh) {
      if (wh.kind === 'meta') return NOTHING;
      const se: ScannedEntry = { path: wh.target, kind: 'file', mode: 0, size: 0, uid: 0, gid: 0, whiteout: wh.kind };
      this.entries.push(se);
      return { se, read: false, hash: false, wantBytes: 0 };
    }
    const se: ScannedEntry = { path, kind, mode: mode & 0o7777, size: kind === 'file' ? size : 0, uid, gid };
    if (linkName !== undefined && linkName !== '') {
      if (linkName.length > limits.maxPathLength)
        throw new LimitError('LIMIT_PATH_LENGTH', `link target is longer than ${limits.maxPathLength} characters`, at(where, path));
      // Hard-link names are paths from the archive root; symlink targets are kept as written.
      if (kind === 'hardlink') se.linkTarget = normalizePath(linkName);
      else if (kind === 'symlink') se.linkTarget = linkName;
    }
    this.entries.push(se);
    let read = false;
    let fe: FileEntry | undefined;
    if (kind === 'file' || kind === 'hardlink' || kind === 'symlink') {
      fe = { path, kind, mode: se.mode, size: se.size, uid, gid, layer: this.o.layer };
      if (se.linkTarget !== undefined) fe.linkTarget = se.linkTarget;
      if (this.o.wants(fe)) {
        se.required = true;
        if (kind === 'file') {
          if (size > limits.maxFileSize)
            throw new LimitError(
              'LIMIT_FILE_SIZE',
              `required file is ${size} bytes, over the ${limits.maxFileSize}-byte limit (raise with --max-file-size)`,
              at(where, path),
            );
          read = true;
        }
      }
    }
    const c = this.o.content;
    if (!c || kind !== 'file' || !fe) return fe ? { se, read, fe, hash: false, wantBytes: 0 } : { se, read, hash: false, wantBytes: 0 };
    return { se, read, fe, hash: c.hash, wantBytes: c.wantBytes(fe) };
  }

  /** The reducer of a required file, when an analyzer reduces it. */
  reducerOf(fe: FileEntry | undefined): Reducer | undefined {
    return fe && this.o.reducer?.(fe);
  }

  /** What is kept of a required file's bytes: its reduction when an analyzer reduces it. */
  reduced(fe: FileEntry | undefined, content: Buffer): Buffer {
    const r = fe && this.o.reducer?.(fe);
    return r ? r(fe.path, content) : content;
  }

  /** A regular file was read: keep its hash on the entry and the scanners' observations. */
  done(se: ScannedEntry | undefined, fe: FileEntry | undefined, content: Buffer | undefined, sha256: string): void {
    const c = this.o.content;
    if (!c || !se || !fe) return;
    if (c.hash) se.sha256 = sha256;
    for (const ob of c.onFile(fe, content, sha256)) this.content.push(ob);
  }

  result(): LayerScanData {
    const out: LayerScanData = { entries: this.entries, files: this.files };
    if (this.o.content) out.content = this.content;
    return out;
  }
}

/** The parts of tar-stream's Extract state read by tolerateMissingPadding (tar-stream 3.x). */
interface ExtractState {
  _final(cb: (err?: Error | null) => void): void;
  _stream: unknown;
  _longHeader: boolean;
  _missing: number;
  _buffer: { buffered: number };
}

/**
 * Some writers (umoci 0.4) end a layer right after the last entry's data,
 * without the padding to 512 bytes and the end-of-archive blocks. Docker and
 * containerd accept such layers, and nothing is lost, so accept them too: a
 * stream that ends inside the padding after complete data is complete. A
 * stream that ends inside an entry's data still fails as truncated.
 */
function tolerateMissingPadding(extract: unknown): void {
  const x = extract as ExtractState;
  if (typeof x._final !== 'function' || !('_missing' in x)) return;
  const final = x._final.bind(x);
  x._final = (cb) => {
    if (x._stream === null && !x._longHeader && x._missing > 0 && x._missing < 512 && x._buffer?.buffered === 0) x._missing = 0;
    final(cb);
  };
}

/** The tar parser and the decompressors, loaded on the first tar layer (a rootfs scan never needs them). */
let tarReader: { tar: typeof import('tar-stream'); compression: typeof import('./compression.js') } | undefined;

/** Loads the tar reader; the pipeline awaits it before opening a layer's stream. */
export async function loadTarReader(): Promise<void> {
  if (tarReader) return;
  const [tar, compression] = await Promise.all([import('tar-stream'), import('./compression.js')]);
  tarReader = { tar, compression };
}

/** Read a layer blob (any supported compression) as a tar stream. */
export function scanTarLayer(input: Readable, o: ScanLayerOptions): Promise<LayerScanData> {
  if (!tarReader) {
    // First use outside the pipeline: an error the stream emits while the reader loads is kept, then reported.
    let early: unknown;
    const keep = (e: unknown): void => void (early ??= e);
    input.on('error', keep);
    return loadTarReader().then(() => {
      input.off('error', keep);
      if (early === undefined) return scanTarLayer(input, o);
      input.destroy();
      throw layerError(early, o.where);
    });
  }
  const { tar, compression } = tarReader;
  const { createDecompressor, detectCompression, MAGIC_LENGTH } = compression;
  const { limits, where } = o;
  const col = new EntryCollector(o);
  const budget = o.budget ?? { used: 0 };
  let layerBytes = 0;

  return new Promise<LayerScanData>((resolve, reject) => {
    let settled = false;
    const extract = tar.extract();
    let decomp: Decompressor | undefined;
    let head: Buffer[] = [];
    let headLen = 0;
    let inputEnded = false;
    // Files only the content scanners read are copied into one buffer per layer, reused file after file
    // (entries of one tar stream come one at a time, and scanners never keep the bytes): a fresh buffer
    // per file cost more in allocation and page faults than the scanners' own work.
    let scratch = Buffer.alloc(0);

    // The spill of the entry being read, if any (entries come one at a time): closed when the layer fails.
    let openSpill: Spill | undefined;
    const cleanup = (): void => {
      o.signal?.removeEventListener('abort', onAbort);
      openSpill?.close();
      openSpill = undefined;
    };
    const fail = (e: unknown, path?: string): void => {
      if (settled) return;
      settled = true;
      cleanup();
      input.destroy();
      decomp?.destroy();
      extract.destroy();
      reject(layerError(e, at(where, path)));
    };
    const onAbort = (): void => fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
    if (o.signal) {
      if (o.signal.aborted) {
        onAbort();
        return;
      }
      o.signal.addEventListener('abort', onAbort, { once: true });
    }

    // Decompressed bytes go to the tar parser, counted against the limits.
    const onData = (chunk: Buffer): boolean => {
      if (settled) return false;
      layerBytes += chunk.length;
      budget.used += chunk.length;
      if (layerBytes > limits.maxLayerBytes) {
        fail(new LimitError('LIMIT_LAYER_SIZE', `decompressed layer exceeds ${limits.maxLayerBytes} bytes (raise with --max-layer-size)`, where));
        return false;
      }
      if (budget.used > limits.maxImageBytes) {
        fail(new LimitError('LIMIT_IMAGE_SIZE', `decompressed image exceeds ${limits.maxImageBytes} bytes (raise with --max-image-size)`, where));
        return false;
      }
      return extract.write(chunk);
    };
    tolerateMissingPadding(extract);
    extract.on('drain', () => {
      if (!settled) decomp?.resume();
    });
    extract.on('error', (e) => fail(e));
    extract.on('finish', () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(col.result());
    });

    extract.on('entry', (h, stream, next) => {
      if (settled) return;
      // The extractor reports failures; the entry stream repeats them when it is torn down.
      stream.on('error', noop);
      const kind: EntryKind = TAR_KINDS[h.type ?? ''] ?? 'other';
      let added: ReturnType<EntryCollector['add']>;
      try {
        added = col.add(h.name, kind, h.mode ?? 0, h.size ?? 0, h.uid ?? 0, h.gid ?? 0, h.linkname ?? undefined);
      } catch (e) {
        fail(e);
        return;
      }
      const reading = added.read;
      // Content scanners get files up to their own limit; hashing streams any size.
      const buffering = reading || added.wantBytes > 0;
      if (!reading && !added.hash && !buffering) {
        stream.on('end', () => next(null));
        stream.resume();
        return;
      }
      const path = normalizePath(h.name);
      const hash = added.hash || added.wantBytes > 0 ? createHash('sha256') : undefined;
      // A large file only a reducer reads (an executable's build info) streams to a spill, one chunk in memory at a time.
      const reduce = reading && added.wantBytes === 0 && o.spill && (h.size ?? 0) >= SPILL_MIN ? col.reducerOf(added.fe) : undefined;
      if (reduce) {
        let spill: Spill;
        try {
          spill = openSpill = o.spill!();
        } catch (e) {
          fail(e, path);
          return;
        }
        let spilled = 0;
        stream.on('data', (data: unknown) => {
          if (settled) return;
          const c = data as Buffer;
          spilled += c.length;
          hash?.update(c);
          if (spilled > limits.maxFileSize) {
            fail(new LimitError('LIMIT_FILE_SIZE', `required file exceeds ${limits.maxFileSize} bytes (raise with --max-file-size)`, at(where, path)));
            return;
          }
          try {
            spill.write(c);
          } catch (e) {
            fail(e, path);
          }
        });
        stream.on('end', () => {
          try {
            if (settled) return;
            col.files.set(path, reduce(path, spill.source()));
            if (hash) col.done(added.se, added.fe, undefined, hash.digest('hex'));
          } catch (e) {
            fail(e, path);
            return;
          } finally {
            spill.close();
            openSpill = undefined;
          }
          next(null);
        });
        return;
      }
      const cap = reading ? limits.maxFileSize : Math.min(added.wantBytes, limits.maxFileSize);
      const chunks: Buffer[] = [];
      let got = 0;
      let over = false;
      // Scanner-only files (not kept by an analyzer) of a known size within the cap go to the scratch buffer.
      const size = h.size ?? 0;
      const useScratch = buffering && !reading && size <= cap;
      if (useScratch && scratch.length < size) scratch = Buffer.allocUnsafe(Math.min(cap, Math.max(size, scratch.length * 2, 64 * 1024)));
      stream.on('data', (data: unknown) => {
        const c = data as Buffer;
        const from = got;
        got += c.length;
        hash?.update(c);
        if (over || !buffering) return;
        if (got > cap || (useScratch && got > size)) {
          if (reading) {
            fail(new LimitError('LIMIT_FILE_SIZE', `required file exceeds ${limits.maxFileSize} bytes (raise with --max-file-size)`, at(where, path)));
            return;
          }
          // Bigger than the header said: the scanners do not get it.
          over = true;
          chunks.length = 0;
          return;
        }
        if (useScratch) c.copy(scratch, from);
        else chunks.push(c);
      });
      stream.on('end', () => {
        if (settled) return;
        const buf = buffering && !over ? (useScratch ? scratch.subarray(0, got) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got)) : undefined;
        if (reading && buf) col.files.set(path, col.reduced(added.fe, buf));
        if (hash) {
          try {
            col.done(added.se, added.fe, added.wantBytes > 0 ? buf : undefined, hash.digest('hex'));
          } catch (e) {
            fail(e, path);
            return;
          }
        }
        next(null);
      });
    });

    const startDecompressor = (): void => {
      const first = head.length === 1 ? head[0]! : Buffer.concat(head, headLen);
      head = [];
      decomp = createDecompressor(detectCompression(first), {
        onData,
        onEnd: () => {
          if (!settled) (extract as unknown as { end(): void }).end();
        },
        onError: (e) => fail(e),
        onDrain: () => {
          if (!settled && !inputEnded) input.resume();
        },
      });
      if (first.length > 0 && !decomp.write(first)) input.pause();
    };

    input.on('data', (chunk: Buffer) => {
      if (settled) return;
      o.onBytes?.(chunk.length);
      if (!decomp) {
        head.push(chunk);
        headLen += chunk.length;
        if (headLen < MAGIC_LENGTH) return;
        startDecompressor();
        return;
      }
      if (!decomp.write(chunk)) input.pause();
    });
    input.on('end', () => {
      inputEnded = true;
      if (settled) return;
      if (!decomp) startDecompressor();
      decomp!.end();
    });
    input.on('error', (e) => fail(e));
  });
}

/** Read a layer that a source walks itself (an unpacked root filesystem). */
export async function scanLayerEntries(
  source: AsyncIterable<LayerEntry | LayerEntryBatch> | Iterable<LayerEntry>,
  o: ScanLayerOptions,
): Promise<LayerScanData> {
  const col = new EntryCollector(o);
  const budget = o.budget ?? { used: 0 };
  let layerBytes = 0;

  /** The bytes of an entry an analyzer or scanner wants. */
  const readEntry = async (le: LayerEntry, path: string, added: ReturnType<EntryCollector['add']>, scanIt: boolean): Promise<void> => {
    const e = le.entry;
    const read = added.read;
    // A file only reduced is read in the ranges its reducer needs (an executable's headers, not its 70 MiB).
    const ranged = read && !scanIt && le.readRanges && added.fe ? o.reducer?.(added.fe) : undefined;
    if (ranged) {
      let kept: Buffer;
      try {
        kept = await le.readRanges!((src) => ranged(path, src));
      } catch (err) {
        throw layerError(err, at(o.where, e.path));
      }
      col.files.set(path, kept);
      return;
    }
    let buf: Buffer;
    try {
      buf = await le.read();
    } catch (err) {
      throw layerError(err, at(o.where, e.path));
    }
    if (buf.length > o.limits.maxFileSize) throw new LimitError('LIMIT_FILE_SIZE', `required file exceeds ${o.limits.maxFileSize} bytes`, at(o.where, e.path));
    layerBytes += buf.length;
    budget.used += buf.length;
    if (layerBytes > o.limits.maxLayerBytes) throw new LimitError('LIMIT_LAYER_SIZE', `layer exceeds ${o.limits.maxLayerBytes} bytes`, o.where);
    if (budget.used > o.limits.maxImageBytes) throw new LimitError('LIMIT_IMAGE_SIZE', `image exceeds ${o.limits.maxImageBytes} bytes`, o.where);
    o.onBytes?.(buf.length);
    if (read) col.files.set(path, col.reduced(added.fe, buf));
    if (scanIt) {
      try {
        col.done(added.se, added.fe, added.wantBytes > 0 && buf.length <= added.wantBytes ? buf : undefined, createHash('sha256').update(buf).digest('hex'));
      } catch (err) {
        throw layerError(err, at(o.where, e.path));
      }
    }
  };

  /** Registers one entry; returns the read to wait for, if its bytes are wanted (most entries: none, and no promise). */
  const step = (le: LayerEntry): Promise<void> | undefined => {
    if (o.signal?.aborted) throw new InputError('ABORTED', 'reading was aborted', o.where);
    const e = le.entry;
    // Walked entries are already absolute; whiteout markers are honoured the same way.
    const name = le.whiteout === 'opaque' ? e.path + '/.wh..wh..opq' : le.whiteout === 'file' ? parentPath(e.path) + '/.wh.' + baseName(e.path) : e.path;
    const added = col.add(name, e.kind, e.mode, e.size, e.uid, e.gid, e.linkTarget, le.normalPath === true && !le.whiteout);
    // Walked files are read whole: hash only those within the file-size limit.
    const scanIt = added.wantBytes > 0 || (added.hash && e.size <= o.limits.maxFileSize);
    if (!added.read && !scanIt) return undefined;
    return readEntry(le, added.se?.path ?? normalizePath(e.path), added, scanIt);
  };

  if (Symbol.iterator in source) {
    for (const le of source) {
      const p = step(le);
      if (p) await p;
    }
  } else {
    for await (const item of source) {
      if (!Array.isArray(item)) {
        const p = step(item as LayerEntry);
        if (p) await p;
        continue;
      }
      const batch = item as LayerEntryBatch;
      if (batch.skipped) col.countEntries(batch.skipped);
      for (const le of batch) {
        const p = step(le);
        if (p) await p;
      }
    }
  }
  return col.result();
}
