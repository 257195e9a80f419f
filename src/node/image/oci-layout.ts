// Reading an OCI image layout (index.json, oci-layout, blobs/<alg>/<hex>) from
// any BlobStore: the `oci:` directory source and the `oci-archive:` tar source
// share it. Follows nested indexes, chooses the manifest by ref name and
// platform, and verifies every blob it reads against its digest.
import { InputError } from '../../core/errors.js';
import { resolveLimits } from '../../core/image/limits.js';
import type { Image, ImageSourceType, Layer, Platform, ReadLimits } from '../../core/image/types.js';
import { parseDigest, parseJson, verifyBytes, verified, type BlobStore } from './blob-store.js';
import {
  choosePlatform,
  DEFAULT_PLATFORM,
  IMAGE_ERRORS,
  isIndexDocument,
  isIndexType,
  layerRefs,
  parseConfig,
  parseIndex,
  parseManifest,
  REF_NAME,
  type Descriptor,
} from './manifest.js';
import type { OpenImageOptions } from './types.js';

const MAX_INDEX_DEPTH = 4;

export function blobPath(digest: string, where: string): string {
  const { algorithm, hex } = parseDigest(digest, where);
  return `blobs/${algorithm}/${hex}`;
}

/** Read a small blob (index, manifest, config), bounded and digest-verified. */
export async function readBlob(store: BlobStore, d: Descriptor, limits: ReadLimits, what: string): Promise<Buffer> {
  const path = blobPath(d.digest, store.where);
  const where = `${store.where} ${path}`;
  if (!(await store.has(path))) throw new InputError('IMAGE_MISSING_BLOB', `${what} blob ${d.digest} is missing`, store.where);
  if (d.size !== undefined && d.size > limits.maxManifestSize) {
    throw new InputError(
      'LIMIT_MANIFEST_SIZE',
      `${what} of ${d.size} bytes is over the limit of ${limits.maxManifestSize} (raise with --max-manifest-size)`,
      where,
    );
  }
  const b = await store.read(path, limits.maxManifestSize, what);
  verifyBytes(b, d.digest, where);
  return b;
}

/** Layers whose blobs are streamed from the store and verified against their digests. */
export async function blobLayers(store: BlobStore, descs: Descriptor[], digests: string[], config: Image['config']): Promise<Layer[]> {
  const refs = layerRefs(digests, config);
  const layers: Layer[] = [];
  for (const [i, d] of descs.entries()) {
    const path = blobPath(d.digest, store.where);
    if (!(await store.has(path))) throw new InputError('IMAGE_MISSING_BLOB', `layer ${i} blob ${d.digest} is missing`, store.where);
    const size = d.size ?? (await store.size(path));
    const where = `${store.where} ${path}`;
    const layer: Layer = { ref: refs[i]!, open: async () => verified(store.open(path), d.digest, where, size) };
    if (d.mediaType) layer.mediaType = d.mediaType;
    if (size !== undefined) layer.size = size;
    layers.push(layer);
  }
  return layers;
}

export interface OciOpenArgs {
  name: string;
  type: ImageSourceType;
  tag?: string;
}

function refNameOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME];
}

/** Open the image of an OCI layout held by `store`. The caller closes the store on error. */
export async function openOciFromStore(store: BlobStore, args: OciOpenArgs, opts: OpenImageOptions = {}): Promise<Image> {
  const limits = resolveLimits(opts.limits);
  const platform: Platform = opts.platform ?? DEFAULT_PLATFORM;
  if (!(await store.has('oci-layout'))) throw new InputError('IMAGE_NOT_OCI', 'not an OCI image layout (no oci-layout file)', store.where);
  const layoutFile = parseJson<{ imageLayoutVersion?: unknown }>(
    await store.read('oci-layout', limits.maxManifestSize, 'oci-layout'),
    `${store.where} oci-layout`,
  );
  if (typeof layoutFile?.imageLayoutVersion !== 'string')
    throw new InputError('IMAGE_NOT_OCI', 'oci-layout has no imageLayoutVersion', `${store.where} oci-layout`);
  if (!(await store.has('index.json'))) throw new InputError('IMAGE_NOT_OCI', 'OCI image layout has no index.json', store.where);
  const indexWhere = `${store.where} index.json`;
  let entries = parseIndex(parseJson(await store.read('index.json', limits.maxManifestSize, 'index.json'), indexWhere), indexWhere, IMAGE_ERRORS);
  if (entries.length === 0) throw new InputError('IMAGE_EMPTY_INDEX', 'index.json lists no images', indexWhere);

  if (args.tag !== undefined) {
    const tagged = entries.filter((d) => refNameOf(d) === args.tag);
    if (tagged.length === 0) {
      const names = entries.map(refNameOf).filter(Boolean);
      throw new InputError('IMAGE_TAG_NOT_FOUND', `no image tagged ${JSON.stringify(args.tag)} (tags: ${names.join(', ') || 'none'})`, indexWhere);
    }
    entries = tagged;
  } else {
    const names = new Set(entries.map(refNameOf).filter(Boolean));
    if (names.size > 1 && entries.some((d) => !d.platform)) {
      throw new InputError('IMAGE_AMBIGUOUS', `layout holds several images (${[...names].join(', ')}); name one as ${args.type}:PATH:TAG`, indexWhere);
    }
  }

  const first = entries.length === 1 && !entries[0]!.platform ? entries[0]! : choosePlatform(entries, platform, indexWhere, IMAGE_ERRORS);
  const image = await openFromDescriptor(store, first, args, opts);
  const ref = refNameOf(first) ?? args.tag ?? entries.map(refNameOf).find(Boolean);
  if (ref) image.repoTags = [ref];
  return image;
}

/**
 * The image a descriptor names in `store` (a manifest, or an index whose
 * manifest for the platform is chosen, nested indexes followed): reads the
 * manifest and config, and returns layers streamed from the store. The OCI
 * layout sources start from their index.json entry, containerd from its
 * image record's target. The caller closes the store on error.
 */
export async function openFromDescriptor(store: BlobStore, start: Descriptor, args: OciOpenArgs, opts: OpenImageOptions = {}): Promise<Image> {
  const limits = resolveLimits(opts.limits);
  const platform: Platform = opts.platform ?? DEFAULT_PLATFORM;
  let where = store.where;
  let chosen = start;
  let manifestDoc: unknown;
  // Follow nested indexes; a descriptor without a media type is judged by its document.
  for (let depth = 0; ; depth++) {
    where = `${store.where} ${blobPath(chosen.digest, store.where)}`;
    const doc = parseJson<{ mediaType?: unknown }>(await readBlob(store, chosen, limits, isIndexType(chosen.mediaType) ? 'index' : 'manifest'), where);
    const isIndex = isIndexType(chosen.mediaType) || isIndexDocument(doc, typeof doc?.mediaType === 'string' ? doc.mediaType : undefined);
    if (!isIndex) {
      manifestDoc = doc;
      break;
    }
    if (depth >= MAX_INDEX_DEPTH) throw new InputError('IMAGE_BAD_INDEX', `indexes nested deeper than ${MAX_INDEX_DEPTH}`, where);
    const nested = parseIndex(doc, where, IMAGE_ERRORS);
    if (nested.length === 0) throw new InputError('IMAGE_EMPTY_INDEX', 'nested index lists no manifests', where);
    chosen = nested.length === 1 && !nested[0]!.platform ? nested[0]! : choosePlatform(nested, platform, where, IMAGE_ERRORS);
  }

  const manifest = parseManifest(manifestDoc, where, limits.maxLayers, IMAGE_ERRORS);
  const configWhere = `${store.where} ${blobPath(manifest.config.digest, store.where)}`;
  const config = parseConfig(
    parseJson(await readBlob(store, manifest.config, limits, 'config'), configWhere),
    manifest.layers.length,
    configWhere,
    IMAGE_ERRORS,
  );
  const layers = await blobLayers(
    store,
    manifest.layers,
    manifest.layers.map((l) => l.digest),
    config,
  );
  return {
    name: args.name,
    type: args.type,
    digest: chosen.digest,
    configDigest: manifest.config.digest,
    config,
    layers,
    close: () => store.close(),
  };
}
