// Validation of registry manifests: OCI image index / Docker manifest list
// (choose one platform) and OCI image manifest / Docker v2 schema 2 manifest
// (config + layers). Pure: bytes in, checked descriptors out; every broken
// field is an InputError naming the manifest and the field.
import { InputError, LimitError } from '../../../core/errors.js';
import type { Platform } from '../../../core/image/types.js';
import { isValidDigest } from './reference.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** What we ask for: indexes first so a tag of a multi-platform image resolves to its index. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'manifest'; mediaType: string; config: Descriptor; layers: Descriptor[] };

const MAX_DESCRIPTORS = 10_000;

function fail(where: string, msg: string): never {
  throw new InputError('REGISTRY_BAD_MANIFEST', msg, where);
}

function descriptor(v: unknown, where: string, field: string): Descriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `${field} is not an object`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType.length === 0 || d.mediaType.length > 255) fail(where, `${field}.mediaType is missing or not a string`);
  if (typeof d.digest !== 'string' || !isValidDigest(d.digest)) fail(where, `${field}.digest ${JSON.stringify(String(d.digest).slice(0, 150))} is not a sha256/sha512 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) fail(where, `${field}.size is not a non-negative integer`);
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.platform !== undefined) {
    const p = d.platform as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || typeof p.os !== 'string' || typeof p.architecture !== 'string') {
      fail(where, `${field}.platform needs string os and architecture`);
    }
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' && p.variant ? { variant: p.variant } : {}) };
  }
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  return out;
}

function descriptors(v: unknown, where: string, field: string, max: number): Descriptor[] {
  if (!Array.isArray(v)) fail(where, `"${field}" is not an array`);
  if (v.length > max) throw new LimitError('LIMIT_LAYERS', `"${field}" has ${v.length} entries, more than the limit of ${max}`, where);
  return v.map((d, i) => descriptor(d, where, `${field}[${i}]`));
}

/**
 * Parse a manifest or index. `contentType` is the response's Content-Type (may be
 * missing or generic); the body's own `mediaType` wins when present.
 */
export function parseManifest(body: Buffer, contentType: string | undefined, where: string, maxLayers: number): ParsedManifest {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    fail(where, `manifest is not valid JSON (${(e as Error).message.slice(0, 120)})`);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) fail(where, 'manifest is not a JSON object');
  const ct = (contentType ?? '').split(';')[0]!.trim();
  const mediaType = typeof j.mediaType === 'string' ? j.mediaType : ct;
  if (mediaType === MT.dockerSchema1 || mediaType === MT.dockerSchema1Signed || j.schemaVersion === 1) {
    throw new InputError('REGISTRY_UNSUPPORTED_MANIFEST', 'Docker schema 1 manifests are not supported (deprecated); re-push the image with a current client', where);
  }
  if (j.schemaVersion !== 2) fail(where, `schemaVersion is ${JSON.stringify(j.schemaVersion)}, expected 2`);
  const isIndex = mediaType === MT.ociIndex || mediaType === MT.dockerList || (!mediaType.includes('manifest.v') && Array.isArray(j.manifests) && j.layers === undefined);
  if (isIndex) {
    return { kind: 'index', mediaType: mediaType || MT.ociIndex, manifests: descriptors(j.manifests, where, 'manifests', MAX_DESCRIPTORS) };
  }
  if (mediaType && mediaType !== MT.ociManifest && mediaType !== MT.dockerManifest && !mediaType.endsWith('+json')) {
    throw new InputError('REGISTRY_UNSUPPORTED_MANIFEST', `unsupported manifest media type ${mediaType}`, where);
  }
  if (j.config === undefined || j.layers === undefined) fail(where, 'manifest has no "config" and "layers"');
  const config = descriptor(j.config, where, 'config');
  const layers = descriptors(j.layers, where, 'layers', maxLayers);
  return { kind: 'manifest', mediaType: mediaType || MT.ociManifest, config, layers };
}

/** The variant an architecture implies when none is given (as containerd normalises). */
function defaultVariant(arch: string): string | undefined {
  if (arch === 'arm64') return 'v8';
  if (arch === 'arm') return 'v7';
  return undefined;
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Choose the manifest for `want` from an index; throws naming the platforms on offer. */
export function choosePlatform(manifests: Descriptor[], want: Platform, where: string): Descriptor {
  const wantVariant = want.variant ?? defaultVariant(want.architecture);
  const candidates = manifests.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => (m.platform!.variant ?? defaultVariant(m.platform!.architecture)) === wantVariant);
  const chosen = exact ?? (want.variant ? undefined : candidates[0]);
  if (chosen) return chosen;
  const offered = [...new Set(manifests.filter((m) => m.platform && m.platform.os !== 'unknown').map((m) => formatPlatform(m.platform!)))];
  throw new InputError(
    'REGISTRY_PLATFORM_NOT_FOUND',
    `no image for platform ${formatPlatform(want)} in the index${offered.length ? ` (it has ${offered.join(', ')}); choose one with --platform` : ''}`,
    where,
  );
}

export function isImageConfigType(mt: string): boolean {
  return mt === MT.ociConfig || mt === MT.dockerConfig;
}

/** Layer media types we can read as (possibly compressed) tar streams. */
export function isLayerType(mt: string): boolean {
  return (
    mt.startsWith('application/vnd.oci.image.layer.') ||
    mt.startsWith('application/vnd.docker.image.rootfs.') ||
    mt === 'application/x-tar'
  );
}
