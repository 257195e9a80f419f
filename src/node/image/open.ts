// openImage: the one entry point from an image reference to an Image. Chooses
// the source by prefix, or detects it for a bare path: a directory with
// index.json + oci-layout is an OCI layout, any other directory a root
// filesystem; a tar with manifest.json is a docker-archive (Docker 25+ archives
// also hold index.json), a tar with index.json/oci-layout an OCI archive.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { resolveLimits } from '../../core/image/limits.js';
import type { Image } from '../../core/image/types.js';
import { TarStore } from './blob-store.js';
import { openDockerArchive } from './docker-archive.js';
import { openOciArchive } from './oci-archive.js';
import { openOciDir } from './oci.js';
import { parseImageRef, splitPathTag } from './ref.js';
import { openRootfs } from './rootfs.js';
import type { OpenImageOptions } from './types.js';

export type { OpenImageOptions } from './types.js';

function pathAndTag(rest: string, ref: string): { path: string; tag?: string } {
  const r = splitPathTag(rest, (p) => existsSync(p));
  if (!r) throw new InputError('IMAGE_NOT_FOUND', 'no such file or directory', rest.includes(':') ? ref : rest);
  return r;
}

/** What a bare path holds, detected from its contents. */
export async function detectSource(path: string, opts: OpenImageOptions = {}): Promise<'oci' | 'rootfs' | 'docker-archive' | 'oci-archive'> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError('IMAGE_NOT_FOUND', 'no such file or directory (and not a known image reference)', path);
  }
  if (st.isDirectory()) {
    return existsSync(join(path, 'index.json')) && existsSync(join(path, 'oci-layout')) ? 'oci' : 'rootfs';
  }
  const store = await TarStore.open(path, resolveLimits(opts.limits));
  try {
    if (store.has('manifest.json')) return 'docker-archive';
    if (store.has('index.json') || store.has('oci-layout')) return 'oci-archive';
    throw new InputError('IMAGE_UNKNOWN_FORMAT', 'tar archive is neither a docker-archive (manifest.json) nor an OCI archive (index.json)', path);
  } finally {
    await store.close();
  }
}

export async function openImage(ref: string, opts: OpenImageOptions = {}): Promise<Image> {
  if (opts.signal?.aborted) throw new InputError('ABORTED', 'opening the image was aborted', ref);
  const parsed = parseImageRef(ref);
  switch (parsed.type) {
    case 'registry': {
      // Loaded only when used: keeps local scans free of the HTTP client.
      const mod = await import('./registry/index.js');
      return mod.openRegistryImage(ref, opts);
    }
    case 'rootfs':
      return openRootfs(parsed.rest, ref, opts);
    case 'oci': {
      const { path, tag } = pathAndTag(parsed.rest, ref);
      return openOciDir(path, tag, ref, opts);
    }
    case 'oci-archive': {
      const { path, tag } = pathAndTag(parsed.rest, ref);
      return openOciArchive(path, tag, ref, opts);
    }
    case 'docker-archive': {
      const { path, tag } = pathAndTag(parsed.rest, ref);
      return openDockerArchive(path, tag, ref, opts);
    }
    default: {
      const kind = await detectSource(parsed.rest, opts);
      if (kind === 'oci') return openOciDir(parsed.rest, undefined, ref, opts);
      if (kind === 'rootfs') return openRootfs(parsed.rest, ref, opts);
      if (kind === 'docker-archive') return openDockerArchive(parsed.rest, undefined, ref, opts);
      return openOciArchive(parsed.rest, undefined, ref, opts);
    }
  }
}
