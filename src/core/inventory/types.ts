// What an image holds, as the analyzers find it and every later stage reads
// it: files (entries with the layer they come from), layers, the OS and the
// packages. The image readers (src/core/image), the analyzers, matching and
// the report writers share these types; this folder imports no sibling.

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
  /** A development-only dependency (npm lockfile `dev`). */
  dev?: boolean;
  /** An optional dependency (npm lockfile `optional`). */
  optional?: boolean;
  /**
   * How the application's own manifest relates to it (JavaScript lockfiles): `direct` (named by the project's manifest, as
   * Trivy's `Relationship`), `indirect` (only reached through other packages),
   * `workspace` (a member of the project's workspaces). Absent when the lockfile cannot say.
   */
  relationship?: 'direct' | 'indirect' | 'workspace';
  /** The `name@version` of the packages it depends on (JavaScript lockfiles), sorted; the SBOM's dependency graph. */
  dependsOn?: string[];
  maintainer?: string;
  /** Package URL; filled by the report layer when not set. */
  purl?: string;
}

/**
 * Something a reader of the results must know because it limits them: an OS
 * Vigil has no vulnerability data for, a package database present but not
 * readable. Every report format shows notices; they never fail the scan.
 */
export interface Notice {
  kind: 'no-vuln-data' | 'package-db-unreadable';
  /** One line, e.g. `no vulnerability data for wolfi 20230201`. */
  message: string;
  /** The file concerned, when there is one. */
  path?: string;
}
