// Builds real image files by hand (tar-stream + node:zlib, zstd via the zstd
// CLI), for tests of the image sources, the pipeline, the analyzers and the
// registry (push the result with skopeo). Nothing here mocks a format: the
// output is what docker/skopeo/umoci write.
//
// Layers are lists of files:
//   const layer: LayerSpec = { files: [
//     { path: 'etc/os-release', content: 'ID=debian\n' },
//     { path: 'usr/bin', type: 'dir' },
//     { path: 'etc/alt', type: 'symlink', linkname: 'os-release' },
//     { path: 'bin/b', type: 'hardlink', linkname: 'bin/a' },
//     { path: 'etc/.wh.old' },                      // whiteout: deletes etc/old below
//     { path: 'opt/.wh..wh..opq' },                 // opaque: hides opt/* below
//   ], compression: 'gzip', createdBy: 'RUN apt-get install x' };
//   An image: { layers: [...], config?: {...}, platform?: {os, architecture}, repoTags?, refName? }.
//
// Writers (all return the digests they wrote, see BuiltImage):
//   writeDockerArchive(file, image, { layout: 'classic' | 'oci' })
//       classic = `docker save` before Docker 25 (manifest.json, <id>/layer.tar, <cfg>.json);
//       oci     = Docker 25+ (index.json + oci-layout + blobs/sha256 + manifest.json pointing into blobs/).
//   writeOciLayout(dir, images[], { nested? })   one index (or an index -> nested index) with one manifest per image/platform.
//   writeOciArchive(file, images[], { nested? }) the same layout as a tar.
// Hostile input:
//   LayerSpec.blob           exact stored bytes (garbage, a truncated gzip: see truncate(), gzipBomb()).
//   ImageSpec.tamper         rewrite blobs after their digests were computed (digest mismatch).
//   ImageSpec.omitBlobs      digests left out of the written layout (missing blob).
//   FileSpec paths are written as given: `../../etc/x`, `/abs`, symlink loops all work.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface FileSpec {
  /** Name written into the tar as given (relative names are usual: `etc/passwd`). */
  path: string;
  type?: FileType;
  content?: string | Buffer;
  /** Default 0o644 (files), 0o755 (dirs), 0o777 (symlinks). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Symlink target or hard-link target (an archive path). */
  linkname?: string;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerSpec {
  files?: FileSpec[];
  /** Stored bytes to use as is (skips `files` and compression). Its diff_id is sha256 of `diffIdOf` or of the blob itself. */
  blob?: Buffer;
  /** For `blob`: the uncompressed tar, to compute a correct diff_id. */
  uncompressed?: Buffer;
  compression?: Compression;
  createdBy?: string;
  /** created_by of `empty_layer` history entries placed before this layer's entry. */
  emptyBefore?: string[];
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageSpec {
  layers: LayerSpec[];
  /** Merged into the generated config (e.g. `{ config: { User: 'app' } }`). */
  config?: Record<string, unknown>;
  platform?: Platform;
  repoTags?: string[];
  /** `org.opencontainers.image.ref.name` of the manifest in an OCI index. */
  refName?: string;
  /** Rewrite stored blobs after digests were computed; gets and returns the bytes. */
  tamper?: (kind: 'layer' | 'config' | 'manifest', index: number, bytes: Buffer) => Buffer;
  /** Digests not to write. */
  omitBlobs?: string[];
}

export interface BuiltLayer {
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  blob: Buffer;
  tar: Buffer;
}

export interface BuiltImage {
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: string;
  layers: BuiltLayer[];
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  manifestDigest: string;
}

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export function sha256(b: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** Build an uncompressed tar from a file list. */
export async function buildTar(files: FileSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  const mtime = new Date(1_700_000_000_000);
  for (const f of files) {
    const type = f.type ?? 'file';
    const h: Partial<tar.Header> & { name: string } = {
      name: f.path,
      mtime,
      uid: f.uid ?? 0,
      gid: f.gid ?? 0,
      mode: f.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      type: type === 'dir' ? 'directory' : type === 'hardlink' ? 'link' : type === 'char' ? 'character-device' : type === 'block' ? 'block-device' : type,
    };
    if (f.linkname !== undefined) h.linkname = f.linkname;
    const content = type === 'file' ? (typeof f.content === 'string' ? Buffer.from(f.content) : (f.content ?? Buffer.alloc(0))) : undefined;
    await new Promise<void>((resolve, reject) => {
      if (content) pack.entry(h, content, (e) => (e ? reject(e) : resolve()));
      else pack.entry(h, (e) => (e ? reject(e) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(data: Buffer, c: Compression): Buffer {
  if (c === 'gzip') return gzipSync(data, { level: 6 });
  if (c === 'zstd') {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1024 ** 3 });
    if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString()}`);
    return r.stdout;
  }
  return data;
}

/** The first `n` bytes (or all but the last `-n`) of a buffer: a truncated blob. */
export function truncate(b: Buffer, n: number): Buffer {
  return Buffer.from(n >= 0 ? b.subarray(0, n) : b.subarray(0, b.length + n));
}

/**
 * A gzip stream that decompresses to a tar whose single file has `bytes`
 * zero bytes: tiny stored, huge expanded (built without holding it all).
 */
export function gzipBomb(bytes: number, name = 'bomb'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(bytes.toString(8).padStart(11, '0') + '\0', 124);
  header.write('14533012000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  // Concatenated gzip members are one valid gzip stream (RFC 1952), so the
  // bomb is built from one compressed megabyte of zeros repeated.
  const mib = 1024 * 1024;
  const zeroMember = gzipSync(Buffer.alloc(mib), { level: 9 });
  const parts: Buffer[] = [gzipSync(header)];
  let left = bytes;
  for (; left >= mib; left -= mib) parts.push(zeroMember);
  if (left > 0) parts.push(gzipSync(Buffer.alloc(left)));
  return Buffer.concat(parts);
}

/** Build the blobs of one image: layers, config (with diff_ids and history) and an OCI manifest. */
export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const layers: BuiltLayer[] = [];
  const history: Array<Record<string, unknown>> = [];
  for (const [i, l] of spec.layers.entries()) {
    const c = l.compression ?? 'gzip';
    const tarBytes = l.blob ? (l.uncompressed ?? l.blob) : await buildTar(l.files ?? []);
    const blob = l.blob ?? compress(tarBytes, c);
    const mediaType = c === 'gzip' ? MEDIA.layerGzip : c === 'zstd' ? MEDIA.layerZstd : MEDIA.layerTar;
    layers.push({ digest: sha256(blob), diffId: sha256(tarBytes), size: blob.length, mediaType, blob, tar: tarBytes });
    for (const e of l.emptyBefore ?? []) history.push({ created: '2024-01-01T00:00:00Z', created_by: e, empty_layer: true });
    history.push({ created: '2024-01-01T00:00:00Z', created_by: l.createdBy ?? `layer ${i}` });
  }
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const config: Record<string, unknown> = {
    created: '2024-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
    ...spec.config,
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256(configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { config, configBytes, configDigest, layers, manifest, manifestBytes, manifestDigest: sha256(manifestBytes) };
}

/** A file tree to write: relative path -> bytes. */
type Files = Map<string, Buffer>;

function tampered(spec: ImageSpec, kind: 'layer' | 'config' | 'manifest', index: number, b: Buffer): Buffer {
  return spec.tamper ? spec.tamper(kind, index, b) : b;
}

function putBlob(files: Files, spec: ImageSpec | undefined, digest: string, bytes: Buffer): void {
  if (spec?.omitBlobs?.includes(digest)) return;
  files.set(`blobs/sha256/${hex(digest)}`, bytes);
}

async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [p, b] of files) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), b);
  }
}

async function writeTarFile(file: string, files: Files, opts: { dotSlash?: boolean } = {}): Promise<void> {
  const list: FileSpec[] = [];
  const dirs = new Set<string>();
  for (const p of files.keys()) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        list.push({ path: (opts.dotSlash ? './' : '') + d + '/', type: 'dir' });
      }
    }
    list.push({ path: (opts.dotSlash ? './' : '') + p, content: files.get(p)! });
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await buildTar(list));
}

export interface DockerArchiveOptions {
  /** `classic` (default): `docker save` before Docker 25; `oci`: Docker 25+ OCI layout with manifest.json. */
  layout?: 'classic' | 'oci';
}

/** Files of a docker-archive; layers are stored uncompressed, as docker save does. */
export async function dockerArchiveFiles(specIn: ImageSpec, opts: DockerArchiveOptions = {}): Promise<{ files: Files; image: BuiltImage }> {
  const spec: ImageSpec = { ...specIn, layers: specIn.layers.map((l) => (l.blob ? l : { ...l, compression: l.compression ?? 'none' })) };
  const image = await buildImage(spec);
  const files: Files = new Map();
  const repoTags = spec.repoTags ?? ['vigil-test/image:latest'];
  const layerPaths: string[] = [];
  if (opts.layout === 'oci') {
    image.layers.forEach((l, i) => {
      putBlob(files, spec, l.digest, tampered(spec, 'layer', i, l.blob));
      layerPaths.push(`blobs/sha256/${hex(l.digest)}`);
    });
    putBlob(files, spec, image.configDigest, tampered(spec, 'config', 0, image.configBytes));
    putBlob(files, spec, image.manifestDigest, tampered(spec, 'manifest', 0, image.manifestBytes));
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        {
          mediaType: MEDIA.ociManifest,
          digest: image.manifestDigest,
          size: image.manifestBytes.length,
          annotations: { 'io.containerd.image.name': `docker.io/${repoTags[0]}`, 'org.opencontainers.image.ref.name': repoTags[0]!.split(':').pop() },
        },
      ],
    };
    files.set('index.json', Buffer.from(JSON.stringify(index)));
    files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    files.set('manifest.json', Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${hex(image.configDigest)}`, RepoTags: repoTags, Layers: layerPaths }])));
  } else {
    let parent = '';
    image.layers.forEach((l, i) => {
      // Classic layer directories are named by a v1 id chained over the parent; any stable hex works.
      const id = hex(sha256(parent + l.diffId));
      parent = id;
      files.set(`${id}/VERSION`, Buffer.from('1.0'));
      files.set(`${id}/json`, Buffer.from(JSON.stringify({ id, created: '2024-01-01T00:00:00Z' })));
      if (!spec.omitBlobs?.includes(l.digest)) files.set(`${id}/layer.tar`, tampered(spec, 'layer', i, l.blob));
      layerPaths.push(`${id}/layer.tar`);
    });
    if (!spec.omitBlobs?.includes(image.configDigest)) files.set(`${hex(image.configDigest)}.json`, tampered(spec, 'config', 0, image.configBytes));
    files.set('manifest.json', Buffer.from(JSON.stringify([{ Config: `${hex(image.configDigest)}.json`, RepoTags: repoTags, Layers: layerPaths }])));
  }
  const [repo, tag] = [repoTags[0]!.slice(0, repoTags[0]!.lastIndexOf(':')), repoTags[0]!.slice(repoTags[0]!.lastIndexOf(':') + 1)];
  files.set('repositories', Buffer.from(JSON.stringify({ [repo]: { [tag]: hex(image.layers.at(-1)?.diffId ?? image.configDigest) } })));
  return { files, image };
}

export async function writeDockerArchive(file: string, spec: ImageSpec, opts: DockerArchiveOptions = {}): Promise<BuiltImage> {
  const { files, image } = await dockerArchiveFiles(spec, opts);
  await writeTarFile(file, files);
  return image;
}

export interface OciLayoutOptions {
  /** Put the manifests in a nested index that the top index points to. */
  nested?: boolean;
  /** Write member names as `./blobs/...` (some tools do). */
  dotSlash?: boolean;
}

/** Files of an OCI image layout holding one manifest per image (e.g. one per platform). */
export async function ociLayoutFiles(specs: ImageSpec[], opts: OciLayoutOptions = {}): Promise<{ files: Files; images: BuiltImage[]; indexDigest?: string }> {
  const files: Files = new Map();
  const images: BuiltImage[] = [];
  const descriptors: Array<Record<string, unknown>> = [];
  for (const spec of specs) {
    const image = await buildImage(spec);
    images.push(image);
    image.layers.forEach((l, i) => putBlob(files, spec, l.digest, tampered(spec, 'layer', i, l.blob)));
    putBlob(files, spec, image.configDigest, tampered(spec, 'config', 0, image.configBytes));
    putBlob(files, spec, image.manifestDigest, tampered(spec, 'manifest', 0, image.manifestBytes));
    const p = spec.platform ?? { os: 'linux', architecture: 'amd64' };
    const d: Record<string, unknown> = { mediaType: MEDIA.ociManifest, digest: image.manifestDigest, size: image.manifestBytes.length, platform: p };
    if (spec.refName && !opts.nested) d.annotations = { 'org.opencontainers.image.ref.name': spec.refName };
    descriptors.push(d);
  }
  let top = descriptors;
  let indexDigest: string | undefined;
  if (opts.nested) {
    const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: descriptors }));
    indexDigest = sha256(nested);
    putBlob(files, undefined, indexDigest, nested);
    const refName = specs.find((s) => s.refName)?.refName;
    top = [
      {
        mediaType: MEDIA.ociIndex,
        digest: indexDigest,
        size: nested.length,
        ...(refName ? { annotations: { 'org.opencontainers.image.ref.name': refName } } : {}),
      },
    ];
  }
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: top })));
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  return indexDigest ? { files, images, indexDigest } : { files, images };
}

export async function writeOciLayout(dir: string, specs: ImageSpec[], opts: OciLayoutOptions = {}): Promise<BuiltImage[]> {
  const { files, images } = await ociLayoutFiles(specs, opts);
  await writeFiles(dir, files);
  return images;
}

export async function writeOciArchive(file: string, specs: ImageSpec[], opts: OciLayoutOptions = {}): Promise<BuiltImage[]> {
  const { files, images } = await ociLayoutFiles(specs, opts);
  await writeTarFile(file, files, opts.dotSlash ? { dotSlash: true } : {});
  return images;
}

/** Write a file list as an unpacked root filesystem (for `rootfs:`); whiteouts are not meaningful here. */
export async function writeRootfs(dir: string, files: FileSpec[]): Promise<void> {
  const { symlink, link, chmod } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    const p = join(dir, f.path);
    const type = f.type ?? 'file';
    await mkdir(type === 'dir' ? p : dirname(p), { recursive: true });
    if (type === 'file') await writeFile(p, f.content ?? '');
    else if (type === 'symlink') await symlink(f.linkname!, p);
    else if (type === 'hardlink') await link(join(dir, f.linkname!), p);
    if (f.mode !== undefined && type !== 'symlink') await chmod(p, f.mode);
  }
}
