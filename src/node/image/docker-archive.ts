// `docker-archive:FILE[:REPO:TAG|@N]`: a `docker save` tarball, read in place.
// Both layouts: the classic one (manifest.json, <id>/layer.tar or <hex>.tar,
// <hex>.json config; what skopeo and Docker before 25 write) and Docker 25+
// (an OCI layout whose manifest.json Layers point into blobs/sha256/).
// Layers are verified against the config's diff_ids (classic) or their blob
// digests (blobs/), the config against its file name.
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../core/errors.js';
import { createDecompressor, detectCompression, type Decompressor } from '../../core/image/compression.js';
import { resolveLimits } from '../../core/image/limits.js';
import type { Image, Layer } from '../../core/image/types.js';
import { digestOf, parseDigest, parseJson, TarStore, verified, verifyBytes } from './blob-store.js';
import { IMAGE_ERRORS, layerRefs, parseConfig } from './manifest.js';
import type { OpenImageOptions } from './types.js';

/** The core decompressors as a Transform (a compressed classic layer must be hashed after decompression). */
class DecompressTransform extends Transform {
  private readonly d: Decompressor;
  private done?: TransformCallback;
  constructor(kind: ReturnType<typeof detectCompression>) {
    super({ highWaterMark: 1024 * 1024 });
    this.d = createDecompressor(kind, {
      onData: (c) => this.push(c),
      onEnd: () => this.done?.(),
      onError: (e) => this.destroy(e as Error),
      onDrain: () => {},
    });
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.d.write(chunk);
    cb();
  }
  override _flush(cb: TransformCallback): void {
    this.done = cb;
    this.d.end();
  }
}

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** `blobs/sha256/<hex>` or `<hex>.json` / `<hex>.tar` / `<hex>/...` -> the digest the name claims, if any. */
function digestFromName(name: string): string | undefined {
  let m = /^blobs\/(sha256|sha384|sha512)\/([0-9a-f]+)$/.exec(name);
  if (m) return `${m[1]}:${m[2]}`;
  m = /^([0-9a-f]{64})(\.json|\.tar)$/.exec(name);
  if (m) return `sha256:${m[1]}`;
  return undefined;
}

function selectEntry(entries: ManifestEntry[], selector: string | undefined, where: string): ManifestEntry {
  if (selector === undefined) {
    return entries[0]!;
  }
  if (selector.startsWith('@')) {
    const n = Number(selector.slice(1));
    if (!Number.isInteger(n) || n < 0 || n >= entries.length)
      throw new InputError('IMAGE_TAG_NOT_FOUND', `no image ${selector} (archive holds ${entries.length})`, where);
    return entries[n]!;
  }
  const hit = entries.find((e) =>
    (e.RepoTags ?? []).some((t) => t === selector || t === `${selector}:latest` || t === `docker.io/${selector}` || t === `docker.io/library/${selector}`),
  );
  if (!hit) {
    const tags = entries.flatMap((e) => e.RepoTags ?? []);
    throw new InputError('IMAGE_TAG_NOT_FOUND', `no image tagged ${JSON.stringify(selector)} (tags: ${tags.join(', ') || 'none'})`, where);
  }
  return hit;
}

export async function openDockerArchive(file: string, selector: string | undefined, name: string, opts: OpenImageOptions = {}): Promise<Image> {
  const limits = resolveLimits(opts.limits);
  const store = await TarStore.open(file, limits);
  try {
    if (!store.has('manifest.json')) {
      const hint = store.has('index.json') ? ' (it is an OCI archive: use oci-archive:)' : '';
      throw new InputError('IMAGE_NOT_DOCKER_ARCHIVE', `not a docker-archive: no manifest.json${hint}`, file);
    }
    const mWhere = `${file} manifest.json`;
    const doc = parseJson(await store.read('manifest.json', limits.maxManifestSize, 'manifest.json'), mWhere);
    if (!Array.isArray(doc) || doc.length === 0) throw new InputError('IMAGE_BAD_MANIFEST', 'manifest.json is not a non-empty array', mWhere);
    for (const [i, e] of doc.entries()) {
      const ok =
        typeof e === 'object' && e !== null && typeof e.Config === 'string' && Array.isArray(e.Layers) && e.Layers.every((l: unknown) => typeof l === 'string');
      if (!ok) throw new InputError('IMAGE_BAD_MANIFEST', `entry ${i} has no Config or Layers`, mWhere);
    }
    const entry = selectEntry(doc as ManifestEntry[], selector, mWhere);
    if (entry.Layers.length > limits.maxLayers)
      throw new InputError('LIMIT_LAYERS', `image has ${entry.Layers.length} layers, over the limit of ${limits.maxLayers} (raise with --max-layers)`, mWhere);

    if (!store.has(entry.Config)) throw new InputError('IMAGE_MISSING_BLOB', `config ${entry.Config} is missing`, file);
    const cWhere = `${file} ${entry.Config}`;
    const configBytes = await store.read(entry.Config, limits.maxManifestSize, 'config');
    const claimed = digestFromName(entry.Config);
    if (claimed) verifyBytes(configBytes, claimed, cWhere);
    const configDigest = claimed ?? digestOf(configBytes);
    const config = parseConfig(parseJson(configBytes, cWhere), entry.Layers.length, cWhere, IMAGE_ERRORS);
    const diffIds = config.rootfs?.diff_ids;
    if (!diffIds) throw new InputError('IMAGE_BAD_CONFIG', 'config has no rootfs.diff_ids', cWhere);

    const digests: string[] = [];
    const plans: Array<{ path: string; expected: string; gunzip: boolean; size: number | undefined }> = [];
    for (const [i, path] of entry.Layers.entries()) {
      if (!store.has(path)) throw new InputError('IMAGE_MISSING_BLOB', `layer ${i} (${path}) is missing`, file);
      const diffId = diffIds[i]!;
      parseDigest(diffId, cWhere);
      const blobDigest = digestFromName(path);
      const compressed = detectCompression(await store.head(path, 4)) !== 'none';
      if (blobDigest && /^blobs\//.test(path)) {
        // Docker 25+: the blob is named by its digest; uncompressed blobs must also be the diff_id.
        if (!compressed && blobDigest !== diffId)
          throw new InputError('IMAGE_CONFIG_MISMATCH', `layer ${i} blob ${blobDigest} is not the config's diff_id ${diffId}`, `${file} ${path}`);
        digests.push(blobDigest);
        plans.push({ path, expected: blobDigest, gunzip: false, size: await store.size(path) });
      } else {
        // Classic: layer.tar is the uncompressed diff; a compressed one is verified after decompression.
        digests.push(diffId);
        plans.push({ path, expected: diffId, gunzip: compressed, size: await store.size(path) });
      }
    }
    const refs = layerRefs(digests, config);
    const layers: Layer[] = plans.map((p, i) => {
      const where = `${file} ${p.path}`;
      const layer: Layer = {
        ref: refs[i]!,
        open: async () => {
          const raw = store.open(p.path);
          if (!p.gunzip) return verified(raw, p.expected, where, p.size);
          const kind = detectCompression(await store.head(p.path, 4));
          // gunzip keeps backpressure (a bomb stops at the layer limit without buffering); zstd here is rare.
          const z = kind === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new DecompressTransform(kind);
          raw.on('error', (e) => z.destroy(e));
          return verified(raw.pipe(z), p.expected, where);
        },
      };
      if (p.size !== undefined) layer.size = p.size;
      return layer;
    });
    const image: Image = { name, type: 'docker-archive', digest: configDigest, configDigest, config, layers, close: () => store.close() };
    if (entry.RepoTags && entry.RepoTags.length > 0) image.repoTags = [...entry.RepoTags];
    return image;
  } catch (e) {
    await store.close();
    throw e;
  }
}
