// Test fixture: writes a small OCI image layout (one image, or a
// multi-platform index) with real gzip tar layers, for skopeo to push into a
// test registry. Not part of the build.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { Platform } from '../../../core/image/types.js';
import { sha256 } from '../../../../test/helpers/registry-server.js';

export interface FixtureImage {
  platform: Platform;
  /** One map per layer: path (no leading /) -> content. */
  layers: Array<Record<string, string>>;
}

export interface FixtureLayout {
  /** Digest of each image manifest, in input order. */
  manifestDigests: string[];
  configDigests: string[];
  layerDigests: string[][];
  diffIds: string[][];
  /** Digest of the index blob when there is more than one image. */
  indexDigest?: string;
}

export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on('end', () => r()));
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) p.entry({ name: `${d}/`, type: 'directory', mode: 0o755, mtime: new Date(0) });
  for (const [path, content] of Object.entries(files)) p.entry({ name: path, mode: 0o644, mtime: new Date(0) }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function writeOciLayout(dir: string, tag: string, images: FixtureImage[]): Promise<FixtureLayout> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer): Promise<string> => {
    const d = sha256(b);
    await writeFile(join(blobs, d.slice(7)), b);
    return d;
  };
  const out: FixtureLayout = { manifestDigests: [], configDigests: [], layerDigests: [], diffIds: [] };
  const manifestDescs: unknown[] = [];
  for (const img of images) {
    const layerDescs: unknown[] = [];
    const diffIds: string[] = [];
    const digests: string[] = [];
    for (const files of img.layers) {
      const tar = await tarOf(files);
      const gz = gzipSync(tar);
      diffIds.push(sha256(tar));
      const d = await put(gz);
      digests.push(d);
      layerDescs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d, size: gz.length });
    }
    const config = Buffer.from(
      JSON.stringify({
        architecture: img.platform.architecture,
        os: img.platform.os,
        ...(img.platform.variant ? { variant: img.platform.variant } : {}),
        config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: img.layers.map((_, i) => ({ created_by: `layer ${i} for ${img.platform.architecture}` })),
      }),
    );
    const configDigest = await put(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: layerDescs,
      }),
    );
    const md = await put(manifest);
    out.manifestDigests.push(md);
    out.configDigests.push(configDigest);
    out.layerDigests.push(digests);
    out.diffIds.push(diffIds);
    manifestDescs.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: md, size: manifest.length, platform: img.platform });
  }
  let top: unknown;
  if (images.length === 1) {
    const { platform: _p, ...desc } = manifestDescs[0] as Record<string, unknown>;
    top = { ...desc, annotations: { 'org.opencontainers.image.ref.name': tag } };
  } else {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: manifestDescs }));
    const id = await put(index);
    out.indexDigest = id;
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: id, size: index.length, annotations: { 'org.opencontainers.image.ref.name': tag } };
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [top] }));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return out;
}
