// The per-layer result of reading one layer (its entries and the bytes of the
// files analyzers required) and the cache that stores it. The cache key is the
// layer's content digest plus the analyzer ids and versions, so images that
// share a base layer read it once, and bumping an analyzer's version
// invalidates old results. `LayerScan` is plain JSON so a server can store it.
import { createHash } from 'node:crypto';
import type { ContentObservation } from './content.js';
import type { FileEntry, LayerRef } from '../inventory/types.js';

const ENTRY_KINDS = new Set<string>(['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo', 'other']);

/** Version of the LayerScan format and of the reading rules; part of every cache key. */
export const LAYER_SCAN_FORMAT = 1;

/** One entry as read from a layer (layer-independent, so a scan can be reused by any image). */
export interface ScannedEntry extends Omit<FileEntry, 'layer'> {
  /** A whiteout: `path` is the deleted path (`file`) or the directory made opaque (`opaque`). */
  whiteout?: 'file' | 'opaque';
  /** An analyzer required this entry (files: its bytes are in `files`). */
  required?: true;
  /** SHA-256 (hex) of a regular file, when the scan hashed files. */
  sha256?: string;
}

/** In-memory form used while analysing. */
export interface LayerScanData {
  entries: ScannedEntry[];
  /** Bytes of required regular files by path (the last version when a layer repeats a path). */
  files: Map<string, Buffer>;
  /** Content scanners' observations (set when content scanners ran). */
  content?: ContentObservation[];
}

/** JSON-serialisable form stored in a LayerCache. */
export interface LayerScan {
  format: number;
  entries: ScannedEntry[];
  /** Required files' bytes, base64, by path. */
  files: Record<string, string>;
  content?: ContentObservation[];
}

export interface LayerCache {
  /** A LayerScan stored by `set`, or undefined. Validated on read (a store is not trusted to hold the right shape). */
  get(key: string): Promise<unknown>;
  set(key: string, scan: LayerScan): Promise<void>;
}

export function toLayerScan(data: LayerScanData): LayerScan {
  const files: Record<string, string> = {};
  for (const [p, b] of data.files) files[p] = b.toString('base64');
  const out: LayerScan = { format: LAYER_SCAN_FORMAT, entries: data.entries, files };
  if (data.content) out.content = data.content;
  return out;
}

/** Returns undefined for a scan of another format (treated as a cache miss). */
export function fromLayerScan(value: unknown): LayerScanData | undefined {
  const scan = value as LayerScan | undefined;
  if (!scan || typeof scan !== 'object' || scan.format !== LAYER_SCAN_FORMAT || !Array.isArray(scan.entries) || typeof scan.files !== 'object')
    return undefined;
  // A store is not trusted to hand back what was stored: a malformed entry makes the whole scan a miss.
  for (const e of scan.entries as unknown[]) {
    const x = e as Partial<ScannedEntry> | null;
    if (
      !x ||
      typeof x.path !== 'string' ||
      !x.path.startsWith('/') ||
      typeof x.kind !== 'string' ||
      !ENTRY_KINDS.has(x.kind) ||
      typeof x.mode !== 'number' ||
      typeof x.size !== 'number' ||
      typeof x.uid !== 'number' ||
      typeof x.gid !== 'number' ||
      (x.linkTarget !== undefined && typeof x.linkTarget !== 'string') ||
      (x.whiteout !== undefined && x.whiteout !== 'file' && x.whiteout !== 'opaque') ||
      (x.sha256 !== undefined && typeof x.sha256 !== 'string')
    )
      return undefined;
  }
  if (
    scan.content !== undefined &&
    (!Array.isArray(scan.content) || scan.content.some((o) => !o || typeof o !== 'object' || typeof o.scanner !== 'string' || typeof o.path !== 'string'))
  )
    return undefined;
  const files = new Map<string, Buffer>();
  for (const [p, b64] of Object.entries(scan.files)) {
    if (typeof b64 !== 'string') return undefined;
    files.set(p, Buffer.from(b64, 'base64'));
  }
  const out: LayerScanData = { entries: scan.entries, files };
  if (scan.content) out.content = scan.content;
  return out;
}

/**
 * Cache key of a layer for a set of analyzers: sha256 over the format, the
 * layer's uncompressed digest (diffId; the blob digest when unknown) and the
 * sorted `id@version` of the analyzers. Undefined when the layer has no
 * content digest (rootfs sources), which must not be cached.
 */
export function layerCacheKey(ref: LayerRef, analyzers: ReadonlyArray<{ id: string; version: number }>): string | undefined {
  const content = ref.diffId ?? ref.digest;
  if (!content || !/^sha(256|384|512):[0-9a-f]+$/.test(content)) return undefined;
  const ids = analyzers
    .map((a) => `${a.id}@${a.version}`)
    .sort()
    .join(',');
  return 'layer-scan:' + createHash('sha256').update(`vigil-layer-scan/${LAYER_SCAN_FORMAT}\n${content}\n${ids}`).digest('hex');
}

/** A LayerCache in memory (tests, one CLI run); counts hits and misses. */
export class MemoryLayerCache implements LayerCache {
  private readonly map = new Map<string, string>();
  hits = 0;
  misses = 0;
  async get(key: string): Promise<LayerScan | undefined> {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return JSON.parse(v) as LayerScan;
  }
  async set(key: string, scan: LayerScan): Promise<void> {
    // Stored as JSON text so the test cache behaves like a real store (no shared objects).
    this.map.set(key, JSON.stringify(scan));
  }
  get size(): number {
    return this.map.size;
  }
}
