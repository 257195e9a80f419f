// openImage: the one entry point from an image reference to an Image. The
// reference prefix names a source of the image source index (sources.ts,
// one module per source in ./sources/); a bare path is offered to the sources
// that detect paths, in their order: e.g. a directory with index.json +
// oci-layout is an OCI layout, any other directory a root filesystem; a tar
// with manifest.json is a docker-archive (Docker 25+ archives also hold
// index.json), a tar with index.json/oci-layout an OCI archive.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { resolveLimits } from '../../core/image/limits.js';
import type { Image } from '../../core/image/types.js';
import type { ModuleIndex } from '../../core/module-index.js';
import { parseImageRef } from './ref.js';
import type { BarePath, ImageSourceModule } from './source-module.js';
import { imageSource, imageSourceIds, imageSources } from './source-index.js';
import type { OpenImageOptions } from './types.js';

export type { OpenImageOptions } from './types.js';

function detectors(sources: ModuleIndex<ImageSourceModule>, kind: 'directory' | 'tar'): ImageSourceModule[] {
  return sources
    .all()
    .filter((s) => s.detect?.kind === kind)
    .sort((a, b) => a.detect!.order - b.detect!.order);
}

/** The source that claims a bare path, detected from its contents. */
export async function detectSource(path: string, opts: OpenImageOptions = {}, sources?: ModuleIndex<ImageSourceModule>): Promise<ImageSourceModule> {
  const index = sources ?? (await imageSources());
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError('IMAGE_NOT_FOUND', 'no such file or directory (and not a known image reference)', path);
  }
  if (st.isDirectory()) {
    const probe: BarePath = { path, kind: 'directory', has: (name) => existsSync(join(path, name)) };
    const found = detectors(index, 'directory').find((s) => s.detect!.test(probe));
    if (!found) throw new InputError('IMAGE_UNKNOWN_FORMAT', 'no image source reads this directory', path);
    return found;
  }
  const tars = detectors(index, 'tar');
  // The tar reader is loaded only for a bare tar path (a rootfs directory does not need it).
  const { TarStore } = await import('./blob-store.js');
  const store = await TarStore.open(path, resolveLimits(opts.limits));
  try {
    const probe: BarePath = { path, kind: 'tar', has: (name) => store.has(name) };
    const found = tars.find((s) => s.detect!.test(probe));
    if (found) return found;
    throw new InputError('IMAGE_UNKNOWN_FORMAT', `tar archive is neither ${tars.map((s) => s.detect!.describe).join(' nor ')}`, path);
  } finally {
    await store.close();
  }
}

export async function openImage(ref: string, opts: OpenImageOptions = {}): Promise<Image> {
  if (opts.signal?.aborted) throw new InputError('ABORTED', 'opening the image was aborted', ref);
  const parsed = parseImageRef(ref, imageSourceIds());
  // A prefixed reference loads its own source only; a bare path is offered to every source that detects.
  const source = parsed.type ? await imageSource(parsed.type) : undefined;
  if (source) return source.open(parsed.rest, ref, opts);
  const sources = await imageSources();
  if (parsed.type) return sources.require(parsed.type).open(parsed.rest, ref, opts);
  return (await detectSource(parsed.rest, opts, sources)).open(parsed.rest, ref, opts);
}
