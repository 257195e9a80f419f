// The JSON documents of images, for every source: media types, descriptors,
// OCI image index / Docker manifest list, OCI image manifest / Docker v2
// schema 2 manifest, image config, and platform selection. Documents come in
// parsed (each source reads and bounds its own bytes); every broken field is
// an InputError naming the document and the field. The codes are the
// caller's (`ManifestErrorCodes`): local sources report IMAGE_*, the registry
// client REGISTRY_*, so a user sees where the broken document came from.
import { InputError, LimitError, type ErrorCode } from '../../core/errors.js';
import type { ImageConfig, Platform } from '../../core/image/types.js';
import type { LayerRef } from '../../core/inventory/types.js';
import { parseDigest } from './blob-store.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
/** More entries than any real index has; bounds the work a hostile one causes. */
const MAX_INDEX_ENTRIES = 10_000;

/** The error codes a caller reports broken documents with. */
export interface ManifestErrorCodes {
  /** a manifest or one of its descriptors is malformed */
  manifest: ErrorCode;
  /** an index is malformed */
  index: ErrorCode;
  /** a descriptor or diff_id digest is malformed or unsupported; unset: the code of the document it is in */
  digest?: ErrorCode;
  /** an image config is malformed */
  config: ErrorCode;
  /** the config's diff_ids do not match the manifest's layers */
  configMismatch: ErrorCode;
  /** no index entry for the wanted platform */
  platformNotFound: ErrorCode;
}

/** Codes of the local sources (oci, oci-archive, docker-archive). */
export const IMAGE_ERRORS: ManifestErrorCodes = {
  manifest: 'IMAGE_BAD_MANIFEST',
  index: 'IMAGE_BAD_INDEX',
  digest: 'IMAGE_BAD_DIGEST',
  config: 'IMAGE_BAD_CONFIG',
  configMismatch: 'IMAGE_CONFIG_MISMATCH',
  platformNotFound: 'IMAGE_PLATFORM_NOT_FOUND',
};

/**
 * A content descriptor. The OCI spec requires mediaType and size, but local
 * layouts written by hand or by old tools may omit them (a local blob's size
 * is known from the store); a registry client requires them itself.
 */
export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validate a descriptor of a document whose errors have code `code`; `field`
 * names it in errors (`config`, `layers[2]`, `manifests[0]`).
 */
function parseDescriptor(v: unknown, where: string, field: string, code: ErrorCode, codes: ManifestErrorCodes): Descriptor {
  const fail = (msg: string): never => {
    throw new InputError(code, msg, where);
  };
  if (!isObject(v)) return fail(`${field} is not an object`);
  checkDigest(v.digest, where, `${field}.digest`, codes.digest ?? code);
  const d: Descriptor = { digest: v.digest };
  if (v.mediaType !== undefined) {
    if (typeof v.mediaType !== 'string' || v.mediaType.length === 0 || v.mediaType.length > 255) fail(`${field}.mediaType is not a media type string`);
    d.mediaType = v.mediaType as string;
  }
  if (v.size !== undefined) {
    if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) fail(`${field}.size is not a non-negative integer`);
    d.size = v.size as number;
  }
  if (v.platform !== undefined) {
    const p = v.platform;
    if (!isObject(p) || typeof p.os !== 'string' || typeof p.architecture !== 'string') return fail(`${field}.platform needs string os and architecture`);
    d.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' && p.variant ? { variant: p.variant } : {}) };
  }
  if (isObject(v.annotations)) d.annotations = v.annotations as Record<string, string>;
  if (Array.isArray(v.urls)) d.urls = v.urls.filter((u): u is string => typeof u === 'string');
  return d;
}

/**
 * The digest rule is the blob store's (it reads and verifies the blobs); here
 * its error is reported under the document's code and names the field.
 */
function checkDigest(v: unknown, where: string, field: string, code: ErrorCode): asserts v is string {
  try {
    parseDigest(v, where);
  } catch {
    // Not String(v): a parsed object with a "toString" key makes String() throw.
    const shown =
      typeof v === 'string' ? JSON.stringify(v.slice(0, 150)) : v === null || typeof v !== 'object' ? String(v) : Array.isArray(v) ? 'an array' : 'an object';
    throw new InputError(code, `${field} ${shown} is not a sha256, sha384 or sha512 digest`, where);
  }
}

export function isIndexType(mt: string | undefined): boolean {
  return mt === MT.ociIndex || mt === MT.dockerList;
}

export function isManifestType(mt: string | undefined): boolean {
  return mt === MT.ociManifest || mt === MT.dockerManifest;
}

/**
 * Whether a document is an index. `mediaType` is what the document or its
 * descriptor says (may be missing: OCI allows omitting it); without one, a
 * `manifests` array and no `layers` decide.
 */
export function isIndexDocument(doc: unknown, mediaType: string | undefined): boolean {
  if (isIndexType(mediaType)) return true;
  if (isManifestType(mediaType)) return false;
  return isObject(doc) && Array.isArray(doc.manifests) && doc.layers === undefined;
}

/** Manifests listed by an index (OCI image index or Docker manifest list). */
export function parseIndex(doc: unknown, where: string, codes: ManifestErrorCodes): Descriptor[] {
  if (!isObject(doc) || !Array.isArray(doc.manifests)) throw new InputError(codes.index, 'not an image index (no manifests array)', where);
  if (doc.schemaVersion !== undefined && doc.schemaVersion !== 2)
    throw new InputError(codes.index, `schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`, where);
  if (doc.manifests.length > MAX_INDEX_ENTRIES) throw new LimitError('LIMIT_INDEX', `index lists more than ${MAX_INDEX_ENTRIES} manifests`, where);
  return doc.manifests.map((m, i) => parseDescriptor(m, where, `manifests[${i}]`, codes.index, codes));
}

export interface ParsedManifest {
  config: Descriptor;
  layers: Descriptor[];
}

/** An image manifest (OCI or Docker schema 2): its config and layer descriptors. */
export function parseManifest(doc: unknown, where: string, maxLayers: number, codes: ManifestErrorCodes): ParsedManifest {
  const fail = (msg: string): never => {
    throw new InputError(codes.manifest, msg, where);
  };
  if (!isObject(doc)) return fail('manifest is not a JSON object');
  if (Array.isArray(doc.manifests) && doc.layers === undefined) fail('expected an image manifest, found an index');
  if (doc.schemaVersion !== 2) fail(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`);
  if (doc.config === undefined || doc.layers === undefined) fail('manifest has no "config" and "layers"');
  if (!Array.isArray(doc.layers)) return fail('"layers" is not an array');
  if (doc.layers.length > maxLayers)
    throw new LimitError('LIMIT_LAYERS', `manifest has ${doc.layers.length} layers, over the limit of ${maxLayers} (raise with --max-layers)`, where);
  return {
    config: parseDescriptor(doc.config, where, 'config', codes.manifest, codes),
    layers: doc.layers.map((l, i) => parseDescriptor(l, where, `layers[${i}]`, codes.manifest, codes)),
  };
}

export function isImageConfigType(mt: string | undefined): boolean {
  return mt === MT.ociConfig || mt === MT.dockerConfig;
}

/** Layer media types we can read as (possibly compressed) tar streams. */
export function isLayerType(mt: string): boolean {
  return mt.startsWith('application/vnd.oci.image.layer.') || mt.startsWith('application/vnd.docker.image.rootfs.') || mt === 'application/x-tar';
}

/** Validate the config fields Vigil reads; `layers` = number of layers the manifest lists. */
export function parseConfig(doc: unknown, layers: number, where: string, codes: ManifestErrorCodes): ImageConfig {
  if (!isObject(doc)) throw new InputError(codes.config, 'image config is not a JSON object', where);
  const rootfs = doc.rootfs;
  if (rootfs !== undefined) {
    if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) throw new InputError(codes.config, 'config rootfs has no diff_ids', where);
    for (const [i, d] of rootfs.diff_ids.entries()) checkDigest(d, where, `rootfs.diff_ids[${i}]`, codes.digest ?? codes.config);
    if (rootfs.diff_ids.length !== layers)
      throw new InputError(codes.configMismatch, `config lists ${rootfs.diff_ids.length} diff_ids but the manifest has ${layers} layers`, where);
  }
  if (doc.history !== undefined && !Array.isArray(doc.history)) throw new InputError(codes.config, 'config history is not an array', where);
  return doc as ImageConfig;
}

/** created_by of each layer: history entries in order, skipping `empty_layer` ones. */
export function layerHistory(config: ImageConfig, layers: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (const h of config.history ?? []) {
    if (!isObject(h) || h.empty_layer === true) continue;
    out.push(typeof h.created_by === 'string' ? h.created_by : undefined);
  }
  return Array.from({ length: layers }, (_, i) => out[i]);
}

export function layerRefs(digests: string[], config: ImageConfig): LayerRef[] {
  const created = layerHistory(config, digests.length);
  return digests.map((digest, index) => {
    const ref: LayerRef = { index, digest };
    const diffId = config.rootfs?.diff_ids[index];
    if (diffId) ref.diffId = diffId;
    const c = created[index];
    if (c !== undefined) ref.createdBy = c;
    return ref;
  });
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The variant an architecture implies when none is given (as containerd normalises). */
function defaultVariant(arch: string): string | undefined {
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return undefined;
}

/**
 * Pick the manifest for a platform from index entries. Variants are compared
 * as containerd normalises them (`arm64` is `v8`, `arm` is `v7`); without a
 * wanted variant the first entry of the OS and architecture will do.
 * Attestation manifests (`unknown/unknown`) are never taken; an entry without
 * a platform only when it is the one image of the index. Throws naming the
 * platforms on offer.
 */
export function choosePlatform<D extends Descriptor>(entries: D[], want: Platform, where: string, codes: ManifestErrorCodes): D {
  const real = entries.filter((d) => !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'));
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  const candidates = real.filter((d) => d.platform?.os === want.os && d.platform.architecture === want.architecture);
  const exact = candidates.find((d) => (d.platform!.variant ?? defaultVariant(d.platform!.architecture)) === wantVariant);
  const chosen = exact ?? (want.variant ? undefined : candidates[0]);
  if (chosen) return chosen;
  if (real.length === 1 && !real[0]!.platform) return real[0]!;
  const offered = [...new Set(real.filter((d) => d.platform).map((d) => formatPlatform(d.platform!)))];
  throw new InputError(
    codes.platformNotFound,
    `no image for platform ${formatPlatform(want)} in the index${offered.length ? ` (it has ${offered.join(', ')})` : ''}; choose one with --platform`,
    where,
  );
}
