// The image model shared by every image source (src/node/image), the layer
// walker (src/core/image) and the analyzers (src/core/analyzers).
import type { Readable } from 'node:stream';
import type { ByteSource } from '../analyzers/byte-source.js';
import type { FileEntry, LayerRef } from '../inventory/types.js';
import type { EntryFilter } from '../analyzers/types.js';
export type { EntryFilter };

/** The OCI / Docker image configuration (only the fields Vigil reads). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    Labels?: Record<string, string> | null;
    Healthcheck?: unknown;
  };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string; author?: string }>;
  rootfs?: { type: string; diff_ids: string[] };
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** One entry read from a layer. `read()` may only be called for entries an analyzer requires, and only once. */
export interface LayerEntry {
  entry: Omit<FileEntry, 'layer'>;
  /** `entry.path` is already a normalised absolute path (a walk builds it so): not normalised again. */
  normalPath?: boolean;
  /** Whiteout markers: `.wh.NAME` deletes NAME below; `.wh..wh..opq` hides everything below in its directory. */
  whiteout?: 'file' | 'opaque';
  read(): Promise<Buffer>;
  /**
   * Random access instead of `read` (sources whose files are on disk): runs
   * `fn` over the open file and closes it. The pipeline uses it for files it
   * reduces (Analyzer.reduce) and no content scanner reads whole.
   */
  readRanges?<T>(fn: (src: ByteSource) => T): Promise<T>;
}

/** A layer as a source offers it. Sources either give a (possibly compressed) tar stream or walk entries themselves (rootfs). */
export interface Layer {
  ref: LayerRef;
  mediaType?: string;
  /** Size of the stored blob in bytes, when known (for progress). */
  size?: number;
  /** Open the stored blob: compression is detected from magic bytes when not given. Digest verification is the source's job. */
  open?(): Promise<Readable>;
  /**
   * Alternative to `open` for sources that are not tars (an unpacked root
   * filesystem). A synchronous iterable is read without a promise per entry.
   * Entries whose `entry.path` is already normal (absolute, no `.`, `..` or
   * empty segments, no trailing slash) may say so with `normalPath`. An
   * asynchronous source may yield its entries in batches (arrays, in order):
   * one promise per batch instead of one per entry. Given a `filter`, it
   * may leave out the regular files the filter does not keep (counted in
   * the batches' `skipped`, for the entry limit).
   */
  entries?(filter?: EntryFilter): AsyncIterable<LayerEntry | LayerEntryBatch> | Iterable<LayerEntry>;
}

/** A batch of walked entries; `skipped`: how many regular files the walk left out before them (EntryFilter). */
export type LayerEntryBatch = readonly LayerEntry[] & { readonly skipped?: number };

/** The id of the image source that opened an image (src/node/image/sources/: docker-archive, oci, oci-archive, rootfs, registry, ...). */
export type ImageSourceType = string;

/** An opened image: what every source in src/node/image returns. */
export interface Image {
  /** What the user named, e.g. `registry:localhost:5000/app:1.0`. */
  name: string;
  type: ImageSourceType;
  /** Manifest digest when the source has a manifest (registry, OCI), else the config digest; rootfs: none. */
  digest?: string;
  /** Digest of the config blob (the "image ID"), when there is one. */
  configDigest?: string;
  repoTags?: string[];
  repoDigests?: string[];
  config: ImageConfig;
  layers: Layer[];
  close(): Promise<void>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Limits of every reader; all have defaults and CLI flags to raise them. */
export interface ReadLimits {
  /** Maximum entries in one layer. */
  maxEntries: number;
  /** Maximum size of one file an analyzer buffers. */
  maxFileSize: number;
  /** Maximum total decompressed bytes of one layer. */
  maxLayerBytes: number;
  /** Maximum total decompressed bytes of the whole image. */
  maxImageBytes: number;
  /** Maximum path length. */
  maxPathLength: number;
  /** Maximum size of a manifest, index or config JSON. */
  maxManifestSize: number;
  /** Maximum symlinks followed while resolving one path. */
  maxSymlinkDepth: number;
  /** Maximum number of layers. */
  maxLayers: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxEntries: 2_000_000,
  maxFileSize: 256 * 1024 * 1024,
  maxLayerBytes: 32 * 1024 ** 3,
  maxImageBytes: 64 * 1024 ** 3,
  maxPathLength: 4096,
  maxManifestSize: 4 * 1024 * 1024,
  maxSymlinkDepth: 40,
  maxLayers: 512,
};
