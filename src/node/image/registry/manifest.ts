// What is particular to manifests fetched from a registry: the Accept list,
// the response body and Content-Type (the body's own mediaType wins), the
// refusal of Docker schema 1, and descriptors that must carry mediaType and
// size (blobs are fetched and bounded by them) and a sha256 or sha512 digest
// (what the client verifies downloads with). The documents themselves are
// validated by the shared ../manifest.ts under the REGISTRY_* codes.
import { InputError } from '../../../core/errors.js';
import { isIndexDocument, isManifestType, MT, parseIndex, parseManifest, type Descriptor, type ManifestErrorCodes } from '../manifest.js';
import { isValidDigest } from './reference.js';

/** What we ask for: indexes first so a tag of a multi-platform image resolves to its index. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');

export const REGISTRY_ERRORS: ManifestErrorCodes = {
  manifest: 'REGISTRY_BAD_MANIFEST',
  index: 'REGISTRY_BAD_MANIFEST',
  config: 'REGISTRY_BAD_CONFIG',
  configMismatch: 'REGISTRY_BAD_CONFIG',
  platformNotFound: 'REGISTRY_PLATFORM_NOT_FOUND',
};

/** A descriptor as a registry must send it (the OCI spec requires both fields). */
export type RegistryDescriptor = Descriptor & { mediaType: string; size: number };

export type RegistryManifest =
  | { kind: 'index'; mediaType: string; manifests: RegistryDescriptor[] }
  | { kind: 'manifest'; mediaType: string; config: RegistryDescriptor; layers: RegistryDescriptor[] };

function complete(d: Descriptor, where: string, field: string): RegistryDescriptor {
  if (!isValidDigest(d.digest)) throw new InputError('REGISTRY_BAD_MANIFEST', `${field}.digest ${d.digest} is not a sha256/sha512 digest`, where);
  if (d.mediaType === undefined) throw new InputError('REGISTRY_BAD_MANIFEST', `${field}.mediaType is missing`, where);
  if (d.size === undefined) throw new InputError('REGISTRY_BAD_MANIFEST', `${field}.size is missing`, where);
  return d as RegistryDescriptor;
}

/**
 * Parse a manifest or index response. `contentType` is the response's
 * Content-Type (may be missing or generic); the body's own `mediaType` wins
 * when present.
 */
export function parseRegistryManifest(body: Buffer, contentType: string | undefined, where: string, maxLayers: number): RegistryManifest {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new InputError('REGISTRY_BAD_MANIFEST', `manifest is not valid JSON (${(e as Error).message.slice(0, 120)})`, where);
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new InputError('REGISTRY_BAD_MANIFEST', 'manifest is not a JSON object', where);
  const doc = j as Record<string, unknown>;
  const ct = (contentType ?? '').split(';')[0]!.trim();
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : ct;
  // Only registries still serve schema 1 (local layouts and archives never held it).
  if (mediaType === MT.dockerSchema1 || mediaType === MT.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new InputError(
      'REGISTRY_UNSUPPORTED_MANIFEST',
      'Docker schema 1 manifests are not supported (deprecated); re-push the image with a current client',
      where,
    );
  }
  if (doc.schemaVersion !== 2) throw new InputError('REGISTRY_BAD_MANIFEST', `schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`, where);
  // A generic Content-Type (application/json) leaves it to the document, unless some manifest type is named.
  if (isIndexDocument(doc, mediaType) && !mediaType.includes('manifest.v')) {
    const manifests = parseIndex(doc, where, REGISTRY_ERRORS).map((d, i) => complete(d, where, `manifests[${i}]`));
    return { kind: 'index', mediaType: mediaType || MT.ociIndex, manifests };
  }
  if (mediaType && !isManifestType(mediaType) && !mediaType.endsWith('+json')) {
    throw new InputError('REGISTRY_UNSUPPORTED_MANIFEST', `unsupported manifest media type ${mediaType}`, where);
  }
  const m = parseManifest(doc, where, maxLayers, REGISTRY_ERRORS);
  return {
    kind: 'manifest',
    mediaType: mediaType || MT.ociManifest,
    config: complete(m.config, where, 'config'),
    layers: m.layers.map((d, i) => complete(d, where, `layers[${i}]`)),
  };
}
