// Parsing and validation of the JSON documents of images (OCI index and
// manifest, Docker manifest list and schema-2 manifest, image config), and
// platform selection. Shared by the OCI layout, OCI archive and
// docker-archive sources.
import { InputError, LimitError } from '../../core/errors.js';
import type { ImageConfig, LayerRef, Platform } from '../../core/image/types.js';
import { parseDigest } from './blob-store.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new InputError('IMAGE_BAD_MANIFEST', 'descriptor is not an object', where);
  parseDigest(v.digest, where);
  const d: Descriptor = { digest: v.digest as string };
  if (typeof v.mediaType === 'string') d.mediaType = v.mediaType;
  if (v.size !== undefined) {
    if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw new InputError('IMAGE_BAD_MANIFEST', `descriptor ${v.digest} has an invalid size`, where);
    d.size = v.size;
  }
  if (isObject(v.platform)) d.platform = v.platform as Descriptor['platform'] & object;
  if (isObject(v.annotations)) d.annotations = v.annotations as Record<string, string>;
  return d;
}

export function isIndexType(mt: string | undefined): boolean {
  return mt === MT.ociIndex || mt === MT.dockerList;
}

/** Manifests listed by an index (OCI image index or Docker manifest list). */
export function parseIndex(doc: unknown, where: string): Descriptor[] {
  if (!isObject(doc) || !Array.isArray(doc.manifests)) throw new InputError('IMAGE_BAD_INDEX', 'not an image index (no manifests array)', where);
  if (doc.manifests.length > 10_000) throw new LimitError('LIMIT_INDEX', 'index lists more than 10000 manifests', where);
  return doc.manifests.map((m) => parseDescriptor(m, where));
}

export interface ParsedManifest {
  config: Descriptor;
  layers: Descriptor[];
}

export function parseManifest(doc: unknown, where: string, maxLayers: number): ParsedManifest {
  if (!isObject(doc)) throw new InputError('IMAGE_BAD_MANIFEST', 'manifest is not a JSON object', where);
  if (Array.isArray(doc.manifests)) throw new InputError('IMAGE_BAD_MANIFEST', 'expected an image manifest, found an index', where);
  if (doc.schemaVersion !== 2) throw new InputError('IMAGE_BAD_MANIFEST', `unsupported manifest schemaVersion ${JSON.stringify(doc.schemaVersion)}`, where);
  if (!Array.isArray(doc.layers)) throw new InputError('IMAGE_BAD_MANIFEST', 'manifest has no layers array', where);
  if (doc.layers.length > maxLayers) throw new LimitError('LIMIT_LAYERS', `manifest has ${doc.layers.length} layers, over the limit of ${maxLayers} (raise with --max-layers)`, where);
  return { config: parseDescriptor(doc.config, where), layers: doc.layers.map((l) => parseDescriptor(l, where)) };
}

/** Validate the config fields Vigil reads; `layers` = number of layers the manifest lists. */
export function parseConfig(doc: unknown, layers: number, where: string): ImageConfig {
  if (!isObject(doc)) throw new InputError('IMAGE_BAD_CONFIG', 'image config is not a JSON object', where);
  const rootfs = doc.rootfs;
  if (rootfs !== undefined) {
    if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) throw new InputError('IMAGE_BAD_CONFIG', 'config rootfs has no diff_ids', where);
    for (const d of rootfs.diff_ids) parseDigest(d, where);
    if (rootfs.diff_ids.length !== layers) throw new InputError('IMAGE_CONFIG_MISMATCH', `config lists ${rootfs.diff_ids.length} diff_ids but the manifest has ${layers} layers`, where);
  }
  if (doc.history !== undefined && !Array.isArray(doc.history)) throw new InputError('IMAGE_BAD_CONFIG', 'config history is not an array', where);
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

export function formatPlatform(p: { os?: string; architecture?: string; variant?: string } | undefined): string {
  if (!p) return 'unknown';
  return [p.os ?? '?', p.architecture ?? '?', p.variant].filter(Boolean).join('/');
}

/** `linux/arm64/v8` -> Platform. */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new InputError('USAGE', `invalid platform ${JSON.stringify(s)} (expected OS/ARCH[/VARIANT])`, '--platform');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * Pick the manifest for a platform from index entries. Entries without a
 * platform are taken only when nothing else matches and there is exactly one;
 * attestation manifests (`unknown/unknown`) are never taken.
 */
export function choosePlatform(entries: Descriptor[], platform: Platform, where: string): Descriptor {
  const real = entries.filter((d) => !(d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown'));
  const withPlatform = real.filter((d) => d.platform?.os && d.platform?.architecture);
  const same = withPlatform.filter((d) => d.platform!.os === platform.os && d.platform!.architecture === platform.architecture);
  if (same.length > 0) {
    if (platform.variant) {
      const v = same.find((d) => d.platform!.variant === platform.variant);
      if (v) return v;
      // arm64 images often omit the v8 variant.
      const none = same.find((d) => !d.platform!.variant);
      if (none && (platform.architecture === 'arm64' && platform.variant === 'v8')) return none;
    } else {
      return same.find((d) => !d.platform!.variant) ?? same[0]!;
    }
  }
  const bare = real.filter((d) => !d.platform?.os);
  if (withPlatform.length === 0 && bare.length === 1) return bare[0]!;
  const available = withPlatform.map((d) => formatPlatform(d.platform)).join(', ') || 'none';
  throw new InputError('IMAGE_PLATFORM_NOT_FOUND', `no manifest for platform ${formatPlatform(platform)} (available: ${available}); choose one with --platform`, where);
}
