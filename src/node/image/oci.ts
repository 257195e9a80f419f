// `oci:DIR[:TAG]`: an OCI image layout directory.
import { stat } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import type { Image } from '../../core/image/types.js';
import { DirStore } from './blob-store.js';
import { openOciFromStore } from './oci-layout.js';
import type { OpenImageOptions } from './types.js';

export async function openOciDir(dir: string, tag: string | undefined, name: string, opts: OpenImageOptions = {}): Promise<Image> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new InputError('IMAGE_NOT_FOUND', 'no such directory', dir);
  if (!st.isDirectory()) throw new InputError('IMAGE_NOT_OCI', 'not a directory (for an OCI archive use oci-archive:)', dir);
  const store = new DirStore(dir);
  try {
    return await openOciFromStore(store, tag !== undefined ? { name, type: 'oci', tag } : { name, type: 'oci' }, opts);
  } catch (e) {
    await store.close();
    throw e;
  }
}
