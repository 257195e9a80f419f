// Content scanners: code that sees the bytes of regular files as layers
// stream by (secrets, malware signatures, the account files baseline checks
// read). Nothing is extracted to disk: each wanted file is buffered alone, up
// to the scanner's own size limit, handed to the scanners that want it, and
// dropped. A scanner returns JSON observations, which are kept per layer (so
// the per-layer cache can store them) and attributed to the layer that
// carried the file; `deleted` marks a version that a later layer removed or
// replaced (it still ships in the image's blobs).
import type { FileEntry } from '../inventory/types.js';

/** One regular file's bytes as a layer carries it. */
export interface ContentFile {
  path: string;
  /** Metadata; `entry.layer` is the layer the bytes come from. */
  entry: FileEntry;
  content: Buffer;
  /** SHA-256 (hex) of the whole file. */
  sha256: string;
}

export interface ContentScanner {
  /** Unique id; with `version`, part of the per-layer cache key (bump the version when observations change). */
  readonly id: string;
  readonly version: number;
  /** Largest file this scanner reads (bytes); bigger files are not buffered for it. */
  readonly maxFileSize: number;
  /** Does this scanner want the bytes of this regular file? Called with the size known. */
  wants(entry: FileEntry): boolean;
  /** Observations on one file: plain JSON values. Must not keep `content`. */
  scan(file: ContentFile): unknown[];
}

/** One observation as stored per layer. */
export interface ContentObservation {
  scanner: string;
  path: string;
  data: unknown;
}

/** An observation in the image: its layer, and whether the squashed view still has that version. */
export interface ContentRecord extends ContentObservation {
  layer: number;
  deleted: boolean;
}

/** What the layer reader calls for each regular file (built from the scanners by analyzeImage). */
export interface LayerContentSink {
  /** Hash every regular file (sha256 kept on its entry). */
  hash: boolean;
  /** Bytes to buffer for content scanners (0: none want it). */
  wantBytes(entry: FileEntry): number;
  /** Called once per regular file that was hashed or wanted; `content` is set when some scanner wanted it and it fit. */
  onFile(entry: FileEntry, content: Buffer | undefined, sha256: string): ContentObservation[];
}

/** The sink over a set of scanners. */
export function contentSink(scanners: readonly ContentScanner[], hash: boolean): LayerContentSink {
  return {
    hash,
    wantBytes(entry) {
      let max = 0;
      for (const s of scanners) if (entry.size <= s.maxFileSize && s.maxFileSize > max && s.wants(entry)) max = s.maxFileSize;
      return max;
    },
    onFile(entry, content, sha256) {
      if (!content) return [];
      const out: ContentObservation[] = [];
      const file: ContentFile = { path: entry.path, entry, content, sha256 };
      for (const s of scanners) {
        if (content.length > s.maxFileSize || !s.wants(entry)) continue;
        for (const data of s.scan(file)) out.push({ scanner: s.id, path: entry.path, data });
      }
      return out;
    },
  };
}
