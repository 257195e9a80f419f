// The image model shared by every image source (src/node/image), the layer
// walker (src/core/image) and the analyzers (src/core/analyzers).
import type { Readable } from 'node:stream';

/** Where a file or package came from: the layer that introduced it. */
export interface LayerRef {
  /** 0-based position, bottom layer first. */
  index: number;
  /** Digest of the layer blob as stored (compressed), e.g. `sha256:...`; for rootfs sources a synthetic digest. */
  digest: string;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry), when known. */
  diffId?: string;
  /** `created_by` of the image history entry that made this layer (Dockerfile instruction). */
  createdBy?: string;
}

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

/** Metadata of one file system entry, as seen in a layer or in the squashed view. */
export interface FileEntry {
  /** Absolute, normalised path inside the image: starts with `/`, no `.`/`..` segments, no trailing `/`. */
  path: string;
  kind: EntryKind;
  /** Permission and special bits (setuid 0o4000, setgid 0o2000, sticky 0o1000) and 0o777. */
  mode: number;
  size: number;
  uid: number;
  gid: number;
  /** Symlink target as written, or the (normalised, absolute) hard-link target. */
  linkTarget?: string;
  /** Index of the layer this entry comes from. */
  layer: number;
  /** SHA-256 (hex) of a regular file's bytes, when the scan hashed files (content scanners, `files`). */
  sha256?: string;
}

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
  /** Whiteout markers: `.wh.NAME` deletes NAME below; `.wh..wh..opq` hides everything below in its directory. */
  whiteout?: 'file' | 'opaque';
  read(): Promise<Buffer>;
}

/** A layer as a source offers it. Sources either give a (possibly compressed) tar stream or walk entries themselves (rootfs). */
export interface Layer {
  ref: LayerRef;
  mediaType?: string;
  /** Size of the stored blob in bytes, when known (for progress). */
  size?: number;
  /** Open the stored blob: compression is detected from magic bytes when not given. Digest verification is the source's job. */
  open?(): Promise<Readable>;
  /** Alternative to `open` for sources that are not tars (an unpacked root filesystem). */
  entries?(): AsyncIterable<LayerEntry>;
}

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

/** Operating system of an image, from os-release and friends. */
export interface OsInfo {
  /** Lower-case family: debian, ubuntu, alpine, rhel, centos, almalinux, rocky, fedora, amazon, opensuse-leap, sles, photon, wolfi, ... */
  family: string;
  /** Version as the distribution numbers it: `12`, `12.5`, `3.19.1`, `9.3`, `22.04`. */
  version: string;
  name?: string;
  codename?: string;
  /** True for distroless images detected from /var/lib/dpkg/status.d. */
  distroless?: boolean;
}

export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven' | 'gem' | 'cargo' | 'composer' | 'nuget';

/** One installed package (OS or language). */
export interface Package {
  type: PackageType;
  name: string;
  /** The version as the ecosystem writes it in full: dpkg `[epoch:]upstream[-revision]`, apk `1.2.3-r4`, rpm `[epoch:]version-release`, npm semver. */
  version: string;
  arch?: string;
  /** Source package (Debian Source:, Alpine origin, RPM source RPM name); equals `name` when the package is its own source. */
  sourceName?: string;
  sourceVersion?: string;
  licenses?: string[];
  /** Absolute paths of files the package owns (dpkg .list, apk db, rpm header). */
  files?: string[];
  /** The layer that introduced this package at this version. */
  layer?: LayerRef;
  /** For language packages: the file it was found in (package.json, lockfile). */
  filePath?: string;
  /** Declared in a lockfile but not found installed. */
  declared?: boolean;
  maintainer?: string;
  /** Package URL; filled by the report layer when not set. */
  purl?: string;
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
