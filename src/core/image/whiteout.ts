// Whiteout markers of image layers (OCI image spec, "Whiteouts"): a file
// `.wh.NAME` deletes NAME from the layers below; `.wh..wh..opq` in a directory
// hides everything the layers below put in that directory. Other `.wh..wh.*`
// names are AUFS bookkeeping and carry no file.
import { baseName, parentPath } from './path.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export type WhiteoutKind = 'file' | 'opaque' | 'meta';

/**
 * Classify a normalised path. Returns undefined for ordinary entries; for a
 * whiteout, the kind and the path it applies to (the deleted path for `file`,
 * the directory for `opaque`).
 */
export function parseWhiteout(path: string): { kind: WhiteoutKind; target: string } | undefined {
  // Most entries: no `/.wh.` anywhere, decided without slicing out the base name.
  if (!path.includes('/.wh.')) return undefined;
  const base = baseName(path);
  if (base.length < 4 || base.charCodeAt(0) !== 46 || !base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = parentPath(path);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', target: dir };
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return { kind: 'meta', target: dir };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'meta', target: dir };
  return { kind: 'file', target: dir === '/' ? '/' + name : dir + '/' + name };
}
