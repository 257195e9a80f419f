// `oci-archive:FILE[:TAG]`: an OCI image layout packed as a tar, read in place.
import { resolveLimits } from '../../core/image/limits.js';
import type { Image } from '../../core/image/types.js';
import { TarStore } from './blob-store.js';
import { openOciFromStore } from './oci-layout.js';
import type { OpenImageOptions } from './types.js';

export async function openOciArchive(file: string, tag: string | undefined, name: string, opts: OpenImageOptions = {}): Promise<Image> {
  const store = await TarStore.open(file, resolveLimits(opts.limits));
  try {
    return await openOciFromStore(store, tag !== undefined ? { name, type: 'oci-archive', tag } : { name, type: 'oci-archive' }, opts);
  } catch (e) {
    await store.close();
    throw e;
  }
}
