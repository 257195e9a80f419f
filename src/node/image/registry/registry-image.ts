// The `registry:` image source: resolves a reference to one platform's
// manifest, fetches and verifies the config, and offers the layers as
// streamed blobs verified against their digests while they are read.
import type { Readable } from 'node:stream';
import { InputError } from '../../../core/errors.js';
import { DEFAULT_LIMITS, type Image, type Layer, type Platform, type ReadLimits } from '../../../core/image/types.js';
import { choosePlatform, DEFAULT_PLATFORM, formatPlatform, isImageConfigType, isLayerType, layerRefs, parseConfig } from '../manifest.js';
import { asInputError, RegistryClient, type RegistryOptions } from './client.js';
import { MANIFEST_ACCEPT, parseRegistryManifest, REGISTRY_ERRORS, type RegistryDescriptor } from './manifest.js';
import { formatReference, parseReference, type RegistryReference } from './reference.js';
import { digestOf, DigestVerifier } from './verify-stream.js';

/** An index may point at another index; deeper nesting is refused. */
const MAX_INDEX_DEPTH = 2;

interface FetchedManifest {
  body: Buffer;
  digest: string;
  contentType: string | undefined;
}

/** GET a manifest by tag or digest: size-limited, and digest-verified (against the reference, or the registry's Docker-Content-Digest). */
async function fetchManifest(client: RegistryClient, r: RegistryReference, tagOrDigest: string, limit: number, what: string): Promise<FetchedManifest> {
  const { res } = await client.request({
    method: 'GET',
    path: `/v2/${r.repository}/manifests/${tagOrDigest}`,
    accept: MANIFEST_ACCEPT,
    scope: `repository:${r.repository}:pull`,
    what,
    redirects: true,
  });
  const body = await client.readBody(res, limit, what);
  const byDigest = tagOrDigest.includes(':');
  const claimed = byDigest ? tagOrDigest : firstHeader(res.headers['docker-content-digest']);
  const computed = digestOf(body, claimed && /^sha(256|512):/.test(claimed) ? claimed : 'sha256:');
  if (claimed && /^sha(256|512):/.test(claimed) && computed !== claimed) {
    throw new InputError('IMAGE_DIGEST_MISMATCH', `manifest content has digest ${computed}, expected ${claimed}`, what);
  }
  return { body, digest: computed, contentType: firstHeader(res.headers['content-type']) };
}

function firstHeader(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** GET a blob; the stream checks size and digest while it flows. */
async function openBlob(client: RegistryClient, r: RegistryReference, d: RegistryDescriptor, maxBytes: number): Promise<Readable> {
  const what = `${r.host}/${r.repository}@${d.digest}`;
  const { res } = await client.request({
    method: 'GET',
    path: `/v2/${r.repository}/blobs/${d.digest}`,
    scope: `repository:${r.repository}:pull`,
    what,
    redirects: true,
  });
  const verifier = new DigestVerifier(d.digest, d.size, maxBytes, what);
  // Network errors (timeouts, resets) reach the consumer as InputErrors; a
  // consumer that stops early closes the connection.
  res.once('error', (e) => verifier.destroy(asInputError(e, what)));
  verifier.once('close', () => {
    if (!res.readableEnded) res.destroy();
  });
  res.pipe(verifier);
  return verifier;
}

async function readBlobJson(client: RegistryClient, r: RegistryReference, d: RegistryDescriptor, limit: number): Promise<unknown> {
  const what = `${r.host}/${r.repository}@${d.digest}`;
  if (d.size > limit) throw new InputError('LIMIT_MANIFEST_SIZE', `config of ${d.size} bytes is larger than the limit of ${limit} bytes`, what);
  const stream = await openBlob(client, r, d, limit);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new InputError('REGISTRY_BAD_CONFIG', `image config is not valid JSON (${(e as Error).message.slice(0, 120)})`, what);
  }
}

interface Resolved {
  client: RegistryClient;
  ref: RegistryReference;
  /** Digest the tag points at (an index or a manifest). */
  topDigest: string;
  /** Digest of the platform manifest used. */
  manifestDigest: string;
  config: RegistryDescriptor;
  layers: RegistryDescriptor[];
}

async function resolve(client: RegistryClient, ref: RegistryReference, limits: ReadLimits, platform: Platform): Promise<Resolved> {
  const what = formatReference(ref);
  let m = await fetchManifest(client, ref, ref.digest ?? ref.tag!, limits.maxManifestSize, what);
  const topDigest = m.digest;
  for (let depth = 0; ; depth++) {
    const here = `${ref.host}/${ref.repository}@${m.digest}`;
    const parsed = parseRegistryManifest(m.body, m.contentType, depth === 0 ? what : here, limits.maxLayers);
    if (parsed.kind === 'manifest') {
      if (!isImageConfigType(parsed.config.mediaType)) {
        throw new InputError('REGISTRY_NOT_AN_IMAGE', `not a container image (config media type ${parsed.config.mediaType})`, what);
      }
      for (const [i, l] of parsed.layers.entries()) {
        if (!isLayerType(l.mediaType)) throw new InputError('REGISTRY_UNSUPPORTED_LAYER', `layers[${i}] has unsupported media type ${l.mediaType}`, here);
      }
      return { client, ref, topDigest, manifestDigest: m.digest, config: parsed.config, layers: parsed.layers };
    }
    if (depth >= MAX_INDEX_DEPTH) throw new InputError('REGISTRY_BAD_MANIFEST', `indexes nested deeper than ${MAX_INDEX_DEPTH}`, here);
    const chosen = choosePlatform(parsed.manifests, platform, what, REGISTRY_ERRORS);
    if (chosen.size > limits.maxManifestSize) {
      throw new InputError(
        'LIMIT_MANIFEST_SIZE',
        `manifest for ${formatPlatform(platform)} of ${chosen.size} bytes is larger than the limit of ${limits.maxManifestSize} bytes`,
        here,
      );
    }
    m = await fetchManifest(client, ref, chosen.digest, limits.maxManifestSize, `${ref.host}/${ref.repository}@${chosen.digest}`);
  }
}

/** Open `registry:HOST[:PORT]/REPO[:TAG|@DIGEST]` as an Image. Blobs are fetched lazily by `layer.open()`. */
export async function openRegistryImage(refText: string, opts: RegistryOptions = {}): Promise<Image> {
  const ref = parseReference(refText);
  const limits: ReadLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const client = new RegistryClient(ref.host, ref.endpoint, opts);
  try {
    const r = await resolve(client, ref, limits, opts.platform ?? DEFAULT_PLATFORM);
    const cfgWhere = `${ref.host}/${ref.repository}@${r.config.digest}`;
    const config = parseConfig(await readBlobJson(client, ref, r.config, limits.maxManifestSize), r.layers.length, cfgWhere, REGISTRY_ERRORS);
    const refs = layerRefs(
      r.layers.map((d) => d.digest),
      config,
    );
    let total = 0;
    for (const l of r.layers) total += l.size;
    if (total > limits.maxImageBytes) {
      throw new InputError('LIMIT_IMAGE_SIZE', `layers add up to ${total} bytes, more than the limit of ${limits.maxImageBytes}`, formatReference(ref));
    }
    const layers: Layer[] = r.layers.map((d, index) => ({
      ref: refs[index]!,
      mediaType: d.mediaType,
      size: d.size,
      open: () => openBlob(client, ref, d, limits.maxLayerBytes),
    }));
    const repo = `${ref.host}/${ref.repository}`;
    return {
      name: refText.startsWith('registry:') ? refText : `registry:${refText}`,
      type: 'registry',
      digest: r.manifestDigest,
      configDigest: r.config.digest,
      ...(ref.tag ? { repoTags: [`${repo}:${ref.tag}`] } : {}),
      repoDigests: [`${repo}@${r.topDigest}`],
      config,
      layers,
      close: async () => client.close(),
    };
  } catch (e) {
    client.close();
    throw e;
  }
}

/**
 * The digest the reference points at (an index for multi-platform images), as
 * `docker pull` prints it: from a HEAD's Docker-Content-Digest, else by
 * fetching and hashing the manifest. Uses the given client (and its tokens).
 */
export async function manifestDigestWith(client: RegistryClient, ref: RegistryReference, limits: ReadLimits): Promise<string> {
  const what = formatReference(ref);
  const { res } = await client.request({
    method: 'HEAD',
    path: `/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag!}`,
    accept: MANIFEST_ACCEPT,
    scope: `repository:${ref.repository}:pull`,
    what,
    redirects: true,
  });
  res.resume();
  const header = firstHeader(res.headers['docker-content-digest']);
  if (ref.digest) return ref.digest;
  if (header && /^sha(256|512):[a-f0-9]+$/.test(header)) return header;
  return (await fetchManifest(client, ref, ref.tag!, limits.maxManifestSize, what)).digest;
}

/** `manifestDigestWith` on a client of its own. */
export async function getManifestDigest(refText: string, opts: RegistryOptions = {}): Promise<string> {
  const ref = parseReference(refText);
  const client = new RegistryClient(ref.host, ref.endpoint, opts);
  try {
    return await manifestDigestWith(client, ref, { ...DEFAULT_LIMITS, ...opts.limits });
  } finally {
    client.close();
  }
}
